use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::features::chat::types::ReportReason;

/// Reported messages per page of the admin queue.
pub const REPORT_QUEUE_PAGE: u32 = 20;

/// How far back "reports against this member lately" looks.
pub const SENDER_REPORT_WINDOW_DAYS: i64 = 90;

/// One open report, as the admin queue shows it. A message is reported at most once:
/// only the other participant of its 1:1 room can report it, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedMessage {
    pub message_id: u64,
    pub sender_id: u64,
    pub sender_nickname: String,
    /// Empty once the sender deleted it (then `deleted`).
    pub body: String,
    pub deleted: bool,
    pub sent_at: DateTime<Utc>,
    pub reason: ReportReason,
    pub reported_at: DateTime<Utc>,
    pub reporter_nickname: String,
    /// Reports against the sender in the last `SENDER_REPORT_WINDOW_DAYS` days, this one
    /// included, handled or not: a repeat offender stands out.
    pub sender_recent_reports: u32,
    /// The reporter's earlier reports that admins dismissed: a guard against false reports.
    pub reporter_dismissed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQueue {
    pub items: Vec<ReportedMessage>,
    /// Pass back as `before` for the next (older) page.
    pub next: Option<u64>,
}

/// What an admin does with a reported message: every open report on it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportOutcome {
    /// The message is erased for both participants ("삭제됨").
    Deleted,
    /// Nothing wrong with it.
    Dismissed,
}

impl ReportOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deleted => "deleted",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Deleted, Self::Dismissed]
            .into_iter()
            .find(|o| o.as_str() == value)
    }
}
