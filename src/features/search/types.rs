//! A search as the URL and the server function carry it.

use serde::{Deserialize, Serialize};

use crate::features::listings::types::{Condition, ListingCard};

pub const PAGE_SIZE: u32 = 20;
/// Query words beyond this many add little and cost a lookup each.
pub const MAX_QUERY_TERMS: usize = 8;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
}

impl Sort {
    pub fn label(&self) -> &'static str {
        match self {
            Sort::Newest => "최신순",
            Sort::PriceAsc => "낮은 가격순",
            Sort::PriceDesc => "높은 가격순",
        }
    }
}

/// Where the next page starts: the last card's sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub id: u64,
    pub price: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchParams {
    /// Words, or an ISBN (10 or 13 digits, hyphens allowed).
    pub q: String,
    /// This category and everything under it.
    pub category: Option<u32>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// Publication years, inclusive.
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub condition: Option<Condition>,
    pub parcel: bool,
    pub meet: bool,
    pub sort: Sort,
    pub after: Option<Cursor>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub items: Vec<ListingCard>,
    /// Present when there may be more.
    pub next: Option<Cursor>,
    /// When nothing matched: the title of the book that shares most of the query's
    /// terms (a typo, a wrong particle), to search for instead.
    pub suggestion: Option<String>,
}
