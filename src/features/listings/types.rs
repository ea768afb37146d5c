use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// 상 / 중 / 하.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Good,
    Fair,
    Poor,
}

impl Condition {
    pub fn label(&self) -> &'static str {
        match self {
            Condition::Good => "상",
            Condition::Fair => "중",
            Condition::Poor => "하",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "good" => Some(Condition::Good),
            "fair" => Some(Condition::Fair),
            "poor" => Some(Condition::Poor),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    OnSale,
    Reserved,
    Sold,
}

impl ListingStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ListingStatus::OnSale => "판매중",
            ListingStatus::Reserved => "예약중",
            ListingStatus::Sold => "판매완료",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "on_sale" => Some(ListingStatus::OnSale),
            "reserved" => Some(ListingStatus::Reserved),
            "sold" => Some(ListingStatus::Sold),
            _ => None,
        }
    }
}

/// One listing as a card in a feed or result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: u64,
    pub title: String,
    pub author: String,
    pub publisher: String,
    /// Whole won.
    pub price: i64,
    pub condition: Condition,
    pub status: ListingStatus,
    pub parcel: bool,
    pub meet: bool,
    pub meet_label: Option<String>,
    pub seller_nickname: String,
    pub created_at: DateTime<Utc>,
}

/// How many cards the home feed shows.
pub const HOME_FEED_SIZE: u32 = 24;
/// Longest search text accepted (characters).
pub const MAX_QUERY_CHARS: usize = 100;
