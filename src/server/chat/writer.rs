//! Group commit for chat messages: sockets hand their messages to this instance's
//! writer, which stores whatever has arrived as one batch in one transaction and
//! answers each sender after the commit. Under light load a batch is one message and
//! waits for nothing; under heavy load the batches grow, so the commits per second stay
//! flat while the messages per second rise (BENCHMARKS.md, chat throughput).

use std::sync::Arc;

use sqlx::MySqlPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::error::{AppError, AppResult};
use crate::features::chat::repo::{self, NewMessage, Sent};

/// Messages waiting for a writer; past this, senders wait for room (backpressure).
const QUEUE: usize = 8192;
/// The most messages one transaction takes: bounds a statement's size and the time a
/// batch holds its rooms' row locks.
const MAX_BATCH: usize = 256;

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
        for _ in 0..writers.max(1) {
            let (pool, queue) = (pool.clone(), queue.clone());
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                loop {
                    // Holding the lock while waiting is what hands the next batch to
                    // exactly one writer.
                    let taken = queue.lock().await.recv_many(&mut batch, MAX_BATCH).await;
                    if taken == 0 {
                        return;
                    }
                    write(&pool, &mut batch).await;
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

async fn write(pool: &MySqlPool, batch: &mut Vec<Job>) {
    let (messages, replies): (Vec<NewMessage>, Vec<_>) =
        batch.drain(..).map(|job| (job.message, job.reply)).unzip();
    let results = repo::send_batch(pool, &messages).await;
    for (reply, result) in replies.into_iter().zip(results) {
        // The sender may have gone; its message is stored all the same.
        let _ = reply.send(result);
    }
}
