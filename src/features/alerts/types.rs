use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::features::listings::types::ListingCard;

/// How many alerts a member may keep.
pub const MAX_ALERTS: i64 = 30;

/// One saved alert as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    /// The search as typed, or the ISBN.
    pub label: String,
    pub isbn13: Option<String>,
    pub query: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Matching listings not yet seen.
    pub unseen: u32,
}

/// A listing that matched one of the member's alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertHit {
    pub alert_id: u64,
    pub alert_label: String,
    pub seen: bool,
    pub matched_at: DateTime<Utc>,
    pub card: ListingCard,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsPage {
    pub alerts: Vec<Alert>,
    /// Newest first.
    pub hits: Vec<AlertHit>,
}
