//! The live side of chat on one instance: which members have sockets open here, which
//! room each socket shows, and delivery of frames to them. With a broker configured,
//! every frame is also published for the other instances (see `broker`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use chrono::{DateTime, Utc};
use sqlx::MySqlPool;
use tokio::sync::mpsc;

use super::broker::Broker;
use super::repo;
use crate::error::AppResult;
use crate::features::chat::types::ServerFrame;
use crate::features::moderation;

/// Frames waiting for a slow socket; past this the socket is dropped and its browser
/// reconnects and catches up from its last seen message.
pub const SOCKET_QUEUE: usize = 64;
/// How stale the banned words and the restricted members may be on an instance that did
/// not make the change (the one that did forgets its copy at once).
const CACHE_TTL: Duration = Duration::from_secs(30);

/// A value read from the database at most once per `CACHE_TTL`.
struct Cached<T>(RwLock<Option<(Instant, Arc<T>)>>);

impl<T> Cached<T> {
    fn new() -> Self {
        Self(RwLock::new(None))
    }

    async fn get<F>(&self, load: F) -> AppResult<Arc<T>>
    where
        F: Future<Output = AppResult<T>>,
    {
        if let Some((at, value)) = self.0.read().expect("cache lock").as_ref()
            && at.elapsed() < CACHE_TTL
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load.await?);
        *self.0.write().expect("cache lock") = Some((Instant::now(), value.clone()));
        Ok(value)
    }

    fn forget(&self) {
        *self.0.write().expect("cache lock") = None;
    }
}

struct Socket {
    id: u64,
    tx: mpsc::Sender<Utf8Bytes>,
    viewing: Arc<AtomicU64>,
}

pub struct Hub {
    sockets: Mutex<HashMap<u64, Vec<Socket>>>,
    next_socket: AtomicU64,
    open_sockets: AtomicU64,
    broker: Option<Broker>,
    banned_words: Cached<Vec<String>>,
    restricted: Cached<HashMap<u64, DateTime<Utc>>>,
}

/// One open socket's place in the hub; leaving scope unregisters it.
pub struct Registration {
    hub: Arc<Hub>,
    member: u64,
    pub id: u64,
    viewing: Arc<AtomicU64>,
}

impl Registration {
    /// The room this socket shows (0: none).
    pub fn set_viewing(&self, room: Option<u64>) {
        self.viewing.store(room.unwrap_or(0), Ordering::Relaxed);
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.unregister(self.member, self.id);
    }
}

impl Hub {
    /// A hub for this instance; with `broker_url` it joins the other instances through
    /// Redis (the subscription runs on its own task and reconnects by itself).
    pub fn new(broker_url: Option<&str>) -> anyhow::Result<Arc<Self>> {
        let client = broker_url.map(redis::Client::open).transpose()?;
        Ok(Arc::new_cyclic(|hub| Hub {
            sockets: Mutex::new(HashMap::new()),
            next_socket: AtomicU64::new(1),
            open_sockets: AtomicU64::new(0),
            broker: client.map(|c| Broker::start(c, hub.clone())),
            banned_words: Cached::new(),
            restricted: Cached::new(),
        }))
    }

    pub fn register(self: &Arc<Self>, member: u64, tx: mpsc::Sender<Utf8Bytes>) -> Registration {
        let id = self.next_socket.fetch_add(1, Ordering::Relaxed);
        let viewing = Arc::new(AtomicU64::new(0));
        self.sockets
            .lock()
            .expect("hub lock")
            .entry(member)
            .or_default()
            .push(Socket {
                id,
                tx,
                viewing: viewing.clone(),
            });
        self.open_sockets.fetch_add(1, Ordering::Relaxed);
        Registration {
            hub: self.clone(),
            member,
            id,
            viewing,
        }
    }

    fn unregister(&self, member: u64, socket: u64) {
        let mut sockets = self.sockets.lock().expect("hub lock");
        if let Some(list) = sockets.get_mut(&member) {
            let before = list.len();
            list.retain(|s| s.id != socket);
            if list.len() < before {
                self.open_sockets.fetch_sub(1, Ordering::Relaxed);
            }
            if list.is_empty() {
                sockets.remove(&member);
            }
        }
    }

    pub fn open_sockets(&self) -> u64 {
        self.open_sockets.load(Ordering::Relaxed)
    }

    /// Whether `member` has a socket on this instance showing `room`.
    pub fn is_viewing(&self, member: u64, room: u64) -> bool {
        self.sockets
            .lock()
            .expect("hub lock")
            .get(&member)
            .is_some_and(|list| {
                list.iter()
                    .any(|s| s.viewing.load(Ordering::Relaxed) == room)
            })
    }

    /// Sends `frame` to every socket of `members` here and on the other instances,
    /// except the socket `skip` (the sender's own, which got an acknowledgement).
    pub fn publish(&self, members: &[u64], frame: &ServerFrame, skip: Option<u64>) {
        let text = Utf8Bytes::from(frame.to_json());
        self.deliver_local(members, &text, skip);
        if let Some(broker) = &self.broker {
            broker.publish(members, text);
        }
    }

    /// Delivery on this instance. A socket whose queue is full is dropped rather than
    /// waited for: one stalled phone must not hold up a room, and it catches up when
    /// it reconnects.
    pub(super) fn deliver_local(&self, members: &[u64], text: &Utf8Bytes, skip: Option<u64>) {
        let mut sockets = self.sockets.lock().expect("hub lock");
        for member in members {
            let Some(list) = sockets.get_mut(member) else {
                continue;
            };
            let before = list.len();
            list.retain(|s| {
                if Some(s.id) == skip {
                    return true;
                }
                match s.tx.try_send(text.clone()) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!(member, socket = s.id, "chat socket too slow; dropped");
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
            let dropped = (before - list.len()) as u64;
            self.open_sockets.fetch_sub(dropped, Ordering::Relaxed);
            if list.is_empty() {
                sockets.remove(member);
            }
        }
    }

    /// Tells every socket here to fetch what it may have missed (the broker was away).
    pub(super) fn resync_all(&self) {
        let text = Utf8Bytes::from(ServerFrame::Resync.to_json());
        let sockets = self.sockets.lock().expect("hub lock");
        for s in sockets.values().flatten() {
            let _ = s.tx.try_send(text.clone());
        }
    }

    /// The banned-word list, cached for a short while (admins' edits on another
    /// instance show here within `CACHE_TTL`; on this one at once, see
    /// `forget_banned_words`).
    pub async fn banned_words(&self, pool: &MySqlPool) -> AppResult<Arc<Vec<String>>> {
        self.banned_words.get(repo::banned_words(pool)).await
    }

    pub fn forget_banned_words(&self) {
        self.banned_words.forget();
    }

    /// When `member`'s chat restriction ends, if one is running. Every message asks, so
    /// the short list of running restrictions is cached like the banned words; a
    /// restriction made or lifted on this instance counts at once
    /// (`forget_restrictions`), on another within `CACHE_TTL`.
    pub async fn restricted_until(
        &self,
        pool: &MySqlPool,
        member: u64,
        now: DateTime<Utc>,
    ) -> AppResult<Option<DateTime<Utc>>> {
        let restricted = self
            .restricted
            .get(moderation::server::repo::restricted_members(pool, now))
            .await?;
        Ok(restricted
            .get(&member)
            .copied()
            .filter(|until| *until > now))
    }

    pub fn forget_restrictions(&self) {
        self.restricted.forget();
    }
}
