//! `GET /ws/chat`: one WebSocket per signed-in tab. This file decodes frames and keeps
//! the connection; sending a message is the `send` use case. A message is committed to
//! the database before it is acknowledged, so an acknowledged message survives a crash;
//! an unacknowledged one is re-sent by the browser with the same client id and stored
//! once.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::hub::{Registration, SOCKET_QUEUE};
use super::repo::{self, Participants};
use super::send::{Sender, send_message};
use crate::error::AppError;
use crate::features::chat::types::{ClientFrame, HEARTBEAT_SECS, ServerFrame};
use crate::server::db::retry_conflicts;
use crate::server::security;
use crate::server::{AppState, session};

/// The socket's read buffer, allocated up front for every socket: tungstenite's 128 KiB
/// default would cost 1.3 GB per 10,000 idle connections (DESIGN.md). Most chat frames
/// fit in 1 KiB; a longer one grows the buffer while it is read.
const READ_BUFFER: usize = 1024;
const MAX_FRAME: usize = 8 * 1024;
/// Twice the browser's heartbeat, plus slack for a slow phone.
const SILENCE_LIMIT: Duration = Duration::from_secs(HEARTBEAT_SECS * 2 + 10);

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    // Cookies ride along on cross-site WebSocket requests; only our own pages may open one.
    if !security::is_from_our_pages(&headers, state.config.public_origin()) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(token) = session::token_from_headers(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let caller = match session::caller_for_token(&state.pool, &token, state.clock.now()).await {
        Ok(Some(caller)) => caller,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let nickname = match repo::nickname(&state.pool, caller.id).await {
        Ok(n) => n,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| serve(socket, state, caller.id, nickname))
}

struct Connection {
    state: AppState,
    member: u64,
    nickname: String,
    registration: Registration,
    /// Rooms this socket has used: who is in them never changes.
    rooms: HashMap<u64, Participants>,
}

async fn serve(mut socket: WebSocket, state: AppState, member: u64, nickname: String) {
    let (tx, mut outgoing) = mpsc::channel::<Utf8Bytes>(SOCKET_QUEUE);
    let registration = state.chat.register(member, tx);
    let mut conn = Connection {
        state,
        member,
        nickname,
        registration,
        rooms: HashMap::new(),
    };
    let silence = tokio::time::sleep(SILENCE_LIMIT);
    tokio::pin!(silence);
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                silence.as_mut().reset(Instant::now() + SILENCE_LIMIT);
                let reply = match incoming {
                    // Boxed: the handling future (queries, the writer's answer) is far
                    // bigger than the idle loop, and would otherwise be part of every
                    // idle socket's task.
                    Some(Ok(Message::Text(text))) => Box::pin(conn.handle(&text)).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    // Pings are answered by the socket itself; binary is not ours.
                    Some(Ok(_)) => None,
                };
                if let Some(reply) = reply
                    && socket.send(Message::Text(reply.to_json().into())).await.is_err()
                {
                    break;
                }
            }
            frame = outgoing.recv() => {
                let Some(frame) = frame else { break };
                if socket.send(Message::Text(frame)).await.is_err() {
                    break;
                }
            }
            _ = &mut silence => break,
        }
    }
}

impl Connection {
    async fn handle(&mut self, text: &str) -> Option<ServerFrame> {
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text) else {
            tracing::debug!(member = self.member, "unreadable chat frame ignored");
            return None;
        };
        match frame {
            ClientFrame::Ping => Some(ServerFrame::Pong),
            ClientFrame::View { room } => {
                self.registration.set_viewing(room);
                None
            }
            ClientFrame::Send { room, cid, body } => {
                let started = std::time::Instant::now();
                let reply = self.send(room, cid, &body).await;
                self.state.metrics.observe_chat_store(started.elapsed());
                Some(reply)
            }
            ClientFrame::Read { room, upto } => {
                self.read(room, upto).await;
                None
            }
        }
    }

    async fn room(&mut self, room_id: u64) -> Result<Participants, AppError> {
        if let Some(room) = self.rooms.get(&room_id) {
            return Ok(*room);
        }
        let room = repo::participants(&self.state.pool, room_id)
            .await?
            .require(self.member)?;
        self.rooms.insert(room_id, room);
        Ok(room)
    }

    async fn send(&mut self, room_id: u64, cid: String, body: &str) -> ServerFrame {
        match self.store(room_id, &cid, body).await {
            Ok(frame) => frame,
            // Shown on the message with "tap to retry"; a retry keeps the same id.
            Err(e) => ServerFrame::Refused {
                message: match e {
                    AppError::NotFound => "이 대화방에는 메시지를 보낼 수 없어요.".into(),
                    other => other.to_string(),
                },
                cid,
            },
        }
    }

    async fn store(
        &mut self,
        room_id: u64,
        cid: &str,
        body: &str,
    ) -> Result<ServerFrame, AppError> {
        let room = self.room(room_id).await?;
        let sender = Sender {
            state: &self.state,
            member: self.member,
            nickname: &self.nickname,
            socket: self.registration.id,
        };
        send_message(&sender, room, cid, body).await
    }

    async fn read(&mut self, room_id: u64, upto: u64) {
        let Ok(room) = self.room(room_id).await else {
            return;
        };
        let now = self.state.clock.now();
        match retry_conflicts(|| repo::mark_read(&self.state.pool, room, self.member, upto, now))
            .await
        {
            Ok(None) => {}
            Ok(Some(pointer)) => self.state.chat.publish(
                &[room.buyer_id, room.seller_id],
                &ServerFrame::Read {
                    room: room_id,
                    reader: self.member,
                    upto: pointer,
                },
                None,
            ),
            Err(_) => tracing::warn!(member = self.member, room_id, "read pointer not stored"),
        }
    }
}
