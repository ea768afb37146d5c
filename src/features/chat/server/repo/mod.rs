//! Chat storage. Each side of a room lives in its own columns (buyer_*, seller_*), so a
//! query names the caller's side with `IF(buyer_id = ?, …)` rather than joining a
//! participant table: the room list stays one index range per side. Rooms are here;
//! messages and reports have their own files.

mod messages;
mod reports;

pub use messages::*;
pub use reports::*;

use chrono::{DateTime, NaiveDateTime, Utc};

use sqlx::MySqlPool;

use crate::error::{AppError, AppResult};
use crate::features::chat::types::{RoomSummary, RoomView, TradeLine};
use crate::features::listings::types::ListingStatus;
use crate::features::orders::types::EventKind;

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// Who is in a room, for authorizing every read and write.
#[derive(Debug, Clone, Copy)]
pub struct Participants {
    pub room_id: u64,
    pub listing_id: u64,
    pub buyer_id: u64,
    pub seller_id: u64,
}

impl Participants {
    pub fn includes(&self, member: u64) -> bool {
        member == self.buyer_id || member == self.seller_id
    }

    pub fn other(&self, member: u64) -> u64 {
        if member == self.buyer_id {
            self.seller_id
        } else {
            self.buyer_id
        }
    }

    /// Not found for anyone outside the room: a stranger learns nothing about it.
    pub fn require(self, member: u64) -> AppResult<Self> {
        if self.includes(member) {
            Ok(self)
        } else {
            Err(AppError::NotFound)
        }
    }
}

pub async fn participants(pool: &MySqlPool, room_id: u64) -> AppResult<Participants> {
    sqlx::query_as!(
        Participants,
        "SELECT id AS room_id, listing_id, buyer_id, seller_id FROM chat_room WHERE id = ?",
        room_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)
}

/// The one room for (listing, buyer), created on first use; a buyer who had left it
/// gets it back with its history.
pub async fn open_room(
    pool: &MySqlPool,
    listing_id: u64,
    buyer_id: u64,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let listing = sqlx::query!(
        "SELECT seller_id FROM listing WHERE id = ? AND status <> 'deleted'",
        listing_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if listing.seller_id == buyer_id {
        return Err(AppError::Rejected(
            "내 판매글에는 채팅을 시작할 수 없어요.".into(),
        ));
    }
    // Two taps (or two nodes) racing both land on the unique key; the update makes the
    // second a no-op that still returns the room's id.
    sqlx::query!(
        "INSERT INTO chat_room (listing_id, buyer_id, seller_id, created_at, last_message_at)
         VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE buyer_left_at = NULL",
        listing_id,
        buyer_id,
        listing.seller_id,
        now.naive_utc(),
        now.naive_utc(),
    )
    .execute(pool)
    .await?;
    let id = sqlx::query_scalar!(
        "SELECT id FROM chat_room WHERE listing_id = ? AND buyer_id = ?",
        listing_id,
        buyer_id
    )
    .fetch_one(pool)
    .await?;
    Ok(id)
}

/// Later than any stored time (DATETIME ends at 9999): the cursor of the first page.
const END_OF_TIME: NaiveDateTime = NaiveDateTime::new(
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date"),
    chrono::NaiveTime::MIN,
);

/// Keyset position in the room list: last activity, then room id.
pub type RoomCursor = (NaiveDateTime, u64);

/// The member's rooms, most recent activity first, `limit` from after `cursor`.
/// Each side is one range on its (side_id, last_message_at, id) index read backwards
/// and stopped after one page; the union keeps the newest page (+1) of both.
/// The keyset is spelled out: MariaDB scans on row-value comparisons.
pub async fn rooms(
    pool: &MySqlPool,
    member_id: u64,
    cursor: Option<RoomCursor>,
    limit: u32,
) -> AppResult<(Vec<RoomSummary>, Option<RoomCursor>)> {
    // Past the far end of time: the first page.
    let (at, id) = cursor.unwrap_or((END_OF_TIME, u64::MAX));
    // Each side reads at most one page; the union keeps one more row than a page, which
    // says whether there is a next page unless every row came from one side.
    let (per_side, merged) = (limit, limit + 1);
    let mut rows = sqlx::query!(
        "SELECT t.id AS `id!: u64`, t.listing_id AS `listing_id!: u64`,
                t.last_message_at AS `last_message_at!: NaiveDateTime`,
                t.last_message_preview AS `last_message_preview!: String`,
                t.last_sender_id AS `last_sender_id: u64`, t.unread AS `unread!: u32`,
                EXISTS (SELECT 1 FROM chat_mute u WHERE u.room_id = t.id AND u.member_id = ?)
                    AS `muted!: bool`,
                t.side AS `side!: i32`,
                b.title, l.cover_photo, m.nickname
         FROM (
           (SELECT r.id, r.listing_id, r.last_message_at, r.last_message_preview,
                   r.last_sender_id, r.buyer_unread AS unread,
                   r.seller_id AS other_id, 1 AS side
            FROM chat_room r
            WHERE r.buyer_id = ? AND r.buyer_left_at IS NULL
              AND (r.last_message_at < ? OR (r.last_message_at = ? AND r.id < ?))
            ORDER BY r.last_message_at DESC, r.id DESC
            LIMIT ?)
           UNION ALL
           (SELECT r.id, r.listing_id, r.last_message_at, r.last_message_preview,
                   r.last_sender_id, r.seller_unread, r.buyer_id, 2
            FROM chat_room r
            WHERE r.seller_id = ? AND r.seller_left_at IS NULL
              AND (r.last_message_at < ? OR (r.last_message_at = ? AND r.id < ?))
            ORDER BY r.last_message_at DESC, r.id DESC
            LIMIT ?)
           ORDER BY last_message_at DESC, id DESC
           LIMIT ?
         ) t
         JOIN listing l ON l.id = t.listing_id
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = t.other_id
         ORDER BY t.last_message_at DESC, t.id DESC",
        member_id,
        member_id,
        at,
        at,
        id,
        per_side,
        member_id,
        at,
        at,
        id,
        per_side,
        merged,
    )
    .fetch_all(pool)
    .await?;
    let one_side_full =
        rows.len() == limit as usize && rows.windows(2).all(|w| w[0].side == w[1].side);
    let next = if rows.len() > limit as usize || (one_side_full && limit > 0) {
        rows.truncate(limit as usize);
        rows.last().map(|r| (r.last_message_at, r.id))
    } else {
        None
    };
    let summaries = rows
        .into_iter()
        .map(|r| RoomSummary {
            id: r.id,
            listing_id: r.listing_id,
            title: r.title,
            cover: r.cover_photo,
            other_nickname: r.nickname,
            last_message: r.last_message_preview,
            last_message_at: utc(r.last_message_at),
            last_from_me: r.last_sender_id == Some(member_id),
            unread: r.unread,
            muted: r.muted,
        })
        .collect();
    Ok((summaries, next))
}

/// The room as `member` opens it (their side's pointers and settings).
pub async fn room_view(
    pool: &MySqlPool,
    room: Participants,
    member: u64,
    now: DateTime<Utc>,
) -> AppResult<RoomView> {
    let other = room.other(member);
    let r = sqlx::query!(
        "SELECT r.listing_id, b.title, l.price, l.status AS `status: String`, l.cover_photo,
                m.nickname AS other_nickname,
                IF(r.buyer_id = ?, r.seller_last_read, r.buyer_last_read) AS `other_last_read!: u64`,
                IF(r.buyer_id = ?, r.buyer_last_read, r.seller_last_read) AS `my_last_read!: u64`,
                IF(r.buyer_id = ?, r.seller_left_at, r.buyer_left_at) IS NOT NULL AS `other_left: bool`,
                EXISTS (SELECT 1 FROM chat_mute u WHERE u.room_id = r.id AND u.member_id = ?)
                    AS `muted!: bool`,
                EXISTS (SELECT 1 FROM member_block WHERE blocker_id = ? AND blocked_id = ?)
                    AS `blocked_by_me: bool`,
                EXISTS (SELECT 1 FROM member_block WHERE blocker_id = ? AND blocked_id = ?)
                    AS `blocked_me: bool`,
                (SELECT MAX(s.ends_at) FROM sanction s
                  WHERE s.member_id = ? AND s.ends_at > ? AND s.lifted_at IS NULL
                    AND s.kind IN ('chat', 'suspend', 'ban')) AS `restricted_until: NaiveDateTime`
         FROM chat_room r
         JOIN listing l ON l.id = r.listing_id
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = ?
         WHERE r.id = ?",
        member,
        member,
        member,
        member,
        member,
        other,
        other,
        member,
        member,
        now.naive_utc(),
        other,
        room.room_id,
    )
    .fetch_one(pool)
    .await?;
    let trade_lines = trade_lines(pool, r.listing_id, room.buyer_id).await?;
    Ok(RoomView {
        id: room.room_id,
        listing_id: r.listing_id,
        title: r.title,
        price: i64::from(r.price),
        status: ListingStatus::from_db(&r.status).unwrap_or(ListingStatus::Sold),
        cover: r.cover_photo,
        me: member,
        i_am_seller: member == room.seller_id,
        other_id: other,
        other_nickname: r.other_nickname,
        other_last_read: r.other_last_read,
        my_last_read: r.my_last_read,
        other_left: r.other_left,
        muted: r.muted,
        blocked_by_me: r.blocked_by_me,
        blocked_me: r.blocked_me,
        restricted_until: r.restricted_until.map(utc),
        trade_lines,
    })
}

/// The steps of `buyer`'s orders for `listing` worth a line in their room, oldest first
/// (the listing's orders by `ix_order_listing`, their steps by `ix_event_order`).
async fn trade_lines(pool: &MySqlPool, listing: u64, buyer: u64) -> AppResult<Vec<TradeLine>> {
    let rows = sqlx::query!(
        "SELECT e.id, e.order_id, e.kind, e.created_at
         FROM trade_order o JOIN payment_event e ON e.order_id = o.id
         WHERE o.listing_id = ? AND o.buyer_id = ?
         ORDER BY e.created_at, e.id
         LIMIT 100",
        listing,
        buyer
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let kind = EventKind::from_db(&r.kind)?;
            kind.room_line()?;
            Some(TradeLine {
                id: r.id,
                order_id: r.order_id,
                kind,
                at: r.created_at.and_utc(),
            })
        })
        .collect())
}

/// Moves the member's read pointer forward to `upto` (never back, never past the last
/// message) and recounts what is still unread; their notification for the room is read.
/// Returns the new pointer, or `None` when it did not move (nothing written: a page
/// re-reading what it already read is the common case).
pub async fn mark_read(
    pool: &MySqlPool,
    room: Participants,
    member: u64,
    upto: u64,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let mut tx = pool.begin().await?;
    let current = sqlx::query!(
        "SELECT IFNULL(last_message_id, 0) AS `last!: u64`,
                IF(buyer_id = ?, buyer_last_read, seller_last_read) AS `read!: u64`
         FROM chat_room WHERE id = ? FOR UPDATE",
        member,
        room.room_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let pointer = upto.min(current.last).max(current.read);
    if pointer == current.read {
        return Ok(None);
    }
    let unread = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM chat_message WHERE room_id = ? AND id > ? AND sender_id <> ?",
        room.room_id,
        pointer,
        member
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE chat_room SET
             buyer_last_read  = IF(buyer_id = ?, ?, buyer_last_read),
             buyer_unread     = IF(buyer_id = ?, ?, buyer_unread),
             seller_last_read = IF(seller_id = ?, ?, seller_last_read),
             seller_unread    = IF(seller_id = ?, ?, seller_unread)
         WHERE id = ?",
        member,
        pointer,
        member,
        unread,
        member,
        pointer,
        member,
        unread,
        room.room_id
    )
    .execute(&mut *tx)
    .await?;
    if unread == 0 {
        sqlx::query!(
            "UPDATE notification SET read_at = ?
             WHERE member_id = ? AND kind = 'chat' AND subject_id = ? AND read_at IS NULL",
            now.naive_utc(),
            member,
            room.room_id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(pointer))
}

/// Unread messages over all the member's rooms (the header badge), from the
/// (side_id, side_unread) indexes alone: leaving a room zeroes the leaver's count.
pub async fn unread_total(pool: &MySqlPool, member: u64) -> AppResult<u32> {
    let total = sqlx::query_scalar!(
        "SELECT CAST(IFNULL(SUM(n), 0) AS UNSIGNED) AS `n!: u64` FROM (
            SELECT buyer_unread AS n FROM chat_room
             WHERE buyer_id = ? AND buyer_unread > 0
            UNION ALL
            SELECT seller_unread FROM chat_room
             WHERE seller_id = ? AND seller_unread > 0
         ) t",
        member,
        member
    )
    .fetch_one(pool)
    .await?;
    Ok(u32::try_from(total).unwrap_or(u32::MAX))
}

pub async fn set_blocked(
    pool: &MySqlPool,
    blocker: u64,
    blocked: u64,
    on: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if on {
        sqlx::query!(
            "INSERT IGNORE INTO member_block (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)",
            blocker,
            blocked,
            now.naive_utc()
        )
        .execute(pool)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM member_block WHERE blocker_id = ? AND blocked_id = ?",
            blocker,
            blocked
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

pub async fn set_muted(
    pool: &MySqlPool,
    room: Participants,
    member: u64,
    muted: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if muted {
        sqlx::query!(
            "INSERT IGNORE INTO chat_mute (room_id, member_id, created_at) VALUES (?, ?, ?)",
            room.room_id,
            member,
            now.naive_utc()
        )
        .execute(pool)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM chat_mute WHERE room_id = ? AND member_id = ?",
            room.room_id,
            member
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// ROOM_002: the room leaves the member's list; when both have left, it is deleted with
/// its messages and their reports.
pub async fn leave(
    pool: &MySqlPool,
    room: Participants,
    member: u64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE chat_room SET
             buyer_left_at  = IF(buyer_id = ?, ?, buyer_left_at),
             buyer_unread   = IF(buyer_id = ?, 0, buyer_unread),
             seller_left_at = IF(seller_id = ?, ?, seller_left_at),
             seller_unread  = IF(seller_id = ?, 0, seller_unread)
         WHERE id = ?",
        member,
        now.naive_utc(),
        member,
        member,
        now.naive_utc(),
        member,
        room.room_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM chat_room
         WHERE id = ? AND buyer_left_at IS NOT NULL AND seller_left_at IS NOT NULL",
        room.room_id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM notification WHERE member_id = ? AND kind = 'chat' AND subject_id = ?",
        member,
        room.room_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The member's nickname, for "OO님이 새 메시지를 보냈습니다."
pub async fn nickname(pool: &MySqlPool, member: u64) -> AppResult<String> {
    Ok(
        sqlx::query_scalar!("SELECT nickname FROM member WHERE id = ?", member)
            .fetch_one(pool)
            .await?,
    )
}
