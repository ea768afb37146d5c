//! Chat fan-out between app instances through Redis pub/sub.
//!
//! Why Redis and not the database: MariaDB has no LISTEN/NOTIFY, so the database could
//! only be polled, which costs a poll interval of latency per message and, under Galera,
//! misses rows — auto-increment ids interleave across nodes and commit out of id order,
//! so "id > last seen" skips a row committed late. Redis pub/sub delivers in well under
//! a millisecond on loopback. It is not the record: every message is committed to
//! MariaDB before it is published, and whenever the subscription is lost and regained
//! every socket here is told to resync, so a frame lost in between is fetched from the
//! database instead.
//!
//! One channel carries all frames with the member ids they are for; each instance
//! delivers to the sockets it holds and ignores its own frames (already delivered).

use std::sync::Weak;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt;
use redis::AsyncCommands;
use tokio::sync::mpsc;

use super::hub::Hub;

pub const CHANNEL: &str = "breadbook:chat";
/// Frames waiting while Redis is unreachable; past this they are dropped (and the
/// sockets on other instances resync when the link comes back).
const OUTBOX: usize = 10_000;

pub struct Broker {
    outbox: mpsc::Sender<String>,
    instance: String,
}

impl Broker {
    pub fn start(client: redis::Client, hub: Weak<Hub>) -> Self {
        let instance = uuid::Uuid::new_v4().simple().to_string();
        let (outbox, rx) = mpsc::channel(OUTBOX);
        tokio::spawn(run(client, hub, instance.clone(), rx));
        Self { outbox, instance }
    }

    pub fn publish(&self, members: &[u64], frame: Utf8Bytes) {
        let members: Vec<String> = members.iter().map(u64::to_string).collect();
        let envelope = format!(
            "{}\n{}\n{}",
            self.instance,
            members.join(","),
            frame.as_str()
        );
        if let Err(e) = self.outbox.try_send(envelope) {
            tracing::warn!(error = %e, "chat frame not passed to the broker (peers will resync)");
        }
    }
}

/// In place of member ids: every socket of the receiving instance should resync.
const EVERYONE: &str = "*";

/// Splits an envelope into (instance, member ids or `None` for everyone, frame).
fn open(envelope: &str) -> Option<(&str, Option<Vec<u64>>, &str)> {
    let mut parts = envelope.splitn(3, '\n');
    let instance = parts.next()?;
    let members = parts.next()?;
    let members =
        (members != EVERYONE).then(|| members.split(',').filter_map(|m| m.parse().ok()).collect());
    Some((instance, members, parts.next()?))
}

async fn run(
    client: redis::Client,
    hub: Weak<Hub>,
    instance: String,
    mut outbox: mpsc::Receiver<String>,
) {
    let mut first = true;
    let mut backoff = Duration::from_millis(200);
    loop {
        match session(&client, &hub, &instance, &mut outbox, &mut first).await {
            Ok(()) => return,
            // Gone while we were away: the app is shutting down.
            Err(_) if hub.strong_count() == 0 => return,
            Err(e) => {
                tracing::warn!(error = %e, "chat broker connection lost; reconnecting");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// One connected stretch: subscribe, then relay both ways until something breaks.
/// `Ok` only when the hub is gone (the app is shutting down).
async fn session(
    client: &redis::Client,
    hub: &Weak<Hub>,
    instance: &str,
    outbox: &mut mpsc::Receiver<String>,
    first: &mut bool,
) -> redis::RedisResult<()> {
    let mut publisher = client.get_multiplexed_async_connection().await?;
    let mut subscriber = client.get_async_pubsub().await?;
    subscriber.subscribe(CHANNEL).await?;
    let mut messages = subscriber.on_message();
    if !std::mem::take(first) {
        // Frames may have been lost both ways while we were away: resync our sockets,
        // and ask the other instances to resync theirs.
        match hub.upgrade() {
            Some(hub) => hub.resync_all(),
            None => return Ok(()),
        }
        let _: () = publisher
            .publish(CHANNEL, format!("{instance}\n{EVERYONE}\n"))
            .await?;
    }
    tracing::info!("chat broker subscribed");
    loop {
        tokio::select! {
            incoming = messages.next() => {
                let Some(msg) = incoming else {
                    return Err(redis::RedisError::from((redis::ErrorKind::Io, "subscription closed")));
                };
                let payload: String = msg.get_payload()?;
                let Some((from, members, frame)) = open(&payload) else { continue };
                if from == instance {
                    continue;
                }
                let Some(hub) = hub.upgrade() else { return Ok(()) };
                match members {
                    None => hub.resync_all(),
                    Some(members) => hub.deliver_local(&members, &Utf8Bytes::from(frame), None),
                }
            }
            outgoing = outbox.recv() => {
                let Some(envelope) = outgoing else { return Ok(()) };
                let _: () = publisher.publish(CHANNEL, envelope).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn envelope_round_trips() {
        let (from, members, frame) = super::open("abc\n3,5\n{\"t\":\"pong\"}").unwrap();
        assert_eq!(from, "abc");
        assert_eq!(members, Some(vec![3, 5]));
        assert_eq!(frame, "{\"t\":\"pong\"}");
        assert_eq!(super::open("abc\n*\n").unwrap().1, None);
    }
}
