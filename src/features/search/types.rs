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
    /// Most trusted sellers first (bread grade), newest among equals.
    Trust,
    /// Nearest meet place first; needs the searcher's position (`near`).
    Distance,
}

impl Sort {
    pub fn label(&self) -> &'static str {
        match self {
            Sort::Newest => "최신순",
            Sort::PriceAsc => "낮은 가격순",
            Sort::PriceDesc => "높은 가격순",
            Sort::Trust => "신뢰도순",
            Sort::Distance => "가까운 순",
        }
    }
}

/// Where the next page starts: the last card's sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub id: u64,
    pub price: i64,
    /// The seller's trust score, for the trust sort.
    #[serde(default)]
    pub trust: u16,
    /// Whole metres from the searcher, for the distance sort.
    #[serde(default)]
    pub distance_m: u32,
}

/// Where the searcher is (from the browser), in millionths of a degree (~0.1 m) so a
/// search stays comparable and hashable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Near {
    pub lat_e6: i32,
    pub lng_e6: i32,
}

impl Near {
    /// Only places on Earth (and the URL may carry anything).
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then(|| Near {
            lat_e6: (lat * 1e6).round() as i32,
            lng_e6: (lng * 1e6).round() as i32,
        })
    }
    pub fn lat(&self) -> f64 {
        f64::from(self.lat_e6) / 1e6
    }
    pub fn lng(&self) -> f64 {
        f64::from(self.lng_e6) / 1e6
    }
}

/// How far the distance sort looks: meet places within this many km.
pub const NEAR_RADIUS_KM: f64 = 50.0;

/// "350m", "1.2km", "12km".
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_like_a_map_app() {
        assert_eq!(distance_label(0), "0m");
        assert_eq!(distance_label(357), "350m");
        assert_eq!(distance_label(1234), "1.2km");
        assert_eq!(distance_label(9_960), "10.0km");
        assert_eq!(distance_label(12_345), "12km");
        assert!(Near::new(91.0, 0.0).is_none());
        let n = Near::new(37.5551, 126.9368).unwrap();
        assert_eq!((n.lat_e6, n.lng_e6), (37_555_100, 126_936_800));
    }
}

/// "350m", "1.2km", "12km".
pub fn distance_label(metres: u32) -> String {
    match metres {
        0..1000 => format!("{}m", metres / 10 * 10),
        1000..10_000 => format!("{:.1}km", f64::from(metres) / 1000.0),
        _ => format!("{}km", metres / 1000),
    }
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
    /// Sellers of at least this bread grade (1–5).
    pub min_grade: Option<u8>,
    /// The searcher's position: cards get a distance, and `Sort::Distance` works.
    pub near: Option<Near>,
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
    /// The query these results are for, when it is not the one typed: a word no title
    /// has, corrected ("파이선" → "파이썬"), or spaces taken out when nothing else matched.
    pub searched_instead: Option<String>,
}
