//! ISBN rules and catalog types, shared by the browser (feedback while typing or after
//! a barcode scan) and the server.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A checked ISBN-13. ISBN-10 input is converted (978 prefix, new check digit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Isbn13(String);

impl Isbn13 {
    /// Accepts ISBN-13 or ISBN-10 with or without hyphens/spaces ("89-364-3359-9",
    /// "978-89-364-3359-8", "8936433599").
    pub fn parse(raw: &str) -> Result<Self, String> {
        let cleaned: String = raw
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
            .collect::<String>()
            .to_ascii_uppercase();
        if cleaned.is_empty() {
            return Err("ISBN을 입력해 주세요.".into());
        }
        // Lengths below are in bytes: anything non-ASCII is not an ISBN (and must not be
        // sliced mid-character).
        if !cleaned.is_ascii() {
            return Err("ISBN은 숫자 10자리 또는 13자리입니다.".into());
        }
        match cleaned.len() {
            13 => {
                if !cleaned.chars().all(|c| c.is_ascii_digit()) {
                    return Err("ISBN-13은 숫자 13자리입니다.".into());
                }
                if !(cleaned.starts_with("978") || cleaned.starts_with("979")) {
                    return Err("ISBN-13은 978 또는 979로 시작합니다.".into());
                }
                if isbn13_check_digit(&cleaned[..12]) != cleaned.as_bytes()[12] - b'0' {
                    return Err("ISBN 검증 숫자가 맞지 않습니다. 번호를 다시 확인해 주세요.".into());
                }
                Ok(Self(cleaned))
            }
            10 => {
                let (body, check) = cleaned.split_at(9);
                if !body.chars().all(|c| c.is_ascii_digit())
                    || !check.chars().all(|c| c.is_ascii_digit() || c == 'X')
                {
                    return Err("ISBN-10은 숫자 9자리와 검증 숫자(0-9 또는 X)입니다.".into());
                }
                let sum: u32 = body
                    .bytes()
                    .enumerate()
                    .map(|(i, b)| (10 - i as u32) * u32::from(b - b'0'))
                    .sum();
                let expected = (11 - sum % 11) % 11;
                let given = if check == "X" {
                    10
                } else {
                    check.parse::<u32>().unwrap_or(99)
                };
                if expected != given {
                    return Err("ISBN 검증 숫자가 맞지 않습니다. 번호를 다시 확인해 주세요.".into());
                }
                let twelve = format!("978{body}");
                let digit = isbn13_check_digit(&twelve);
                Ok(Self(format!("{twelve}{digit}")))
            }
            _ => Err("ISBN은 10자리 또는 13자리 숫자입니다.".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// "978-89-364-3359-8"-style grouping is publisher-specific; this is the plain
    /// prefix-grouped form used in the UI ("978-8936433598").
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..3], &self.0[3..])
    }
}

/// The ISBN-13 check digit of its first twelve digits (ASCII digits only).
pub fn isbn13_check_digit(first12: &str) -> u8 {
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// What the catalog knows about a book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookInfo {
    pub isbn13: String,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub published_on: Option<NaiveDate>,
    pub cover_url: Option<String>,
}

/// One node of the category tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: u32,
    pub name: String,
    pub depth: u8,
    pub has_children: bool,
}

/// A category with its parent, for pickers that hold the whole (small) tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryNode {
    pub id: u32,
    pub parent_id: Option<u32>,
    pub name: String,
}

/// The search filter's category `<select>`: subjects and their fields, 대학교재 down
/// to majors (courses are too many for one list), each name indented by its level.
pub fn filter_options(nodes: &[CategoryNode]) -> Vec<(u32, String)> {
    fn walk(
        nodes: &[CategoryNode],
        parent: Option<u32>,
        level: usize,
        out: &mut Vec<(u32, String)>,
    ) {
        if level > 2 {
            return;
        }
        for n in nodes.iter().filter(|n| n.parent_id == parent) {
            out.push((n.id, format!("{}{}", "· ".repeat(level), n.name)));
            walk(nodes, Some(n.id), level + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(nodes, None, 0, &mut out);
    out
}

/// Longest title query sent to the catalog.
pub const MAX_TITLE_QUERY_CHARS: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_lists_three_levels_indented_in_tree_order() {
        let node = |id, parent_id, name: &str| CategoryNode {
            id,
            parent_id,
            name: name.to_owned(),
        };
        let tree = [
            node(1, None, "대학교재"),
            node(2, Some(1), "공과대학"),
            node(3, Some(2), "컴퓨터공학과"),
            node(4, Some(3), "자료구조"),
            node(5, None, "문학"),
        ];
        assert_eq!(
            filter_options(&tree),
            [
                (1, "대학교재".to_owned()),
                (2, "· 공과대학".to_owned()),
                (3, "· · 컴퓨터공학과".to_owned()),
                (5, "문학".to_owned()),
            ]
        );
    }

    #[test]
    fn korean_text_of_isbn_length_is_refused_not_sliced() {
        // "CODE클린" is 10 bytes: it once reached the ISBN-10 branch and panicked.
        assert!(Isbn13::parse("CODE클린").is_err());
        assert!(Isbn13::parse("자바스크립트완").is_err());
    }

    #[test]
    fn isbn13_with_and_without_hyphens() {
        assert_eq!(
            Isbn13::parse("9788936433598").unwrap().as_str(),
            "9788936433598"
        );
        assert_eq!(
            Isbn13::parse("978-89-364-3359-8").unwrap().as_str(),
            "9788936433598"
        );
        assert_eq!(
            Isbn13::parse(" 979 11 6224 188 2 ").unwrap().as_str(),
            "9791162241882"
        );
    }

    #[test]
    fn isbn10_is_converted_to_13() {
        // 미움받을 용기: ISBN-10 8996991341 → 9788996991342.
        assert_eq!(
            Isbn13::parse("8996991341").unwrap().as_str(),
            "9788996991342"
        );
        assert_eq!(
            Isbn13::parse("89-9699-134-1").unwrap().as_str(),
            "9788996991342"
        );
        // A check digit of X.
        assert_eq!(
            Isbn13::parse("080442957X").unwrap().as_str(),
            "9780804429573"
        );
        assert_eq!(
            Isbn13::parse("080442957x").unwrap().as_str(),
            "9780804429573"
        );
    }

    #[test]
    fn bad_checksums_and_shapes_are_rejected_in_korean() {
        assert!(
            Isbn13::parse("9788936433599")
                .unwrap_err()
                .contains("검증 숫자")
        );
        assert!(
            Isbn13::parse("8996991342")
                .unwrap_err()
                .contains("검증 숫자")
        );
        assert_eq!(Isbn13::parse("").unwrap_err(), "ISBN을 입력해 주세요.");
        assert_eq!(
            Isbn13::parse("12345").unwrap_err(),
            "ISBN은 10자리 또는 13자리 숫자입니다."
        );
        assert_eq!(
            Isbn13::parse("1234567890123").unwrap_err(),
            "ISBN-13은 978 또는 979로 시작합니다."
        );
        assert!(
            Isbn13::parse("97889364335A8")
                .unwrap_err()
                .contains("숫자 13자리")
        );
        assert!(Isbn13::parse("89969913X1").unwrap_err().contains("ISBN-10"));
    }

    #[test]
    fn display_form() {
        assert_eq!(
            Isbn13::parse("9788936433598").unwrap().display(),
            "978-8936433598"
        );
    }
}
