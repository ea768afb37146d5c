//! Notice queries. Times come from the app clock.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use crate::error::AppResult;
use crate::features::listings::types::ListingStatus;
use crate::features::notifications::types::{
    Notice, NoticeCursor, NoticeKind, NoticePage, NoticeSetting, PAGE_SIZE,
};
use crate::ui::format::won;

/// A notice to raise.
pub struct NewNotice<'a> {
    pub member_id: u64,
    pub kind: NoticeKind,
    /// Which event of the subject ("paid", "shipped"); '' when a subject has one notice.
    pub event: &'a str,
    pub subject_id: u64,
    pub body: &'a str,
    pub link: &'a str,
}

/// Raises a notice in the caller's transaction, unless the member turned its kind off.
/// Once per (member, kind, subject, event): a step run again raises nothing new.
pub async fn raise(
    tx: &mut Transaction<'_, MySql>,
    n: &NewNotice<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let body: String = n.body.chars().take(200).collect();
    sqlx::query!(
        "INSERT INTO notification (member_id, kind, event, subject_id, body, link, created_at)
         SELECT ?, ?, ?, ?, ?, ?, ? FROM DUAL
         WHERE NOT EXISTS (SELECT 1 FROM notification_setting
                           WHERE member_id = ? AND kind = ? AND NOT enabled)
         ON DUPLICATE KEY UPDATE id = id",
        n.member_id,
        n.kind.as_db(),
        n.event,
        n.subject_id,
        body,
        n.link,
        now.naive_utc(),
        n.member_id,
        n.kind.as_db(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What changed on a wished listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WishChange {
    Price {
        from: i64,
        to: i64,
    },
    Status(ListingStatus),
    /// Taken down (by the seller or an admin).
    Removed,
}

impl WishChange {
    /// One notice per listing for its price and one for its status, each refreshed by
    /// the next change of its kind: a wisher sees where things stand, not every step.
    fn event(self) -> &'static str {
        match self {
            Self::Price { .. } => "price",
            Self::Status(_) | Self::Removed => "status",
        }
    }

    pub fn body(self, title: &str) -> String {
        let t: String = title.chars().take(30).collect();
        match self {
            Self::Price { from, to } if to < from => format!(
                "찜한 〈{t}〉 가격이 {}에서 {}으로 내렸어요.",
                won(from),
                won(to)
            ),
            Self::Price { from, to } => format!(
                "찜한 〈{t}〉 가격이 {}에서 {}으로 올랐어요.",
                won(from),
                won(to)
            ),
            Self::Status(ListingStatus::OnSale) => format!("찜한 〈{t}〉이(가) 다시 판매중이에요."),
            Self::Status(ListingStatus::Reserved) => format!("찜한 〈{t}〉이(가) 예약중이 됐어요."),
            Self::Status(ListingStatus::Sold) => format!("찜한 〈{t}〉이(가) 판매완료됐어요."),
            Self::Removed => format!("찜한 〈{t}〉 판매글이 내려갔어요."),
        }
    }
}

/// Tells everyone who wished `listing_id` of `change`, in the caller's transaction
/// (one statement however many wished it; the change and its notices commit together).
pub async fn tell_wishers(
    tx: &mut Transaction<'_, MySql>,
    listing_id: u64,
    change: WishChange,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let title = sqlx::query_scalar!(
        "SELECT b.title FROM listing l JOIN book b ON b.id = l.book_id WHERE l.id = ?",
        listing_id
    )
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or_default();
    let body = change.body(&title);
    let link = format!("/listings/{listing_id}");
    let told = sqlx::query!(
        "INSERT INTO notification (member_id, kind, event, subject_id, body, link, created_at)
         SELECT w.member_id, 'wish', ?, ?, ?, ?, ? FROM wish w
         WHERE w.listing_id = ?
           AND NOT EXISTS (SELECT 1 FROM notification_setting s
                           WHERE s.member_id = w.member_id AND s.kind = 'wish' AND NOT s.enabled)
         ON DUPLICATE KEY UPDATE body = VALUES(body), created_at = VALUES(created_at),
                                 read_at = NULL",
        change.event(),
        listing_id,
        body,
        link,
        now.naive_utc(),
        listing_id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(told)
}

/// Tells the members whose wanted alerts `listing_id` matched (its hits, stored in the
/// same transaction just before), once per member however many of their alerts matched.
pub async fn tell_wanted(
    tx: &mut Transaction<'_, MySql>,
    listing_id: u64,
    title: &str,
    price: i64,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let t: String = title.chars().take(30).collect();
    let body = format!("찾던 책 〈{t}〉이(가) {}에 올라왔어요.", won(price));
    let link = format!("/listings/{listing_id}");
    let told = sqlx::query!(
        "INSERT INTO notification (member_id, kind, event, subject_id, body, link, created_at)
         SELECT DISTINCT h.member_id, 'wanted', '', ?, ?, ?, ? FROM wanted_hit h
         WHERE h.listing_id = ?
           AND NOT EXISTS (SELECT 1 FROM notification_setting s
                           WHERE s.member_id = h.member_id AND s.kind = 'wanted' AND NOT s.enabled)
         ON DUPLICATE KEY UPDATE id = id",
        listing_id,
        body,
        link,
        now.naive_utc(),
        listing_id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(told)
}

/// The most members a fan-out's live nudge reaches (the rest see it on their next page).
const LIVE_FANOUT: u32 = 2000;

/// Who wished `listing_id`, for the live nudge after a change is committed.
pub async fn wishers(pool: &MySqlPool, listing_id: u64) -> AppResult<Vec<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT member_id FROM wish WHERE listing_id = ? LIMIT ?",
        listing_id,
        LIVE_FANOUT
    )
    .fetch_all(pool)
    .await?)
}

/// Whose wanted alerts `listing_id` matched.
pub async fn wanted_by(pool: &MySqlPool, listing_id: u64) -> AppResult<Vec<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT DISTINCT member_id FROM wanted_hit WHERE listing_id = ? LIMIT ?",
        listing_id,
        LIVE_FANOUT
    )
    .fetch_all(pool)
    .await?)
}

struct Row {
    id: u64,
    kind: String,
    body: String,
    link: String,
    created_at: chrono::NaiveDateTime,
    read: bool,
}

/// Newest first, `PAGE_SIZE` at a time, after `before` (keyset: no OFFSET).
pub async fn page(
    pool: &MySqlPool,
    member_id: u64,
    before: Option<NoticeCursor>,
) -> AppResult<NoticePage> {
    // One past the page says whether there is another.
    let limit = PAGE_SIZE + 1;
    // The first page has no cursor; later ones continue below the last shown.
    let rows = match before {
        None => {
            sqlx::query_as!(
                Row,
                "SELECT id, kind AS `kind: String`, body, link, created_at,
                        read_at IS NOT NULL AS `read: bool`
                 FROM notification
                 WHERE member_id = ?
                 ORDER BY created_at DESC, id DESC
                 LIMIT ?",
                member_id,
                limit
            )
            .fetch_all(pool)
            .await?
        }
        Some(c) => {
            let at = c.at.naive_utc();
            sqlx::query_as!(
                Row,
                "SELECT id, kind AS `kind: String`, body, link, created_at,
                        read_at IS NOT NULL AS `read: bool`
                 FROM notification
                 WHERE member_id = ? AND (created_at < ? OR (created_at = ? AND id < ?))
                 ORDER BY created_at DESC, id DESC
                 LIMIT ?",
                member_id,
                at,
                at,
                c.id,
                limit
            )
            .fetch_all(pool)
            .await?
        }
    };
    let mut items: Vec<Notice> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Notice {
                id: r.id,
                kind: NoticeKind::from_db(&r.kind)?,
                body: r.body,
                link: r.link,
                at: r.created_at.and_utc(),
                read: r.read,
            })
        })
        .collect();
    let next = if items.len() > PAGE_SIZE as usize {
        items.truncate(PAGE_SIZE as usize);
        items.last().map(|n| NoticeCursor { at: n.at, id: n.id })
    } else {
        None
    };
    Ok(NoticePage { items, next })
}

pub async fn unread(pool: &MySqlPool, member_id: u64) -> AppResult<u32> {
    let n = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM notification WHERE member_id = ? AND read_at IS NULL",
        member_id
    )
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Marks the member's own notice read; false when it is not theirs (or not there).
pub async fn mark_read(
    pool: &MySqlPool,
    member_id: u64,
    id: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let found = sqlx::query_scalar!(
        "SELECT 1 AS `x: i32` FROM notification WHERE id = ? AND member_id = ?",
        id,
        member_id
    )
    .fetch_optional(pool)
    .await?;
    if found.is_none() {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE notification SET read_at = ? WHERE id = ? AND member_id = ? AND read_at IS NULL",
        now.naive_utc(),
        id,
        member_id
    )
    .execute(pool)
    .await?;
    Ok(true)
}

pub async fn mark_all_read(pool: &MySqlPool, member_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE notification SET read_at = ? WHERE member_id = ? AND read_at IS NULL",
        now.naive_utc(),
        member_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Every switchable kind with the member's choice (on unless turned off).
pub async fn settings(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<NoticeSetting>> {
    let off: Vec<String> = sqlx::query_scalar!(
        "SELECT kind AS `kind: String` FROM notification_setting
         WHERE member_id = ? AND NOT enabled",
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(NoticeKind::SWITCHABLE
        .into_iter()
        .map(|kind| NoticeSetting {
            kind,
            enabled: !off.iter().any(|k| k == kind.as_db()),
        })
        .collect())
}

pub async fn set(
    pool: &MySqlPool,
    member_id: u64,
    kind: NoticeKind,
    enabled: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "INSERT INTO notification_setting (member_id, kind, enabled, updated_at)
         VALUES (?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), updated_at = VALUES(updated_at)",
        member_id,
        kind.as_db(),
        enabled,
        now.naive_utc()
    )
    .execute(pool)
    .await?;
    Ok(())
}
