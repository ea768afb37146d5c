//! The demo catalogue: real Korean books, facts only (see `server::seed`).

use chrono::NaiveDate;

use crate::server::db::Tx;

/// Facts only (ISBN, title, author, publisher, date); checksums verified by a test.
pub const DEMO_BOOKS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/seed/books.tsv"));

pub struct DemoBook<'a> {
    pub isbn13: &'a str,
    pub title: &'a str,
    pub author: &'a str,
    pub publisher: &'a str,
    pub published_on: Option<NaiveDate>,
    /// Category names from the root, "/"-separated ("문학/한국문학").
    pub category_path: &'a str,
}

pub fn demo_books() -> impl Iterator<Item = DemoBook<'static>> {
    DEMO_BOOKS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 6).then(|| DemoBook {
                isbn13: cols[0],
                title: cols[1],
                author: cols[2],
                publisher: cols[3],
                published_on: NaiveDate::parse_from_str(cols[4], "%Y-%m-%d").ok(),
                category_path: cols[5],
            })
        })
}

/// Walks "문학/한국문학" down the category tree by name.
pub async fn category_id_by_path(tx: &mut Tx<'_>, path: &str) -> anyhow::Result<Option<u32>> {
    let mut parent: Option<u32> = None;
    for name in path.split('/') {
        let id = sqlx::query_scalar!(
            "SELECT id FROM category WHERE parent_id <=> ? AND name = ?",
            parent,
            name
        )
        .fetch_optional(&mut **tx)
        .await?;
        match id {
            Some(id) => parent = Some(id),
            None => anyhow::bail!("demo book filed under unknown category {path}"),
        }
    }
    Ok(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_book_has_a_valid_isbn13_and_a_date() {
        let books: Vec<_> = demo_books().collect();
        assert!(books.len() >= 30, "a few dozen books, got {}", books.len());
        for b in &books {
            let digits: Vec<u32> = b.isbn13.chars().filter_map(|c| c.to_digit(10)).collect();
            assert_eq!(digits.len(), 13, "{}", b.isbn13);
            let sum: u32 = digits[..12]
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum();
            assert_eq!(
                (10 - sum % 10) % 10,
                digits[12],
                "checksum of {} {}",
                b.isbn13,
                b.title
            );
            assert!(b.published_on.is_some(), "{}", b.title);
            assert!(!b.category_path.is_empty(), "{}", b.title);
        }
        let mut isbns: Vec<_> = books.iter().map(|b| b.isbn13).collect();
        isbns.sort();
        isbns.dedup();
        assert_eq!(isbns.len(), books.len(), "duplicate ISBN");
    }
}
