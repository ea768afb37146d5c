//! Korean formatting of money and time.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// 12000 → "12,000원".
pub fn won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped}원")
}

/// "방금 전", "3분 전", "2시간 전", "5일 전", then the date.
pub fn relative_time(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..=59 => "방금 전".into(),
        60..=3599 => format!("{}분 전", seconds / 60),
        3600..=86_399 => format!("{}시간 전", seconds / 3600),
        86_400..=604_799 => format!("{}일 전", seconds / 86_400),
        _ => kst(at).format("%Y.%m.%d").to_string(),
    }
}

pub fn kst(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("valid offset"))
}

/// "12월 4일 20:05" in Korean time.
pub fn korean_datetime(at: DateTime<Utc>) -> String {
    kst(at).format("%-m월 %-d일 %H:%M").to_string()
}

/// "2026년 11월 24일".
pub fn korean_date(date: NaiveDate) -> String {
    date.format("%Y년 %-m월 %-d일").to_string()
}

pub fn now_utc() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now_millis()).unwrap_or_default()
}

/// Today in Korea, from the browser's clock in the browser and the system clock on
/// the server.
pub fn today_kst() -> NaiveDate {
    kst(now_utc()).date_naive()
}

/// "30초 후에 다시 시도해 주세요." — when a rate-limited client may try again.
pub fn retry_after_ko(secs: u32) -> String {
    if secs < 60 {
        format!("{secs}초 후에 다시 시도해 주세요.")
    } else {
        format!("{}분 후에 다시 시도해 주세요.", secs.div_ceil(60))
    }
}

/// Text made safe to place between HTML tags or inside a quoted attribute.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(feature = "hydrate")]
fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(feature = "hydrate"))]
fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// One URL query value, with everything but unreserved characters escaped.
pub fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_in_seconds_then_minutes() {
        assert_eq!(retry_after_ko(5), "5초 후에 다시 시도해 주세요.");
        assert_eq!(retry_after_ko(61), "2분 후에 다시 시도해 주세요.");
    }

    #[test]
    fn escape_html_leaves_no_markup() {
        assert_eq!(
            escape_html(r#"</title><img src=x onerror="alert('1')">&"#),
            "&lt;/title&gt;&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
        assert_eq!(escape_html("자바의 정석"), "자바의 정석");
    }

    #[test]
    fn won_groups_thousands() {
        assert_eq!(won(0), "0원");
        assert_eq!(won(900), "900원");
        assert_eq!(won(1000), "1,000원");
        assert_eq!(won(12000), "12,000원");
        assert_eq!(won(1_234_567), "1,234,567원");
        assert_eq!(won(-5000), "-5,000원");
    }

    #[test]
    fn relative_time_in_korean() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .to_utc();
        let ago = |s: i64| relative_time(now - chrono::Duration::seconds(s), now);
        assert_eq!(ago(5), "방금 전");
        assert_eq!(ago(180), "3분 전");
        assert_eq!(ago(7200), "2시간 전");
        assert_eq!(ago(3 * 86_400), "3일 전");
        assert_eq!(ago(30 * 86_400), "2026.10.25");
    }

    #[test]
    fn korean_date_format() {
        assert_eq!(
            korean_date(NaiveDate::from_ymd_opt(2001, 3, 5).unwrap()),
            "2001년 3월 5일"
        );
    }

    #[test]
    fn korean_datetime_is_in_korean_time() {
        let at = DateTime::parse_from_rfc3339("2026-12-03T15:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(korean_datetime(at), "12월 4일 00:05");
    }
}
