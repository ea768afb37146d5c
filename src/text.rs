//! Free text as we keep it: what people type into descriptions, titles, addresses and
//! chat, shared by the browser (so the counter counts what will be stored) and the
//! server.

/// Characters that change how the text around them is displayed rather than being
/// text: bidi embeddings, overrides and isolates ("exe.jpg" shown as "gpj.exe") and the
/// C0/C1 controls. Zero-width joiners stay: emoji sequences need them.
fn is_display_control(c: char, multiline: bool) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        || (c.is_control() && !(multiline && c == '\n'))
}

/// One line of free text: display controls removed, tabs and line breaks as spaces,
/// trimmed.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .filter(|&c| !is_display_control(c, false))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Several lines of free text: `\r\n` as `\n`, tabs as spaces, other display controls
/// removed, trimmed.
pub fn multi_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\t' || c == '\r' { ' ' } else { c })
        .filter(|&c| !is_display_control(c, true))
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_controls_go_and_text_stays() {
        assert_eq!(one_line(" 사진\u{202E}gpj.exe\u{0007} "), "사진gpj.exe");
        assert_eq!(one_line("두\n줄"), "두 줄");
        assert_eq!(
            multi_line("첫 줄\r\n둘째\u{2066} 줄\u{0000}"),
            "첫 줄\n둘째 줄"
        );
        // Emoji sequences keep their joiners; 4-byte characters pass.
        assert_eq!(one_line("👩\u{200D}💻 책"), "👩\u{200D}💻 책");
    }

    proptest::proptest! {
        #[test]
        fn cleaned_text_has_no_display_controls(text in "\\PC*|[\\x00-\\x1f\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z가-힣 ]{0,40}") {
            for cleaned in [one_line(&text), multi_line(&text)] {
                proptest::prop_assert!(!cleaned.chars().any(|c| is_display_control(c, true)));
                proptest::prop_assert_eq!(cleaned.trim(), cleaned.as_str());
            }
            proptest::prop_assert!(!one_line(&text).contains('\n'));
            proptest::prop_assert_eq!(one_line(&one_line(&text)), one_line(&text));
        }
    }
}
