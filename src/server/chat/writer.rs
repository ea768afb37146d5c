//! Group commit for chat messages: sockets hand their messages to this instance's
//! writers, each of which stores whatever has arrived as one batch in one statement
//! and answers each sender after the commit. Under light load a batch is one message and
//! waits for nothing; under heavy load the batches grow, so the commits per second stay
//! flat while the messages per second rise (BENCHMARKS.md, chat throughput).

use std::sync::Arc;
use std::time::Duration;

use sqlx::MySqlPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::error::{AppError, AppResult};
use crate::features::chat::repo::{self, NewMessage, PendingNotice, Sent};

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
                loop {
                    // Holding the lock while waiting is what hands the next batch to
                    // exactly one writer.
                    let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
                    if taken == 0 {
                        return;
                    }
                    write(&pool, &mut batch, &notices).await;
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

async fn write(pool: &MySqlPool, batch: &mut Vec<Job>, notices: &mpsc::Sender<PendingNotice>) {
    let (messages, replies): (Vec<NewMessage>, Vec<_>) =
        batch.drain(..).map(|job| (job.message, job.reply)).unzip();
    let results = repo::send_batch(pool, &messages).await;
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
