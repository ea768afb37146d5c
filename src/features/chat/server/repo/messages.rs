//! Messages: stored in batches exactly once per client id, history pages, notices,
//! deletion.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use std::collections::{BTreeMap, HashMap};

use sqlx::{MySqlConnection, MySqlPool};

use super::{Participants, utc};
use crate::error::{AppError, AppResult};
use crate::features::chat::types::{ChatMessage, DELETED_LABEL};

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
/// The batch did not commit and may simply run again (a collision, or a node leaving
/// the cluster).
pub fn is_retryable(e: &sqlx::Error) -> bool {
    crate::server::db::uncommitted_kind(e).is_some()
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
/// `Err` when the batch could not be stored. Storing is idempotent, so after a lost
/// connection (`is_connection_lost`) or a collision (`is_retryable`) the whole batch may
/// be sent again — on another connection: after an error in the middle of the
/// `RETURNING` rows, sqlx has panicked decoding the next answer on the same one (seen in
/// the failover run; sqlx issues 2711, 4139).
pub async fn send_batch(
    conn: &mut MySqlConnection,
    batch: &[NewMessage],
) -> Result<Vec<AppResult<Sent>>, sqlx::Error> {
    let outcomes = store_batch(&mut *conn, batch).await?;
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

pub use crate::server::db::is_connection_lost;

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
           WHERE NOT EXISTS (SELECT 1 FROM notification_setting s
                             WHERE s.member_id = j.member_id AND s.kind = 'chat' AND NOT s.enabled)
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
