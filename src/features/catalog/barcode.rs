//! EAN-13 (the barcode on every book's back cover) read from one line of pixels.
//!
//! Phones with a native `BarcodeDetector` use it; every other browser with a camera
//! (desktop Chrome on Linux and Windows, Firefox) runs this decoder on video frames.
//! It is plain Rust, so it is unit-tested natively and shipped in the wasm bundle.

/// Bar/space widths of each digit's L code; G is the reverse, R the same widths with
/// colours swapped (so the same numbers, read from a bar instead of a space).
const L_WIDTHS: [[u8; 4]; 10] = [
    [3, 2, 1, 1],
    [2, 2, 2, 1],
    [2, 1, 2, 2],
    [1, 4, 1, 1],
    [1, 1, 3, 2],
    [1, 2, 3, 1],
    [1, 1, 1, 4],
    [1, 3, 1, 2],
    [1, 2, 1, 3],
    [3, 1, 1, 2],
];

/// Which of the left six digits use G codes encodes the first digit (false = L).
const PARITY: [[bool; 6]; 10] = [
    [false, false, false, false, false, false],
    [false, false, true, false, true, true],
    [false, false, true, true, false, true],
    [false, false, true, true, true, false],
    [false, true, false, false, true, true],
    [false, true, true, false, false, true],
    [false, true, true, true, false, true],
    [false, true, true, true, true, false],
    [false, true, false, true, false, true],
    [false, true, false, true, true, false],
];

/// Runs in a whole symbol: 3 (start) + 24 (left) + 5 (middle) + 24 (right) + 3 (end).
const SYMBOL_RUNS: usize = 59;
const SYMBOL_MODULES: f32 = 95.0;

/// The 13 digits of the first well-formed, checksum-valid EAN-13 on this line of
/// luminance values (either reading direction), if any.
pub fn decode_row(luminance: &[u8]) -> Option<String> {
    let runs = runs(luminance)?;
    decode_runs(&runs).or_else(|| {
        let reversed: Vec<(bool, f32)> = runs.iter().rev().copied().collect();
        decode_runs(&reversed)
    })
}

/// Dark/light runs after a mid-range threshold; None for a line with no contrast.
fn runs(luminance: &[u8]) -> Option<Vec<(bool, f32)>> {
    let (min, max) = luminance
        .iter()
        .fold((u8::MAX, u8::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if max.saturating_sub(min) < 40 {
        return None;
    }
    let threshold = (u16::from(min) + u16::from(max)) / 2;
    let mut runs: Vec<(bool, f32)> = Vec::new();
    for &v in luminance {
        let dark = u16::from(v) < threshold;
        match runs.last_mut() {
            Some((d, w)) if *d == dark => *w += 1.0,
            _ => runs.push((dark, 1.0)),
        }
    }
    Some(runs)
}

fn decode_runs(runs: &[(bool, f32)]) -> Option<String> {
    (0..runs.len().saturating_sub(SYMBOL_RUNS - 1))
        .filter(|&i| runs[i].0)
        .find_map(|i| decode_at(runs, i))
}

/// How far four measured widths are from a code's widths, in modules.
fn distance(measured: &[f32], code: &[u8; 4]) -> f32 {
    let total: f32 = measured.iter().sum();
    measured
        .iter()
        .zip(code)
        .map(|(w, &c)| (w / total * 7.0 - f32::from(c)).abs())
        .sum()
}

/// The closest digit and whether it was a G code; None when nothing is close.
fn best_digit(measured: &[f32], allow_g: bool) -> Option<(u8, bool)> {
    let mut best: Option<(f32, u8, bool)> = None;
    for (digit, code) in L_WIDTHS.iter().enumerate() {
        let mut candidates = vec![(distance(measured, code), false)];
        if allow_g {
            let mut reversed = *code;
            reversed.reverse();
            candidates.push((distance(measured, &reversed), true));
        }
        for (d, g) in candidates {
            if best.is_none_or(|(b, _, _)| d < b) {
                best = Some((d, digit as u8, g));
            }
        }
    }
    best.filter(|(d, _, _)| *d < 1.6)
        .map(|(_, digit, g)| (digit, g))
}

fn decode_at(runs: &[(bool, f32)], start: usize) -> Option<String> {
    let symbol = &runs[start..start + SYMBOL_RUNS];
    let widths: Vec<f32> = symbol.iter().map(|r| r.1).collect();
    let module = widths.iter().sum::<f32>() / SYMBOL_MODULES;
    let is_guard = |w: &[f32]| w.iter().all(|&x| x > module * 0.4 && x < module * 1.8);
    let quiet_before = start == 0 || runs[start - 1].1 >= module * 3.0;
    if !quiet_before
        || !is_guard(&widths[0..3])
        || !is_guard(&widths[27..32])
        || !is_guard(&widths[56..59])
    {
        return None;
    }
    let mut digits = [0u8; 13];
    let mut parity = [false; 6];
    for k in 0..6 {
        let (digit, g) = best_digit(&widths[3 + 4 * k..7 + 4 * k], true)?;
        digits[k + 1] = digit;
        parity[k] = g;
    }
    for k in 0..6 {
        let (digit, _) = best_digit(&widths[32 + 4 * k..36 + 4 * k], false)?;
        digits[k + 7] = digit;
    }
    digits[0] = PARITY.iter().position(|p| *p == parity)? as u8;
    let sum: u32 = digits[..12]
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    if (10 - sum % 10) % 10 != u32::from(digits[12]) {
        return None;
    }
    Some(digits.iter().map(|d| char::from(b'0' + d)).collect())
}

/// The 95 modules (true = bar) of an EAN-13; used by tests and the e2e fixture.
pub fn encode_modules(digits: &str) -> Option<Vec<bool>> {
    let d: Vec<u8> = digits.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if d.len() != 13 || d.iter().any(|&x| x > 9) {
        return None;
    }
    let mut bits = vec![true, false, true];
    let mut push = |widths: &[u8], start_dark: bool| {
        let mut dark = start_dark;
        for &w in widths {
            bits.extend(std::iter::repeat_n(dark, w as usize));
            dark = !dark;
        }
    };
    for k in 0..6 {
        let mut code = L_WIDTHS[d[k + 1] as usize];
        if PARITY[d[0] as usize][k] {
            code.reverse();
        }
        push(&code, false);
    }
    push(&[1, 1, 1, 1, 1], false);
    for k in 0..6 {
        push(&L_WIDTHS[d[k + 7] as usize], true);
    }
    push(&[1, 1, 1], true);
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scan line: quiet zones, `scale` pixels per module, soft edges and noise.
    fn render(digits: &str, scale: f32, offset: f32) -> Vec<u8> {
        let modules = encode_modules(digits).unwrap();
        let width = ((modules.len() as f32 + 30.0) * scale + offset * 2.0) as usize;
        (0..width)
            .map(|x| {
                let m = (x as f32 - offset) / scale - 15.0;
                let dark = m >= 0.0 && (m as usize) < modules.len() && modules[m as usize];
                let noise = ((x * 7919) % 23) as u8;
                if dark { 30 + noise } else { 210 + noise }
            })
            .collect()
    }

    #[test]
    fn reads_isbn_barcodes_at_several_sizes() {
        for isbn in [
            "9788936433598",
            "9791190090018",
            "9788966260959",
            "9780306406157",
        ] {
            for scale in [1.0, 1.7, 2.0, 3.3, 5.0] {
                assert_eq!(
                    decode_row(&render(isbn, scale, 13.0)).as_deref(),
                    Some(isbn),
                    "{isbn} at {scale}"
                );
            }
        }
    }

    #[test]
    fn reads_a_blurred_camera_line() {
        let sharp = render("9788936433598", 3.2, 21.0);
        let blurred: Vec<u8> = (0..sharp.len())
            .map(|x| {
                let window = &sharp[x.saturating_sub(2)..(x + 3).min(sharp.len())];
                (window.iter().map(|&v| u32::from(v)).sum::<u32>() / window.len() as u32) as u8
            })
            .collect();
        assert_eq!(decode_row(&blurred).as_deref(), Some("9788936433598"));
    }

    #[test]
    fn reads_an_upside_down_barcode() {
        let mut row = render("9788936433598", 2.5, 40.0);
        row.reverse();
        assert_eq!(decode_row(&row).as_deref(), Some("9788936433598"));
    }

    #[test]
    fn refuses_lines_without_a_valid_symbol() {
        assert_eq!(decode_row(&[128; 400]), None, "no contrast");
        let stripes: Vec<u8> = (0..600)
            .map(|x| if (x / 3) % 2 == 0 { 20 } else { 220 })
            .collect();
        assert_eq!(
            decode_row(&stripes),
            None,
            "regular stripes are not a barcode"
        );
        // One bar flipped in the right half breaks a digit or the checksum.
        let mut modules = encode_modules("9788936433598").unwrap();
        modules[70] = !modules[70];
        let row: Vec<u8> = std::iter::repeat_n(false, 12)
            .chain(modules)
            .chain(std::iter::repeat_n(false, 12))
            .flat_map(|dark| std::iter::repeat_n(if dark { 20 } else { 220 }, 3))
            .collect();
        assert_eq!(decode_row(&row), None);
    }

    #[test]
    fn encodes_only_thirteen_digits() {
        assert_eq!(encode_modules("9788936433598").map(|m| m.len()), Some(95));
        assert!(encode_modules("978893643359").is_none());
        assert!(encode_modules("97889364335x8").is_none());
    }
}
