//! Property tests for every parser and validator of user input: whatever is typed, they
//! answer (never panic), what they accept keeps their own rules, and what they return is
//! accepted again unchanged.

use bread_book::features::accounts::types::{Email, LoginId, Nickname, PersonName};
use bread_book::features::catalog::types::Isbn13;
use bread_book::features::chat::types::{MAX_MESSAGE_CHARS, fold_for_filter, validate_body};
use bread_book::features::listings::types::{MAX_PRICE, MIN_PRICE, parse_price};
use bread_book::features::orders::types::{AddressInput, normalize_phone};
use bread_book::features::search::tokens;
use proptest::prelude::*;

/// Anything a person or a script might send: printable text, Korean, markup and SQL
/// fragments, controls, bidi overrides, zero-width characters and 4-byte emoji.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 ,\\-원xX]{0,20}",
        "[a-zA-Z0-9_.@+\\-가-힣 ]{0,40}",
        "(<script>|</title>|' OR 1=1 --|\\u{202e}|\\u{200b}|\\u{feff}|🙂|𝕏|\\x00|\\n|ㅅ|ㅏ|ㄹ|[가-힣a-z0-9]){0,30}",
    ]
}

proptest! {
    #[test]
    fn isbn(raw in typed()) {
        if let Ok(isbn) = Isbn13::parse(&raw) {
            let s = isbn.as_str();
            prop_assert_eq!(s.len(), 13);
            prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
            prop_assert!(s.starts_with("978") || s.starts_with("979"));
            prop_assert_eq!(Isbn13::parse(s).map(|v| v.as_str().to_owned()), Ok(s.to_owned()));
        }
    }

    #[test]
    fn every_valid_isbn_is_accepted_with_or_without_hyphens(body in "97[89][0-9]{9}") {
        let sum: u32 = body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 1 { 3 } else { 1 }).sum();
        let full = format!("{body}{}", (10 - sum % 10) % 10);
        prop_assert_eq!(Isbn13::parse(&full).map(|v| v.as_str().to_owned()), Ok(full.as_str().to_owned()));
        let hyphenated = format!("{}-{}-{}", &full[..3], &full[3..8], &full[8..]);
        prop_assert_eq!(Isbn13::parse(&hyphenated).map(|v| v.as_str().to_owned()), Ok(full.as_str().to_owned()));
    }

    #[test]
    fn price(raw in typed()) {
        if let Ok(p) = parse_price(&raw) {
            prop_assert!((MIN_PRICE..=MAX_PRICE).contains(&p));
        }
    }

    #[test]
    fn every_price_in_range_reads_back(p in MIN_PRICE..=MAX_PRICE) {
        prop_assert_eq!(parse_price(&p.to_string()), Ok(p));
        let grouped = p.to_string().as_bytes().rchunks(3).rev()
            .map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
        prop_assert_eq!(parse_price(&format!("{grouped}원")), Ok(p));
    }

    #[test]
    fn login_id(raw in typed()) {
        if let Ok(id) = LoginId::parse(&raw) {
            let s = id.as_str();
            prop_assert!((6..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
            prop_assert_eq!(LoginId::parse(s).map(|v| v.as_str().to_owned()), Ok(s.to_owned()));
        }
    }

    #[test]
    fn nickname_and_name(raw in typed()) {
        if let Ok(n) = Nickname::parse(&raw) {
            let s = n.as_str();
            prop_assert!((2..=12).contains(&s.chars().count()));
            prop_assert!(!s.contains(['<', '>', '&', '"', '\'']));
            prop_assert_eq!(Nickname::parse(s).map(|v| v.as_str().to_owned()), Ok(s.to_owned()));
        }
        if let Ok(n) = PersonName::parse(&raw) {
            prop_assert_eq!(PersonName::parse(n.as_str()).map(|v| v.as_str().to_owned()), Ok(n.as_str().to_owned()));
        }
    }

    #[test]
    fn email(raw in typed()) {
        if let Ok(e) = Email::parse(&raw) {
            let s = e.as_str();
            prop_assert!(s.len() <= 254 && s.contains('@') && s.is_ascii());
            prop_assert_eq!(s, s.to_ascii_lowercase());
            prop_assert_eq!(Email::parse(s).map(|v| v.as_str().to_owned()), Ok(s.to_owned()));
        }
    }

    #[test]
    fn chat_text(raw in typed()) {
        if let Ok(body) = validate_body(&raw) {
            let n = body.chars().count();
            prop_assert!((1..=MAX_MESSAGE_CHARS).contains(&n));
            let no_controls = !body.contains(['\u{202e}', '\u{0000}']);
            prop_assert!(no_controls);
            prop_assert_eq!(validate_body(&body), Ok(body.clone()));
        }
        // The banned-word fold never panics and settles after one pass.
        let folded = fold_for_filter(&raw);
        prop_assert_eq!(fold_for_filter(&folded), folded);
    }

    #[test]
    fn phone(raw in typed()) {
        if let Ok(p) = normalize_phone(&raw) {
            prop_assert!(p.starts_with('0'));
            prop_assert_eq!(normalize_phone(&p), Ok(p.clone()));
        }
    }

    #[test]
    fn address(recipient in typed(), phone in typed(), postcode in "[0-9]{5}|.{0,8}", line1 in typed(), line2 in typed()) {
        let input = AddressInput { recipient, phone, postcode, address1: line1, address2: line2 };
        if let Ok(clean) = input.validate() {
            let one_line = !clean.address1.contains(['\n', '\u{202e}']);
            prop_assert!(one_line);
            prop_assert_eq!(clean.validate(), Ok(clean.clone()));
        }
    }

    #[test]
    fn search_terms(raw in typed()) {
        for term in tokens::query_terms(&raw).into_iter().chain(tokens::document_terms(&raw)) {
            prop_assert!(!term.is_empty());
        }
    }
}
