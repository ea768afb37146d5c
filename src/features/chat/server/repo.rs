//! Chat storage. Each side of a room lives in its own columns (buyer_*, seller_*), so a
//! query names the caller's side with `IF(buyer_id = ?, …)` rather than joining a
//! participant table: the room list stays one index range per side.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use std::collections::{BTreeMap, HashMap};

use sqlx::{Connection, MySqlConnection, MySqlPool};

use crate::error::{AppError, AppResult};
use crate::features::chat::types::{
    ChatMessage, DELETED_LABEL, ReportReason, RoomSummary, RoomView,
};
use crate::features::listings::types::ListingStatus;
use crate::features::moderation;

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

/// A message to store: who sends what to which room, and the recipient's notification
/// (`None` when they are looking at the room).
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room: Participants,
    pub sender_id: u64,
    pub client_msg_id: String,
    pub body: String,
    pub notification: Option<Notice>,
    pub now: DateTime<Utc>,
}

/// A notification's text and where it leads.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub link: String,
}

/// What storing a message did.
#[derive(Debug)]
pub struct Sent {
    pub message: ChatMessage,
    /// False when this client message id was already stored (a retry): nothing changed.
    pub fresh: bool,
    pub recipient_id: u64,
    /// The recipient's notification was raised (not muted, not looking at the room).
    pub notified: bool,
}

pub(crate) fn is_duplicate_key(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("23000"))
}

/// Galera answers a certification conflict (and InnoDB a deadlock) with 1213 (SQLSTATE
/// 40001): the transaction did nothing and may simply run again.
fn is_retryable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("40001"))
}

/// What the insert did with one message of a batch.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    Stored {
        id: u64,
        recipient_muted: bool,
    },
    /// Not inserted: a retry of a stored client id (or of one earlier in the batch), a
    /// blocked pair, or a room that is gone. Told apart after the insert; all are rare.
    Skipped,
}

/// Stores a batch of messages in one statement — each once per (room, sender, client
/// message id), none between members who block each other — and with them (trigger
/// `chat_message_moves_room`) every room's last message, the recipient's unread count
/// and the sender's read pointer. One result per message, in order; a result says
/// whether the recipient is to be notified (`PendingNotice::for_sent`).
///
/// One statement per batch rather than a transaction per message: the round trips and
/// the commit (its fsync) are paid once for everything that arrived meanwhile
/// (BENCHMARKS.md, chat).
///
/// `Err` when the batch could not be stored at all (logged here). Storing is
/// idempotent, so after a lost connection (`is_connection_lost`) the whole batch may
/// be sent again on another one: what had committed comes back as a retry.
pub async fn send_batch(
    conn: &mut MySqlConnection,
    batch: &[NewMessage],
) -> Result<Vec<AppResult<Sent>>, sqlx::Error> {
    let mut attempt = 0;
    let outcomes = loop {
        attempt += 1;
        match store_batch(&mut *conn, batch).await {
            Err(e) if attempt < 4 && is_retryable(&e) => {
                tracing::info!(attempt, "chat batch: write conflict, retrying");
            }
            Err(e) => {
                tracing::error!(error = %e, messages = batch.len(), "chat batch not stored");
                return Err(e);
            }
            Ok(outcomes) => break outcomes,
        }
    };
    let mut results: Vec<AppResult<Sent>> = Vec::with_capacity(batch.len());
    for (i, (m, outcome)) in batch.iter().zip(&outcomes).enumerate() {
        let recipient_id = m.room.other(m.sender_id);
        let result = match *outcome {
            Outcome::Stored {
                id,
                recipient_muted,
            } => Ok(Sent {
                message: ChatMessage {
                    id,
                    room_id: m.room.room_id,
                    sender_id: m.sender_id,
                    client_msg_id: m.client_msg_id.clone(),
                    body: m.body.clone(),
                    // As stored (DATETIME(6)): the acknowledgement equals history.
                    created_at: m.now.trunc_subsecs(6),
                    deleted: false,
                },
                fresh: true,
                recipient_id,
                notified: m.notification.is_some() && !recipient_muted,
            }),
            Outcome::Skipped => {
                let earlier = results[..i].iter().flatten().find(|s| {
                    s.message.room_id == m.room.room_id
                        && s.message.sender_id == m.sender_id
                        && s.message.client_msg_id == m.client_msg_id
                });
                match earlier {
                    Some(s) => Ok(s.message.clone()),
                    None => skipped(&mut *conn, m).await,
                }
                .map(|message| Sent {
                    message,
                    fresh: false,
                    recipient_id,
                    notified: false,
                })
            }
        };
        results.push(result);
    }
    Ok(results)
}

/// The connection itself failed (not the statement): whether the statement committed
/// is unknown, and the connection is not to be used again.
pub fn is_connection_lost(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_)
    )
}

/// Why a message was not inserted: the stored message when it was a retry, else the
/// refusal.
async fn skipped(conn: &mut MySqlConnection, m: &NewMessage) -> AppResult<ChatMessage> {
    match stored_by_client_id(&mut *conn, m.room.room_id, m.sender_id, &m.client_msg_id).await {
        Err(AppError::NotFound)
            if blocked(&mut *conn, m.sender_id, m.room.other(m.sender_id)).await? =>
        {
            Err(AppError::Rejected(
                "차단한 회원이거나 나를 차단한 회원이라 메시지를 보낼 수 없어요.".into(),
            ))
        }
        stored => stored,
    }
}

/// Whether either member blocks the other.
async fn blocked(conn: &mut MySqlConnection, a: u64, b: u64) -> AppResult<bool> {
    Ok(sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM member_block WHERE blocker_id = ? AND blocked_id = ?)
             OR EXISTS (SELECT 1 FROM member_block WHERE blocker_id = ? AND blocked_id = ?)
             AS `blocked!: bool`",
        a,
        b,
        b,
        a
    )
    .fetch_one(conn)
    .await?)
}

/// One attempt at a batch: a single `INSERT … SELECT` (so atomic without a transaction
/// around it) that skips blocked pairs and stored client ids and returns each inserted
/// row's id and whether its recipient muted the room.
async fn store_batch(
    conn: &mut MySqlConnection,
    batch: &[NewMessage],
) -> Result<Vec<Outcome>, sqlx::Error> {
    let inserted = match batch {
        [one] => insert_one(conn, one).await?,
        _ => insert_many(conn, batch).await?,
    };
    let mut stored: HashMap<(u64, u64, String), (u64, bool)> = inserted
        .into_iter()
        .map(|(room, sender, cid, id, muted)| ((room, sender, cid), (id, muted)))
        .collect();
    // The first message with a key took its id; a second one is a retry.
    Ok(batch
        .iter()
        .map(
            |m| match stored.remove(&(m.room.room_id, m.sender_id, m.client_msg_id.clone())) {
                Some((id, recipient_muted)) => Outcome::Stored {
                    id,
                    recipient_muted,
                },
                None => Outcome::Skipped,
            },
        )
        .collect())
}

/// What a batch's insert returns for each row: room, sender, client id, id, and whether
/// the recipient muted the room.
type Inserted = (u64, u64, String, u64, bool);

/// The batch travels as one JSON document unpacked by `JSON_TABLE`, so the SQL is the
/// same for every batch size and each connection prepares it once. `query_as` rather
/// than `query!`: the macros do not see the columns of MariaDB's `RETURNING`. Rows go
/// in by room, so two batches lock the rooms they share in the same order; within a
/// room in batch order, so ids rise with it.
async fn insert_many(
    conn: &mut MySqlConnection,
    batch: &[NewMessage],
) -> Result<Vec<Inserted>, sqlx::Error> {
    let messages = serde_json::Value::from_iter(batch.iter().map(|m| {
        serde_json::json!([
            m.room.room_id,
            m.sender_id,
            m.room.other(m.sender_id),
            m.client_msg_id,
            m.body,
            sql_datetime(m.now)
        ])
    }));
    sqlx::query_as(
        "INSERT IGNORE INTO chat_message (room_id, sender_id, client_msg_id, body, created_at)
         SELECT j.room_id, j.sender_id, j.cid, j.body, j.at
         FROM JSON_TABLE(?, '$[*]' COLUMNS (
                  n FOR ORDINALITY,
                  room_id BIGINT UNSIGNED PATH '$[0]',
                  sender_id BIGINT UNSIGNED PATH '$[1]',
                  recipient_id BIGINT UNSIGNED PATH '$[2]',
                  cid VARCHAR(36) CHARACTER SET ascii PATH '$[3]',
                  body VARCHAR(500) CHARACTER SET utf8mb4 PATH '$[4]',
                  at DATETIME(6) PATH '$[5]')) j
         WHERE NOT EXISTS (SELECT 1 FROM member_block b
                           WHERE b.blocker_id = j.sender_id AND b.blocked_id = j.recipient_id)
           AND NOT EXISTS (SELECT 1 FROM member_block b
                           WHERE b.blocker_id = j.recipient_id AND b.blocked_id = j.sender_id)
         ORDER BY j.room_id, j.n
         RETURNING room_id, sender_id, client_msg_id, id,
                   EXISTS (SELECT 1 FROM chat_mute u
                           WHERE u.room_id = chat_message.room_id
                             AND u.member_id <> chat_message.sender_id)",
    )
    .bind(messages.to_string())
    .fetch_all(conn)
    .await
}

/// The same insert for a batch of one, the usual case under light load, without
/// `JSON_TABLE` and its sort. Sent as text in a sequential loop it took 0.52 instead of
/// 0.65 ms; as the app's prepared statement the gain is smaller (median 0.65–0.75 →
/// 0.64–0.69 ms), and delivery's median fell 1.16–1.22 → 1.06–1.10 ms (BENCHMARKS.md, chat).
async fn insert_one(
    conn: &mut MySqlConnection,
    m: &NewMessage,
) -> Result<Vec<Inserted>, sqlx::Error> {
    let recipient = m.room.other(m.sender_id);
    sqlx::query_as(
        "INSERT IGNORE INTO chat_message (room_id, sender_id, client_msg_id, body, created_at)
         SELECT ?, ?, ?, ?, ? FROM DUAL
         WHERE NOT EXISTS (SELECT 1 FROM member_block b
                           WHERE b.blocker_id = ? AND b.blocked_id = ?)
           AND NOT EXISTS (SELECT 1 FROM member_block b
                           WHERE b.blocker_id = ? AND b.blocked_id = ?)
         RETURNING room_id, sender_id, client_msg_id, id,
                   EXISTS (SELECT 1 FROM chat_mute u
                           WHERE u.room_id = chat_message.room_id
                             AND u.member_id <> chat_message.sender_id)",
    )
    .bind(m.room.room_id)
    .bind(m.sender_id)
    .bind(&m.client_msg_id)
    .bind(&m.body)
    .bind(m.now)
    .bind(m.sender_id)
    .bind(recipient)
    .bind(recipient)
    .bind(m.sender_id)
    .fetch_all(conn)
    .await
}

/// A time as MariaDB reads a DATETIME(6) from JSON.
fn sql_datetime(at: DateTime<Utc>) -> String {
    at.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// A notification to raise for a stored message.
#[derive(Debug, Clone)]
pub struct PendingNotice {
    pub member_id: u64,
    pub room_id: u64,
    pub notice: Notice,
    pub at: DateTime<Utc>,
}

impl PendingNotice {
    /// The recipient's notification for a message just stored, if it raised one.
    pub fn for_sent(message: &NewMessage, sent: &Sent) -> Option<Self> {
        if !(sent.fresh && sent.notified) {
            return None;
        }
        Some(PendingNotice {
            member_id: sent.recipient_id,
            room_id: message.room.room_id,
            notice: message.notification.clone()?,
            at: message.now,
        })
    }
}

/// One unread notification per (member, room): a busy room refreshes it instead of
/// stacking more. Many at once in one statement; for one key the last in `notices` wins.
pub async fn upsert_chat_notifications(
    pool: &MySqlPool,
    notices: &[PendingNotice],
) -> AppResult<()> {
    // Key order, so two writers lock the rows they share in the same order.
    let mut newest: BTreeMap<(u64, u64), &PendingNotice> = BTreeMap::new();
    for n in notices {
        newest.insert((n.member_id, n.room_id), n);
    }
    if newest.is_empty() {
        return Ok(());
    }
    let rows = serde_json::Value::from_iter(newest.values().map(|n| {
        serde_json::json!([
            n.member_id,
            n.room_id,
            n.notice.text,
            n.notice.link,
            sql_datetime(n.at)
        ])
    }));
    sqlx::query!(
        r#"INSERT INTO notification (member_id, kind, subject_id, body, link, created_at)
           SELECT j.member_id, 'chat', j.room_id, j.body, j.link, j.at
           FROM JSON_TABLE(?, '$[*]' COLUMNS (
                    member_id BIGINT UNSIGNED PATH '$[0]',
                    room_id BIGINT UNSIGNED PATH '$[1]',
                    body VARCHAR(200) CHARACTER SET utf8mb4 PATH '$[2]',
                    link VARCHAR(200) CHARACTER SET utf8mb4 PATH '$[3]',
                    at DATETIME(6) PATH '$[4]')) j
           ON DUPLICATE KEY UPDATE body = VALUES(body), created_at = VALUES(created_at),
                                   read_at = NULL"#,
        rows.to_string(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

async fn stored_by_client_id(
    conn: &mut MySqlConnection,
    room_id: u64,
    sender_id: u64,
    client_msg_id: &str,
) -> AppResult<ChatMessage> {
    let r = sqlx::query!(
        "SELECT id, body, created_at, deleted_at FROM chat_message
         WHERE room_id = ? AND sender_id = ? AND client_msg_id = ?",
        room_id,
        sender_id,
        client_msg_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(ChatMessage {
        id: r.id,
        room_id,
        sender_id,
        client_msg_id: client_msg_id.to_owned(),
        body: r.body,
        created_at: utc(r.created_at),
        deleted: r.deleted_at.is_some(),
    })
}

struct MessageRow {
    id: u64,
    sender_id: u64,
    client_msg_id: String,
    body: String,
    created_at: NaiveDateTime,
    deleted: bool,
}

impl MessageRow {
    fn into_message(self, room_id: u64) -> ChatMessage {
        ChatMessage {
            id: self.id,
            room_id,
            sender_id: self.sender_id,
            client_msg_id: self.client_msg_id,
            body: self.body,
            created_at: utc(self.created_at),
            deleted: self.deleted,
        }
    }
}

/// Up to `limit` messages before `before` (newest first from the index, returned oldest
/// first), one range read on the room's slice of the clustered key. The index is forced:
/// `ix_chat_message_id` also covers these columns' key, and the optimizer was seen
/// choosing it for a 100,000-message room (a scan of millions of ids).
pub async fn history_before(
    pool: &MySqlPool,
    room_id: u64,
    before: u64,
    limit: u32,
) -> AppResult<(Vec<ChatMessage>, bool)> {
    let mut rows = sqlx::query_as!(
        MessageRow,
        "SELECT id, sender_id, client_msg_id, body, created_at,
                deleted_at IS NOT NULL AS `deleted: bool`
         FROM chat_message FORCE INDEX (PRIMARY)
         WHERE room_id = ? AND id < ?
         ORDER BY id DESC
         LIMIT ?",
        room_id,
        before,
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    let has_older = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    rows.reverse();
    Ok((
        rows.into_iter().map(|r| r.into_message(room_id)).collect(),
        has_older,
    ))
}

/// Messages after `after`, oldest first: the catch-up after a reconnect.
pub async fn history_after(
    pool: &MySqlPool,
    room_id: u64,
    after: u64,
    limit: u32,
) -> AppResult<Vec<ChatMessage>> {
    let rows = sqlx::query_as!(
        MessageRow,
        "SELECT id, sender_id, client_msg_id, body, created_at,
                deleted_at IS NOT NULL AS `deleted: bool`
         FROM chat_message FORCE INDEX (PRIMARY)
         WHERE room_id = ? AND id > ?
         ORDER BY id
         LIMIT ?",
        room_id,
        after,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.into_message(room_id)).collect())
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
                    AND s.kind = 'chat') AS `restricted_until: NaiveDateTime`
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
    })
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

/// Deletes the sender's own message for good (CHAT_005): the text is overwritten, the
/// row stays as "삭제됨" so the conversation keeps its shape. False if not theirs.
pub async fn delete_message(
    pool: &MySqlPool,
    room: Participants,
    member: u64,
    message_id: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut tx = pool.begin().await?;
    if !erase_message(&mut tx, room.room_id, message_id, member, now).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Overwrites `sender`'s message and the room's preview of it, inside the caller's
/// transaction (a member deleting their own message, or an admin acting on a report).
/// False if there is no such undeleted message.
pub async fn erase_message(
    conn: &mut MySqlConnection,
    room_id: u64,
    message_id: u64,
    sender: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let done = sqlx::query!(
        "UPDATE chat_message SET body = '', deleted_at = ?
         WHERE room_id = ? AND id = ? AND sender_id = ? AND deleted_at IS NULL",
        now.naive_utc(),
        room_id,
        message_id,
        sender
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE chat_room SET last_message_preview = ? WHERE id = ? AND last_message_id = ?",
        DELETED_LABEL,
        room_id,
        message_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// CHAT_004: the other participant's message, once per reporter. In the same
/// transaction the report rule may restrict the sender: the restriction's end if this
/// report tipped it.
pub async fn report(
    pool: &MySqlPool,
    room: Participants,
    reporter: u64,
    message_id: u64,
    reason: ReportReason,
    now: DateTime<Utc>,
) -> AppResult<Reported> {
    let mut conn = pool.acquire().await?;
    // Each statement sees what others committed, so two reports at once do not each
    // count the other's reporter out (REPEATABLE READ would keep the first snapshot).
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *conn)
        .await?;
    let mut tx = conn.begin().await?;
    let message = sqlx::query!(
        "SELECT sender_id, body, created_at FROM chat_message WHERE room_id = ? AND id = ?",
        room.room_id,
        message_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let sender = message.sender_id;
    if sender == reporter {
        return Err(AppError::Rejected("내 메시지는 신고할 수 없어요.".into()));
    }
    let inserted = sqlx::query!(
        // The message as reported: the report outlives the room (both members leaving
        // deletes it) and any later erasure.
        "INSERT INTO chat_report
             (room_id, message_id, reporter_id, sender_id, body, sent_at, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        room.room_id,
        message_id,
        reporter,
        sender,
        message.body,
        message.created_at,
        reason.as_str(),
        now.naive_utc()
    )
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if is_duplicate_key(&e) => {
            return Err(AppError::Rejected("이미 신고한 메시지예요.".into()));
        }
        Err(e) => return Err(e.into()),
    }
    let restricted_until =
        moderation::server::repo::restrict_if_reported(&mut tx, sender, now).await?;
    tx.commit().await?;
    Ok(Reported {
        sender,
        restricted_until,
    })
}

/// What a report did: whom it was against, and the restriction it tipped, if any.
pub struct Reported {
    pub sender: u64,
    pub restricted_until: Option<DateTime<Utc>>,
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

/// The banned-word list, normalized for matching.
pub async fn banned_words(pool: &MySqlPool) -> AppResult<Vec<String>> {
    let words = sqlx::query_scalar!("SELECT word FROM banned_word ORDER BY word")
        .fetch_all(pool)
        .await?;
    Ok(words
        .iter()
        .map(|w| crate::features::chat::types::fold_for_filter(w))
        .collect())
}

/// False if the word was on the list already.
pub async fn add_banned_word(
    pool: &MySqlPool,
    word: &str,
    admin: u64,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let done = sqlx::query!(
        "INSERT IGNORE INTO banned_word (word, created_at, created_by) VALUES (?, ?, ?)",
        word,
        now.naive_utc(),
        admin
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_banned_word(pool: &MySqlPool, word: &str) -> AppResult<()> {
    sqlx::query!("DELETE FROM banned_word WHERE word = ?", word)
        .execute(pool)
        .await?;
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
