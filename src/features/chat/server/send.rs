//! Sending a chat message, the use case the socket calls: the rules (client id, rate,
//! length, banned words, the sender's restriction), storing it through the writers, and
//! publishing it to both members' open sockets.

use super::repo::{NewMessage, Notice, Participants};
use crate::error::AppError;
use crate::features::chat::types::{ServerFrame, banned_word_in, validate_body};
use crate::features::moderation::types::chat_blocked_message;
use crate::server::AppState;
use crate::server::limits::Limit;

/// Who sends, from which socket.
pub struct Sender<'a> {
    pub state: &'a AppState,
    pub member: u64,
    pub nickname: &'a str,
    /// The socket the message came from: it hears the message as its acknowledgement,
    /// so the broadcast skips it.
    pub socket: u64,
}

/// Stores `body` in `room` (whose member the sender is) and tells both members; the
/// acknowledgement for the sender, or why the message was refused.
pub async fn send_message(
    from: &Sender<'_>,
    room: Participants,
    cid: &str,
    body: &str,
) -> Result<ServerFrame, AppError> {
    let state = from.state;
    if cid.is_empty() || cid.len() > 36 || !cid.is_ascii() {
        return Err(AppError::BadRequest);
    }
    state.limiters.check_member(Limit::ChatSend, from.member)?;
    let body = validate_body(body).map_err(AppError::Rejected)?;
    let words = state.chat.banned_words(&state.pool).await?;
    if let Some(word) = banned_word_in(&body, &words) {
        return Err(AppError::Rejected(format!(
            "‘{word}’ 같은 표현은 보낼 수 없어요. 고운 말로 바꿔 주세요."
        )));
    }
    let now = state.clock.now();
    if let Some(until) = state
        .chat
        .restricted_until(&state.pool, from.member, now)
        .await?
    {
        return Err(AppError::Rejected(chat_blocked_message(until)));
    }
    let recipient = room.other(from.member);
    // Someone looking at the room on this instance needs no notification.
    let notification = (!state.chat.is_viewing(recipient, room.room_id)).then(|| Notice {
        text: format!("{}님이 새 메시지를 보냈습니다.", from.nickname),
        link: format!("/chat/{}", room.room_id),
    });
    let sent = state
        .chat_writer
        .send(NewMessage {
            room,
            sender_id: from.member,
            client_msg_id: cid.to_owned(),
            body,
            notification,
            now,
        })
        .await?;
    // A retry publishes again too: if we crashed after the commit the first time, this
    // is the delivery; browsers drop a message id they already have.
    state.chat.publish(
        &[from.member, sent.recipient_id],
        &ServerFrame::Msg {
            msg: sent.message.clone(),
            sender_nickname: from.nickname.to_owned(),
            notify: sent.notified,
        },
        Some(from.socket),
    );
    Ok(ServerFrame::Ack {
        cid: cid.to_owned(),
        msg: sent.message,
    })
}
