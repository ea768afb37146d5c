use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::features::chat::types::ReportReason;
use crate::features::listings::types::{ListingStatus, ReportReason as ListingReportReason};

/// Reported messages per page of the admin queue.
pub const REPORT_QUEUE_PAGE: u32 = 20;

/// How far back "reports against this member lately" looks.
pub const SENDER_REPORT_WINDOW_DAYS: i64 = 90;

/// The report rule (CHAT_004: "repeated reports restrict the offender automatically;
/// guard against false reports"): a member whose chat messages were reported by this
/// many different members within `AUTO_RESTRICT_WINDOW_DAYS` may not send chat messages
/// for a while. Guards: one reporter counts once however many messages they report
/// (a 1:1 room has one other member, so one angry buyer cannot do it alone); reports an
/// admin dismissed do not count; nor do reporters with `UNTRUSTED_REPORTER_DISMISSALS`
/// dismissed reports; reports that already led to a restriction do not count again; and
/// dismissing enough of the reports behind an automatic restriction lifts it.
pub const AUTO_RESTRICT_REPORTERS: u32 = 3;
pub const AUTO_RESTRICT_WINDOW_DAYS: i64 = 7;
pub const UNTRUSTED_REPORTER_DISMISSALS: u32 = 2;
/// A first automatic restriction lasts a day; another within `REPEAT_WINDOW_DAYS` of the
/// previous one, a week.
pub const FIRST_RESTRICTION_HOURS: i64 = 24;
pub const REPEAT_RESTRICTION_HOURS: i64 = 24 * 7;
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// Who imposed a restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionSource {
    /// The report rule, on its own.
    Reports,
    Admin,
}

impl SanctionSource {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "reports" => Some(Self::Reports),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A member who may not send chat messages now, as admins see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRestriction {
    pub id: u64,
    pub member_id: u64,
    pub nickname: String,
    pub source: SanctionSource,
    /// The distinct reporters counted when the rule imposed it.
    pub reporters: u32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// A chat restriction, or an admin's suspension or ban (which stop chat too).
    pub kind: RestrictionKind,
    pub reason: String,
}

/// What keeps a member from chatting now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    Chat,
    Suspend,
    Ban,
}

impl RestrictionKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "chat" => Some(Self::Chat),
            "suspend" => Some(Self::Suspend),
            "ban" => Some(Self::Ban),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Chat => "채팅 제한",
            Self::Suspend => "이용 정지",
            Self::Ban => "영구 정지",
        }
    }
}

/// What an admin does to a member who broke the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SanctionKind {
    /// Told, and kept on their record; nothing is stopped.
    Warn,
    /// No selling, buying or chatting for some days; browsing and the account stay.
    Suspend,
    /// No signing in at all, until an admin lifts it.
    Ban,
}

impl SanctionKind {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Suspend => "suspend",
            Self::Ban => "ban",
        }
    }
}

/// The suspension lengths an admin picks from.
pub const SUSPEND_DAYS: [u32; 3] = [3, 7, 30];
pub const MAX_SANCTION_REASON_CHARS: usize = 300;

/// What a suspended member is told when they try to sell, buy or open a chat.
pub fn suspended_message(until: DateTime<Utc>) -> String {
    format!(
        "운영 정책 위반으로 {}까지 판매·구매·채팅을 할 수 없어요. 사유는 알림에서 볼 수 있어요.",
        crate::ui::format::korean_datetime(until)
    )
}

/// What a banned member is told when they try to sign in.
pub fn banned_message(reason: &str) -> String {
    format!("운영 정책 위반으로 이용이 정지된 계정이에요. 사유: {reason}")
}

/// The most active restrictions the admin page lists (soonest to end first).
pub const RESTRICTIONS_SHOWN: u32 = 100;

/// What a member who may not chat now is told, in the composer and when a send is
/// refused (the notice they got says why).
pub fn chat_blocked_message(until: DateTime<Utc>) -> String {
    format!(
        "이용이 제한되어 {}까지 채팅 메시지를 보낼 수 없어요.",
        crate::ui::format::korean_datetime(until)
    )
}

/// What the report rule's notice tells the restricted member.
pub fn restricted_message(until: DateTime<Utc>) -> String {
    format!(
        "신고가 여러 번 접수되어 {}까지 채팅 메시지를 보낼 수 없어요.",
        crate::ui::format::korean_datetime(until)
    )
}

/// One open report, as the admin queue shows it. A message is reported at most once:
/// only the other participant of its 1:1 room can report it, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedMessage {
    pub message_id: u64,
    pub sender_id: u64,
    pub sender_nickname: String,
    /// The text as it was reported (kept with the report).
    pub body: String,
    /// The sender erased it from the room since.
    pub deleted: bool,
    /// Both members left and the room is gone; the report stays.
    pub room_gone: bool,
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

/// Listings per page of the admin's listing-report queue.
pub const LISTING_QUEUE_PAGE: u32 = 20;

/// What an admin does with a reported listing: every open report on it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingReportOutcome {
    /// Taken down; the seller is told why, the reporters that it was.
    Removed,
    /// Nothing against the rules; the reporters are told so.
    Dismissed,
}

impl ListingReportOutcome {
    pub fn as_db(self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::Dismissed => "dismissed",
        }
    }
}

/// One member's report of a listing, as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingReportLine {
    pub reason: ListingReportReason,
    pub detail: String,
    pub reporter_nickname: String,
    /// The reporter's earlier reports (of listings or messages) that admins dismissed.
    pub reporter_dismissed: u32,
    pub at: DateTime<Utc>,
}

/// A listing with open reports, with what the admin needs to judge it: the listing as
/// buyers see it and the seller's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedListing {
    pub listing_id: u64,
    pub title: String,
    pub author: String,
    pub price: i64,
    /// None: the seller took it down meanwhile (the reports still need closing).
    pub status: Option<ListingStatus>,
    pub description: String,
    pub cover_photo: Option<String>,
    pub seller_id: u64,
    pub seller_nickname: String,
    pub seller_joined: DateTime<Utc>,
    /// The seller's other listings admins took down after reports.
    pub seller_removed_before: u32,
    /// Open reports on the seller's other listings.
    pub seller_other_open: u32,
    /// Open reports on this listing, oldest first.
    pub reports: Vec<ListingReportLine>,
}

/// Where the next page of the queue starts: the last listing shown (oldest report first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingQueueCursor {
    pub at: DateTime<Utc>,
    pub listing_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingReportQueue {
    pub items: Vec<ReportedListing>,
    pub next: Option<ListingQueueCursor>,
}

/// What an admin did, as the audit log keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    ChatMessageDeleted,
    ChatReportDismissed,
    RestrictionLifted,
    BannedWordAdded,
    BannedWordRemoved,
    ListingRemoved,
    ListingReportDismissed,
    /// An admin edited someone else's listing.
    ListingEdited,
    /// An admin changed someone else's listing's status.
    ListingStatusSet,
    MemberWarned,
    MemberSuspended,
    MemberBanned,
}

impl AuditAction {
    pub const ALL: [Self; 12] = [
        Self::ChatMessageDeleted,
        Self::ChatReportDismissed,
        Self::RestrictionLifted,
        Self::BannedWordAdded,
        Self::BannedWordRemoved,
        Self::ListingRemoved,
        Self::ListingReportDismissed,
        Self::ListingEdited,
        Self::ListingStatusSet,
        Self::MemberWarned,
        Self::MemberSuspended,
        Self::MemberBanned,
    ];

    pub fn as_db(self) -> &'static str {
        match self {
            Self::ChatMessageDeleted => "chat_message_deleted",
            Self::ChatReportDismissed => "chat_report_dismissed",
            Self::RestrictionLifted => "restriction_lifted",
            Self::BannedWordAdded => "banned_word_added",
            Self::BannedWordRemoved => "banned_word_removed",
            Self::ListingRemoved => "listing_removed",
            Self::ListingReportDismissed => "listing_report_dismissed",
            Self::ListingEdited => "listing_edited",
            Self::ListingStatusSet => "listing_status_set",
            Self::MemberWarned => "member_warned",
            Self::MemberSuspended => "member_suspended",
            Self::MemberBanned => "member_banned",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_db() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ChatMessageDeleted => "신고된 메시지 삭제",
            Self::ChatReportDismissed => "메시지 신고 기각",
            Self::RestrictionLifted => "채팅 제한 해제",
            Self::BannedWordAdded => "금지어 추가",
            Self::BannedWordRemoved => "금지어 삭제",
            Self::ListingRemoved => "신고된 판매글 내림",
            Self::ListingReportDismissed => "판매글 신고 기각",
            Self::ListingEdited => "다른 회원의 판매글 수정",
            Self::ListingStatusSet => "다른 회원의 판매글 상태 변경",
            Self::MemberWarned => "회원 경고",
            Self::MemberSuspended => "회원 이용 정지",
            Self::MemberBanned => "회원 영구 정지",
        }
    }

    /// What the target id names (kept beside it, so one thing's history is one range).
    pub fn target_kind(self) -> &'static str {
        match self {
            Self::ChatMessageDeleted | Self::ChatReportDismissed => "chat_message",
            Self::RestrictionLifted => "sanction",
            Self::BannedWordAdded | Self::BannedWordRemoved => "banned_word",
            Self::ListingRemoved
            | Self::ListingReportDismissed
            | Self::ListingEdited
            | Self::ListingStatusSet => "listing",
            Self::MemberWarned | Self::MemberSuspended | Self::MemberBanned => "member",
        }
    }

    /// The page the entry's target is on, when it has one.
    pub fn target_link(self, target_id: u64) -> Option<String> {
        match self {
            Self::ListingRemoved
            | Self::ListingReportDismissed
            | Self::ListingEdited
            | Self::ListingStatusSet => Some(format!("/listings/{target_id}")),
            Self::MemberWarned | Self::MemberSuspended | Self::MemberBanned => {
                Some(format!("/sellers/{target_id}"))
            }
            _ => None,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    pub admin_nickname: String,
    pub action: AuditAction,
    pub target_id: u64,
    pub detail: String,
    pub at: DateTime<Utc>,
}

pub const AUDIT_PAGE: u32 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass back as `before` for older entries.
    pub next: Option<u64>,
}

/// How many days the dashboard's chart covers, today (KST) included.
pub const STATS_DAYS: u32 = 30;

/// One day (KST) of the marketplace, for the dashboard's chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStats {
    pub day: chrono::NaiveDate,
    pub signups: u32,
    pub listings: u32,
    /// Orders placed that day.
    pub orders: u32,
    /// 거래액: the amounts of that day's orders that went through (paid, or agreed for a
    /// direct deal), not cancelled or let lapse.
    pub gmv: i64,
}
