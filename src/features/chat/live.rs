//! The browser's chat connection, one per tab, provided to every page by `App`.
//!
//! Messages go into an outbox first (kept in localStorage, so a reload does not lose
//! them) and leave it only when the server acknowledges them. While the socket is down —
//! offline, server restarting — they wait, and on reconnect every one is re-sent with its
//! own client id, which the server stores once. Pages subscribe to frames; after a
//! reconnect they get `Resync` and fetch what they missed from their last seen id.

use std::sync::Arc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::types::{ClientFrame, ServerFrame};

const OUTBOX_KEY: &str = "bb-chat-outbox";
/// How long a message may wait for its acknowledgement on an open socket.
#[cfg(feature = "hydrate")]
const ACK_TIMEOUT_MS: f64 = 10_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SendState {
    /// Waiting for a connection (offline, reconnecting).
    Queued,
    /// On the wire, not yet acknowledged.
    Sending,
    /// Refused or timed out; the text is kept and the user may tap to retry.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub room: u64,
    pub cid: String,
    pub body: String,
    pub state: SendState,
    /// Why it failed, when it did.
    #[serde(default)]
    pub error: String,
    /// When it last went on the wire (ms since epoch), for the acknowledgement timeout.
    #[serde(default)]
    pub sent_at: f64,
}

// Thread-safe: pages also subscribe while rendering on the server's worker threads.
type Listener = Arc<dyn Fn(&ServerFrame) + Send + Sync>;

#[derive(Clone, Copy)]
pub struct ChatLive {
    /// The socket is open.
    pub connected: RwSignal<bool>,
    /// Messages typed and not yet acknowledged, in the order typed.
    pub outbox: RwSignal<Vec<Outgoing>>,
    /// Bumped on every frame that may change unread counts (the header refetches).
    pub activity: RwSignal<u32>,
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_listener: StoredValue<u64>,
    viewing: StoredValue<Option<u64>>,
    started: StoredValue<bool>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<socket::Socket>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    backoff_ms: StoredValue<u32>,
}

pub fn use_chat() -> ChatLive {
    expect_context::<ChatLive>()
}

impl ChatLive {
    pub fn provide() -> Self {
        let live = ChatLive {
            connected: RwSignal::new(false),
            outbox: RwSignal::new(Vec::new()),
            activity: RwSignal::new(0),
            listeners: StoredValue::new(Vec::new()),
            next_listener: StoredValue::new(1),
            viewing: StoredValue::new(None),
            started: StoredValue::new(false),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
            #[cfg(feature = "hydrate")]
            backoff_ms: StoredValue::new(500),
        };
        provide_context(live);
        live
    }

    /// Opens the connection (once; the browser only) for a signed-in member.
    pub fn start(self) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        let saved: Vec<Outgoing> = crate::ui::browser::load(OUTBOX_KEY)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        // Whatever was on the wire when the tab closed is re-sent on connect.
        self.outbox.set(
            saved
                .into_iter()
                .map(|mut o| {
                    if o.state == SendState::Sending {
                        o.state = SendState::Queued;
                    }
                    o
                })
                .collect(),
        );
        #[cfg(feature = "hydrate")]
        socket::start(self);
    }

    /// Calls `listener` with every frame until the returned id is passed to `unsubscribe`
    /// (pages do that on cleanup).
    pub fn subscribe(self, listener: impl Fn(&ServerFrame) + Send + Sync + 'static) -> u64 {
        let id = self.next_listener.get_value();
        self.next_listener.set_value(id + 1);
        self.listeners
            .update_value(|l| l.push((id, Arc::new(listener))));
        id
    }

    pub fn unsubscribe(self, id: u64) {
        self.listeners.update_value(|l| l.retain(|(i, _)| *i != id));
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn dispatch(self, frame: &ServerFrame) {
        // Cloned out first: a listener may subscribe or unsubscribe while it runs.
        let listeners: Vec<Listener> = self
            .listeners
            .with_value(|l| l.iter().map(|(_, f)| f.clone()).collect());
        for listener in listeners {
            listener(frame);
        }
    }

    /// Queues a message and sends it when the socket is open.
    pub fn send(self, room: u64, body: String) {
        let message = Outgoing {
            room,
            cid: crate::ui::browser::new_key(),
            body,
            state: SendState::Queued,
            error: String::new(),
            sent_at: 0.0,
        };
        self.outbox.update(|o| o.push(message.clone()));
        self.transmit(&message.cid);
        self.save_outbox();
    }

    /// Tap to retry: the same client id, so the server still stores it once.
    pub fn retry(self, cid: &str) {
        self.outbox.update(|o| {
            if let Some(m) = o.iter_mut().find(|m| m.cid == cid) {
                m.state = SendState::Queued;
                m.error.clear();
            }
        });
        self.transmit(cid);
        self.save_outbox();
    }

    /// Gives up on a failed message (the user deletes it from the composer area).
    pub fn discard(self, cid: &str) {
        self.outbox.update(|o| o.retain(|m| m.cid != cid));
        self.save_outbox();
    }

    pub fn mark_read(self, room: u64, upto: u64) {
        self.frame(&ClientFrame::Read { room, upto });
    }

    /// This tab now shows `room` (None: no room).
    pub fn view(self, room: Option<u64>) {
        self.viewing.set_value(room);
        self.frame(&ClientFrame::View { room });
    }

    fn save_outbox(self) {
        let json = self
            .outbox
            .with_untracked(|o| serde_json::to_string(o).unwrap_or_default());
        crate::ui::browser::save(OUTBOX_KEY, &json);
    }

    /// Puts one queued message on the wire if the socket is open.
    fn transmit(self, cid: &str) {
        let Some(message) = self
            .outbox
            .with_untracked(|o| o.iter().find(|m| m.cid == cid).cloned())
        else {
            return;
        };
        let frame = ClientFrame::Send {
            room: message.room,
            cid: message.cid.clone(),
            body: message.body.clone(),
        };
        if self.frame(&frame) {
            self.set_state(cid, SendState::Sending, "");
        }
    }

    fn set_state(self, cid: &str, state: SendState, error: &str) {
        self.outbox.update(|o| {
            if let Some(m) = o.iter_mut().find(|m| m.cid == cid) {
                m.state = state;
                m.error = error.to_owned();
                m.sent_at = crate::ui::format::now_utc().timestamp_millis() as f64;
            }
        });
    }

    /// Sends a frame if the socket is open; false if it is not.
    fn frame(self, frame: &ClientFrame) -> bool {
        #[cfg(feature = "hydrate")]
        {
            socket::send(self, frame)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = frame;
            false
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn on_frame(self, frame: ServerFrame) {
        match &frame {
            ServerFrame::Ack { cid, .. } => {
                self.outbox.update(|o| o.retain(|m| &m.cid != cid));
                self.save_outbox();
            }
            ServerFrame::Refused { cid, message } => {
                self.set_state(cid, SendState::Failed, message);
                self.save_outbox();
            }
            ServerFrame::Pong => return,
            ServerFrame::Msg { .. } | ServerFrame::Read { .. } | ServerFrame::Deleted { .. } => {
                self.activity.update(|a| *a += 1);
            }
            ServerFrame::Resync | ServerFrame::Trade { .. } | ServerFrame::Notice => {
                self.activity.update(|a| *a += 1)
            }
            // Only the open room cares (its composer).
            ServerFrame::Restricted { .. } => {}
        }
        self.dispatch(&frame);
    }

    /// On (re)connect: say which room we show, re-send the outbox, and have pages catch up.
    #[cfg(feature = "hydrate")]
    fn on_open(self) {
        self.connected.set(true);
        self.backoff_ms.set_value(500);
        self.frame(&ClientFrame::View {
            room: self.viewing.get_value(),
        });
        let waiting: Vec<String> = self.outbox.with_untracked(|o| {
            o.iter()
                .filter(|m| m.state != SendState::Failed)
                .map(|m| m.cid.clone())
                .collect()
        });
        for cid in waiting {
            self.transmit(&cid);
        }
        self.on_frame(ServerFrame::Resync);
    }

    /// Messages on the wire too long without an answer become "failed, tap to retry".
    #[cfg(feature = "hydrate")]
    fn expire_unacknowledged(self) {
        let now = crate::ui::format::now_utc().timestamp_millis() as f64;
        let late = self.outbox.with_untracked(|o| {
            o.iter()
                .any(|m| m.state == SendState::Sending && now - m.sent_at > ACK_TIMEOUT_MS)
        });
        if late {
            self.outbox.update(|o| {
                for m in o.iter_mut() {
                    if m.state == SendState::Sending && now - m.sent_at > ACK_TIMEOUT_MS {
                        m.state = SendState::Failed;
                        m.error = "전송하지 못했어요.".into();
                    }
                }
            });
            self.save_outbox();
        }
    }
}

#[cfg(feature = "hydrate")]
mod socket {
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{MessageEvent, WebSocket};

    use super::ChatLive;
    use crate::features::chat::types::{ClientFrame, HEARTBEAT_SECS, SOCKET_PATH, ServerFrame};

    /// The open socket and its handlers (dropped with it, so reconnects do not leak).
    pub struct Socket {
        ws: WebSocket,
        _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
        last_heard: f64,
    }

    fn now() -> f64 {
        js_sys::Date::now()
    }

    fn online() -> bool {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }

    pub fn start(live: ChatLive) {
        connect(live);
        // Heartbeat and dead-socket detection.
        set_interval(
            move || {
                let silent_for = live
                    .socket
                    .with_value(|s| s.as_ref().map(|s| now() - s.last_heard));
                match silent_for {
                    Some(ms) if ms > (HEARTBEAT_SECS as f64 * 2_000.0) => close(live),
                    Some(_) => {
                        send(live, &ClientFrame::Ping);
                    }
                    None => {}
                }
            },
            Duration::from_secs(HEARTBEAT_SECS),
        );
        // The browser knows before the socket does: offline closes it (typed messages
        // then wait in the outbox); online reconnects at once.
        let _ = window_event_listener(leptos::ev::offline, move |_| close(live));
        let _ = window_event_listener(leptos::ev::online, move |_| {
            live.backoff_ms.set_value(500);
            if live.socket.with_value(Option::is_none) {
                connect(live);
            }
        });
        // Acknowledgement timeouts, checked more often than the heartbeat.
        set_interval(move || live.expire_unacknowledged(), Duration::from_secs(2));
    }

    fn url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}{SOCKET_PATH}", location.host().ok()?))
    }

    fn connect(live: ChatLive) {
        if !online() {
            return;
        }
        let Some(ws) = url().and_then(|u| WebSocket::new(&u).ok()) else {
            schedule_reconnect(live);
            return;
        };
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| live.on_open());
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            live.socket.update_value(|s| {
                if let Some(s) = s {
                    s.last_heard = now();
                }
            });
            let Some(text) = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
            else {
                return;
            };
            if let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) {
                live.on_frame(frame);
            }
        });
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            live.socket.set_value(None);
            live.connected.set(false);
            schedule_reconnect(live);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        live.socket.set_value(Some(Socket {
            ws,
            _handlers: vec![on_open, on_message, on_close],
            last_heard: now(),
        }));
    }

    fn schedule_reconnect(live: ChatLive) {
        if !online() {
            return; // the `online` event reconnects
        }
        let wait = live.backoff_ms.get_value();
        live.backoff_ms.set_value((wait * 2).min(30_000));
        set_timeout(
            move || {
                if live.socket.with_value(Option::is_none) {
                    connect(live);
                }
            },
            Duration::from_millis(u64::from(wait)),
        );
    }

    fn close(live: ChatLive) {
        if let Some(s) = live.socket.try_update_value(Option::take).flatten() {
            s.ws.set_onclose(None);
            let _ = s.ws.close();
        }
        live.connected.set(false);
        schedule_reconnect(live);
    }

    pub fn send(live: ChatLive, frame: &ClientFrame) -> bool {
        let Ok(json) = serde_json::to_string(frame) else {
            return false;
        };
        live.socket.with_value(|s| {
            s.as_ref()
                .filter(|s| s.ws.ready_state() == WebSocket::OPEN)
                .is_some_and(|s| s.ws.send_with_str(&json).is_ok())
        })
    }
}

/// Keeps one page subscribed while it is mounted.
pub fn on_chat_frame(live: ChatLive, listener: impl Fn(&ServerFrame) + Send + Sync + 'static) {
    let id = live.subscribe(listener);
    on_cleanup(move || live.unsubscribe(id));
}
