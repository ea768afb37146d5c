//! Group commit for chat messages: sockets hand their messages to this instance's
//! writers, each of which stores whatever has arrived as one batch in one statement
//! and answers each sender after the commit. Under light load a batch is one message and
//! waits for nothing; under heavy load the batches grow, so the commits per second stay
//! flat while the messages per second rise (BENCHMARKS.md, chat throughput).
//!
//! Each writer keeps one connection of the pool for itself: checking a connection out of
//! the pool pings the server first, a round trip that cost every message a second wake-up
//! of the database (BENCHMARKS.md, chat delivery). A writer whose connection fails gives
//! it up and sends the batch again on a fresh one; storing is idempotent.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use sqlx::pool::PoolConnection;
use sqlx::{MySql, MySqlPool};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::repo::{self, NewMessage, PendingNotice, Sent};
use crate::error::{AppError, AppResult};

/// Messages waiting for a writer; past this, senders wait for room (backpressure).
const QUEUE: usize = 8192;
/// The most messages one batch takes: bounds a statement's size and the time a
/// batch holds its rooms' row locks.
const MAX_BATCH: usize = 256;
/// Notifications are gathered this long and written in one statement: they are for
/// members not looking at the room, who do not notice a tenth of a second, and a busy
/// room's many messages become one upsert.
const NOTICE_DELAY: Duration = Duration::from_millis(100);
const NOTICE_QUEUE: usize = 16_384;

struct Job {
    message: NewMessage,
    reply: oneshot::Sender<AppResult<Sent>>,
}

#[derive(Clone)]
pub struct ChatWriter {
    jobs: mpsc::Sender<Job>,
}

impl ChatWriter {
    /// Starts `writers` tasks sharing one queue. More than one lets a batch be built and
    /// sent while the previous one waits for its commit.
    pub fn start(pool: MySqlPool, writers: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        let (notices, pending) = mpsc::channel::<PendingNotice>(NOTICE_QUEUE);
        tokio::spawn(write_notices(pool.clone(), pending));
        for _ in 0..writers.max(1) {
            let (pool, queue, notices) = (pool.clone(), queue.clone(), notices.clone());
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                let mut conn = None;
                loop {
                    // Holding the lock while waiting is what hands the next batch to
                    // exactly one writer.
                    let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
                    if taken == 0 {
                        return;
                    }
                    write(&pool, &mut conn, &mut batch, &notices).await;
                }
            });
        }
        ChatWriter { jobs }
    }

    /// Stores one message (with whatever else is waiting) and answers after the commit.
    pub async fn send(&self, message: NewMessage) -> AppResult<Sent> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { message, reply })
            .await
            .map_err(|_| AppError::Internal)?;
        answer.await.map_err(|_| AppError::Internal)?
    }
}

async fn write(
    pool: &MySqlPool,
    conn: &mut Option<PoolConnection<MySql>>,
    batch: &mut Vec<Job>,
    notices: &mpsc::Sender<PendingNotice>,
) {
    let (messages, replies): (Vec<NewMessage>, Vec<_>) =
        batch.drain(..).map(|job| (job.message, job.reply)).unzip();
    // A panic inside sqlx (see `repo::send_batch`) must not end this writer: every later
    // message of the instance would be refused. The batch's outcome is unknown, so its
    // senders are told to try again (same client ids: nothing is stored twice).
    let stored = std::panic::AssertUnwindSafe(store(pool, conn, &messages))
        .catch_unwind()
        .await;
    let results = stored.unwrap_or_else(|_| {
        tracing::error!(
            messages = messages.len(),
            "chat writer: storing a batch panicked; its connection is dropped"
        );
        if let Some(mut broken) = conn.take() {
            broken.close_on_drop();
        }
        messages
            .iter()
            .map(|_| Err(AppError::Unavailable))
            .collect()
    });
    for ((message, reply), result) in messages.iter().zip(replies).zip(results) {
        if let Ok(sent) = &result
            && let Some(notice) = PendingNotice::for_sent(message, sent)
            && notices.try_send(notice).is_err()
        {
            tracing::warn!(
                room = message.room.room_id,
                "chat notification dropped: queue full"
            );
        }
        // The sender may have gone; its message is stored all the same.
        let _ = reply.send(result);
    }
}

/// One result per message. A batch that lost its connection, collided or met a node
/// leaving the cluster is sent again on a fresh connection: the client ids make a repeat
/// harmless. Any failed connection is closed, never reused.
async fn store(
    pool: &MySqlPool,
    held: &mut Option<PoolConnection<MySql>>,
    messages: &[NewMessage],
) -> Vec<AppResult<Sent>> {
    let failed =
        || -> Vec<AppResult<Sent>> { messages.iter().map(|_| Err(AppError::Internal)).collect() };
    const TRIES: u32 = 3;
    for attempt in 1..=TRIES {
        let conn = match held {
            Some(conn) => conn,
            None => match pool.acquire().await {
                Ok(conn) => held.insert(conn),
                Err(e) => {
                    tracing::error!(error = %e, "chat writer: no database connection");
                    return failed();
                }
            },
        };
        let e = match repo::send_batch(conn, messages).await {
            Ok(results) => return results,
            Err(e) => e,
        };
        if let Some(mut used) = held.take() {
            used.close_on_drop();
        }
        if !(repo::is_connection_lost(&e) || repo::is_retryable(&e)) || attempt == TRIES {
            tracing::error!(error = %e, messages = messages.len(), "chat batch not stored");
            return failed();
        }
        tracing::warn!(attempt, error = %e, "chat batch: sending again on a fresh connection");
        // A fresh connection is at hand, so the short pause of a collision will do.
        tokio::time::sleep(crate::server::db::pause_after(&AppError::Busy, attempt)).await;
    }
    failed()
}

/// Writes the notifications gathered over `NOTICE_DELAY` in one statement. A failed
/// write is logged; the messages themselves are stored.
async fn write_notices(pool: MySqlPool, mut pending: mpsc::Receiver<PendingNotice>) {
    let mut gathered = Vec::new();
    while pending.recv_many(&mut gathered, NOTICE_QUEUE).await > 0 {
        tokio::time::sleep(NOTICE_DELAY).await;
        while let Ok(more) = pending.try_recv() {
            gathered.push(more);
        }
        if let Err(e) = repo::upsert_chat_notifications(&pool, &gathered).await {
            tracing::warn!(error = %e, count = gathered.len(), "chat notifications not stored");
        }
        gathered.clear();
    }
}
