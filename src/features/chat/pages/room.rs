//! /chat/:id: one conversation, its history, the composer and message reports.

use super::list::Cover;
use crate::error::AppError;
use crate::features::chat::api::{
    block_chat_member, chat_history, chat_room, delete_chat_message, leave_chat, mute_chat,
    report_chat_message,
};
use crate::features::chat::live::{Outgoing, SendState, on_chat_frame, use_chat};
use crate::features::chat::types::{
    ChatMessage, DELETED_LABEL, HistoryPage, MAX_MESSAGE_CHARS, ReportReason, RoomView,
    SAFE_PAY_WARNING, ServerFrame, TradeLine, needs_safe_pay_warning, validate_body,
};
use crate::features::moderation::types::chat_blocked_message;
use crate::ui::browser::confirm;
use crate::ui::form::error_line;
use crate::ui::format::{kst, won};
use crate::ui::login_needed::login_needed;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn ChatRoomPage() -> impl IntoView {
    let params = use_params_map();
    let room_id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let room = Resource::new(room_id, chat_room);
    let history = Resource::new(room_id, |room| chat_history(room, 0, 0));
    view! {
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match (room.await, history.await) {
                    (Ok(room), Ok(page)) => view! { <Conversation room page /> }.into_any(),
                    (Err(AppError::Unauthorized), _) | (_, Err(AppError::Unauthorized)) => {
                        login_needed(format!("/chat/{}", room_id()))
                    }
                    (Err(AppError::NotFound), _) => view! {
                        <Title text="대화방을 찾을 수 없어요" />
                        <section class="empty-state" data-test="chat-not-found">
                            <h1>"대화방을 찾을 수 없어요"</h1>
                            <p>"나간 대화방이거나 참여하지 않은 대화방이에요."</p>
                            <A href="/chat" attr:class="button">"채팅 목록"</A>
                        </section>
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => error_line(e),
                }
            })}
        </Transition>
    }
}

/// Puts `incoming` into `list` (ascending ids) unless it is already there.
pub(super) fn merge(list: &mut Vec<ChatMessage>, incoming: ChatMessage) {
    match list.binary_search_by_key(&incoming.id, |m| m.id) {
        Ok(_) => {}
        Err(at) => list.insert(at, incoming),
    }
}

#[component]
pub(super) fn Conversation(room: RoomView, page: HistoryPage) -> impl IntoView {
    let live = use_chat();
    let room_id = room.id;
    let me = room.me;
    let messages = RwSignal::new(page.messages);
    let has_older = RwSignal::new(page.has_older);
    let other_read = RwSignal::new(room.other_last_read);
    // The book's state on the pinned card (판매중 → 예약중 → 판매완료) as trades move it.
    let listing_status = RwSignal::new(room.status);
    let muted = RwSignal::new(room.muted);
    let blocked = RwSignal::new(room.blocked_by_me);
    let restricted = RwSignal::new(room.restricted_until);
    let trade_lines = RwSignal::new(room.trade_lines.clone());
    let notice = RwSignal::new(None::<String>);
    let reporting = RwSignal::new(None::<u64>);
    let log_ref = NodeRef::<leptos::html::Div>::new();
    let loading_older = RwSignal::new(false);

    let scroll_to_end = move || {
        if let Some(el) = log_ref.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    // Tell the server what we have seen: the newest message from the other side.
    let read_latest = move || {
        let latest =
            messages.with_untracked(|m| m.iter().rev().find(|m| m.sender_id != me).map(|m| m.id));
        if let Some(id) = latest {
            live.mark_read(room_id, id);
        }
    };
    let catch_up = move || {
        let after = messages.with_untracked(|m| m.last().map(|m| m.id).unwrap_or(0));
        spawn_local(async move {
            let page = if after == 0 {
                chat_history(room_id, 0, 0).await
            } else {
                chat_history(room_id, 0, after).await
            };
            if let Ok(page) = page {
                messages.update(|list| page.messages.into_iter().for_each(|m| merge(list, m)));
                read_latest();
                request_animation_frame(scroll_to_end);
            }
            // Receipts may have moved while we were away.
            if let Ok(view) = chat_room(room_id).await {
                other_read.update(|r| *r = (*r).max(view.other_last_read));
            }
        });
    };
    on_chat_frame(live, move |frame| match frame {
        ServerFrame::Msg { msg, .. } | ServerFrame::Ack { msg, .. } if msg.room_id == room_id => {
            messages.update(|list| merge(list, msg.clone()));
            if msg.sender_id != me {
                live.mark_read(room_id, msg.id);
            }
            request_animation_frame(scroll_to_end);
        }
        ServerFrame::Read { room, reader, upto } if *room == room_id && *reader != me => {
            other_read.update(|r| *r = (*r).max(*upto));
        }
        ServerFrame::Deleted { room, id } if *room == room_id => messages.update(|list| {
            if let Some(m) = list.iter_mut().find(|m| m.id == *id) {
                m.deleted = true;
                m.body.clear();
            }
        }),
        ServerFrame::Restricted { until } => restricted.set(*until),
        ServerFrame::Resync => catch_up(),
        ServerFrame::Trade { .. } => {
            spawn_local(async move {
                if let Ok(view) = chat_room(room_id).await {
                    listing_status.try_set(view.status);
                    trade_lines.try_set(view.trade_lines);
                    request_animation_frame(scroll_to_end);
                }
            });
        }
        _ => {}
    });
    // In the browser: this tab shows the room (no notifications for it), and what is on
    // screen is read.
    Effect::new(move |_| {
        live.view(Some(room_id));
        read_latest();
        scroll_to_end();
    });
    on_cleanup(move || live.view(None));

    let load_older = move || {
        if loading_older.get_untracked() || !has_older.get_untracked() {
            return;
        }
        let Some(before) = messages.with_untracked(|m| m.first().map(|m| m.id)) else {
            return;
        };
        loading_older.set(true);
        let old_height = log_ref
            .get_untracked()
            .map(|el| el.scroll_height())
            .unwrap_or(0);
        spawn_local(async move {
            if let Ok(page) = chat_history(room_id, before, 0).await {
                has_older.set(page.has_older);
                messages.update(|list| page.messages.into_iter().for_each(|m| merge(list, m)));
                // Keep the message that was at the top where it was.
                request_animation_frame(move || {
                    if let Some(el) = log_ref.get_untracked() {
                        el.set_scroll_top(el.scroll_height() - old_height);
                    }
                });
            }
            loading_older.set(false);
        });
    };

    let toggle_mute = move |_| {
        let on = !muted.get_untracked();
        spawn_local(async move {
            match mute_chat(room_id, on).await {
                Ok(()) => muted.set(on),
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    let toggle_block = move |_| {
        let on = !blocked.get_untracked();
        if on && !confirm("차단하면 서로 메시지를 보낼 수 없어요. 차단할까요?")
        {
            return;
        }
        spawn_local(async move {
            match block_chat_member(room_id, on).await {
                Ok(()) => blocked.set(on),
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };
    let navigate = use_navigate();
    let leave = move |_| {
        if !confirm("대화방을 나갈까요? 목록에서 사라지고, 상대방도 나가면 대화가 모두 지워져요.")
        {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            match leave_chat(room_id).await {
                Ok(()) => navigate("/chat", Default::default()),
                Err(e) => notice.set(Some(e.to_string())),
            }
        });
    };

    let pending = move || {
        live.outbox
            .get()
            .into_iter()
            .filter(|o| o.room == room_id)
            .collect::<Vec<_>>()
    };
    let title = format!("{} · {}", room.title, room.other_nickname);
    view! {
        <Title text=title.clone() />
        <section class="chat-room" data-test="chat-room">
            <header class="chat-head">
                <A href="/chat" attr:class="back-link" attr:aria-label="채팅 목록으로">"‹"</A>
                <h1 class="chat-title" data-test="chat-title">
                    <span>{room.other_nickname.clone()}</span>
                    <span class="muted small">{room.title.clone()}</span>
                </h1>
                <div class="chat-tools">
                    <button type="button" class="link-button small" data-test="chat-mute" on:click=toggle_mute>
                        {move || if muted.get() { "알림 켜기" } else { "알림 끄기" }}
                    </button>
                    <button type="button" class="link-button small" data-test="chat-block" on:click=toggle_block>
                        {move || if blocked.get() { "차단 해제" } else { "차단" }}
                    </button>
                    <button type="button" class="link-button small danger" data-test="chat-leave" on:click=leave>"나가기"</button>
                </div>
            </header>
            <A href=format!("/listings/{}", room.listing_id) attr:class="pinned-listing" attr:data-test="pinned-listing">
                <Cover cover=room.cover.clone() />
                <span class="pinned-title">{room.title.clone()}</span>
                <strong>{won(room.price)}</strong>
                <span class="badge status" data-test="pinned-status">{move || listing_status.get().label()}</span>
            </A>
            {room.other_left.then(|| view! { <p class="muted small center">"상대방이 대화방을 나갔어요. 메시지를 보내면 다시 초대돼요."</p> })}
            {move || notice.get().map(|n| view! { <p class="form-error" role="alert">{n}</p> })}
            <div class="chat-log" node_ref=log_ref data-test="chat-log"
                on:scroll=move |_| {
                    if log_ref.get_untracked().is_some_and(|el| el.scroll_top() < 40) {
                        load_older();
                    }
                }>
                <Show when=move || has_older.get()>
                    <button type="button" class="link-button small older" data-test="chat-older" on:click=move |_| load_older()>
                        "이전 메시지 보기"
                    </button>
                </Show>
                <For each=move || log_items(&messages.read(), &trade_lines.read(), has_older.get()) key=LogItem::key let:item>
                    {match item {
                        LogItem::Message(msg) => view! { <Bubble msg me other_read reporting notice /> }.into_any(),
                        LogItem::Trade(line) => view! { <TradeLineRow line /> }.into_any(),
                    }}
                </For>
                <For each=pending key=|o| (o.cid.clone(), o.state) let:out>
                    <PendingBubble out />
                </For>
            </div>
            <Composer room_id blocked=room.blocked_me restricted />
        </section>
    }
}

/// One row of the room's log: a message, or an order step between the messages.
#[derive(Clone)]
enum LogItem {
    Message(ChatMessage),
    Trade(TradeLine),
}

impl LogItem {
    fn key(&self) -> (bool, u64, bool) {
        match self {
            Self::Message(m) => (false, m.id, m.deleted),
            Self::Trade(t) => (true, t.id, false),
        }
    }
}

/// The messages (ascending ids) with the order steps placed by time. While older
/// messages are still to load, steps from before the first loaded one wait with them.
fn log_items(messages: &[ChatMessage], lines: &[TradeLine], has_older: bool) -> Vec<LogItem> {
    let from = match messages.first() {
        Some(first) if has_older => Some(first.created_at),
        _ => None,
    };
    let mut lines = lines
        .iter()
        .filter(|l| from.is_none_or(|at| l.at >= at))
        .peekable();
    let mut items = Vec::with_capacity(messages.len() + lines.size_hint().0);
    for m in messages {
        while let Some(l) = lines.next_if(|l| l.at <= m.created_at) {
            items.push(LogItem::Trade(l.clone()));
        }
        items.push(LogItem::Message(m.clone()));
    }
    items.extend(lines.cloned().map(LogItem::Trade));
    items
}

/// "판매자가 책을 보냈어요", centred between the messages, opening the order.
#[component]
fn TradeLineRow(line: TradeLine) -> impl IntoView {
    let text = line.kind.room_line().unwrap_or_default();
    view! {
        <p class="trade-line" data-test="trade-line">
            <A href=format!("/orders/{}", line.order_id)>{text}</A>
            <time class="muted" datetime=line.at.to_rfc3339()>{kst(line.at).format(" %H:%M").to_string()}</time>
        </p>
    }
}

pub(super) fn clock(msg: &ChatMessage) -> String {
    kst(msg.created_at).format("%H:%M").to_string()
}

#[component]
pub(super) fn Bubble(
    msg: ChatMessage,
    me: u64,
    other_read: RwSignal<u64>,
    reporting: RwSignal<Option<u64>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let mine = msg.sender_id == me;
    let (id, room) = (msg.id, msg.room_id);
    let warn = !msg.deleted && needs_safe_pay_warning(&msg.body);
    let delete = move |_| {
        if !confirm("메시지를 삭제할까요? 삭제하면 되돌릴 수 없어요.") {
            return;
        }
        spawn_local(async move {
            if let Err(e) = delete_chat_message(room, id).await {
                notice.set(Some(e.to_string()));
            }
        });
    };
    view! {
        <div class="bubble-row" class:mine=mine data-test="chat-message" data-id=id>
            <div class="bubble" class:deleted=msg.deleted>
                {if msg.deleted { DELETED_LABEL.to_owned() } else { msg.body.clone() }}
            </div>
            <div class="bubble-meta">
                {mine.then(|| view! {
                    <span class="receipt" data-test="receipt" aria-label={move || if other_read.get() >= id { "읽음" } else { "보냄" }}>
                        {move || if other_read.get() >= id { "✓✓" } else { "✓" }}
                    </span>
                })}
                <span class="muted small">{clock(&msg)}</span>
                {(!msg.deleted && mine).then(|| view! {
                    <button type="button" class="link-button small" data-test="chat-delete" on:click=delete>"삭제"</button>
                })}
                {(!msg.deleted && !mine).then(|| view! {
                    <button type="button" class="link-button small" data-test="chat-report"
                        on:click=move |_| reporting.set(Some(id))>"신고"</button>
                })}
            </div>
            {warn.then(|| view! { <p class="scam-warning" role="note" data-test="scam-warning">"⚠️ " {SAFE_PAY_WARNING}</p> })}
            <Show when=move || reporting.get() == Some(id)>
                <ReportForm room id reporting notice />
            </Show>
        </div>
    }
}

#[component]
pub(super) fn ReportForm(
    room: u64,
    id: u64,
    reporting: RwSignal<Option<u64>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = reason.get_untracked();
        spawn_local(async move {
            match report_chat_message(room, id, chosen).await {
                Ok(()) => {
                    reporting.set(None);
                    notice.set(Some("신고가 접수됐어요. 운영팀이 확인할게요.".into()));
                }
                Err(e) => error.set(Some(
                    e.field_message("reason").unwrap_or_else(|| e.to_string()),
                )),
            }
        });
    };
    view! {
        <form class="report-form" data-test="report-form" on:submit=submit>
            <fieldset>
                <legend>"신고 사유"</legend>
                {ReportReason::ALL.into_iter().map(|r| view! {
                    <label class="radio">
                        <input type="radio" name=format!("reason-{id}") value=r.as_str()
                            on:change=move |_| reason.set(r.as_str().to_owned()) />
                        {r.label()}
                    </label>
                }).collect_view()}
            </fieldset>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <button type="submit" class="button small danger">"신고하기"</button>
            <button type="button" class="link-button small" on:click=move |_| reporting.set(None)>"취소"</button>
        </form>
    }
}

#[component]
pub(super) fn PendingBubble(out: Outgoing) -> impl IntoView {
    let live = use_chat();
    let cid = out.cid.clone();
    let (label, failed) = match out.state {
        SendState::Queued => ("연결되면 보낼게요", false),
        SendState::Sending => ("보내는 중…", false),
        SendState::Failed => ("전송 실패", true),
    };
    let retry_cid = cid.clone();
    let discard_cid = cid.clone();
    view! {
        <div class="bubble-row mine pending" data-test="chat-pending" data-state=format!("{:?}", out.state).to_lowercase()>
            <div class="bubble">{out.body.clone()}</div>
            <div class="bubble-meta">
                <span class="muted small" class:danger=failed>{label}</span>
                {failed.then(|| view! {
                    <button type="button" class="link-button small" data-test="chat-retry"
                        on:click=move |_| live.retry(&retry_cid)>"다시 보내기"</button>
                    <button type="button" class="link-button small" on:click=move |_| live.discard(&discard_cid)>"지우기"</button>
                })}
            </div>
            {(!out.error.is_empty()).then(|| view! { <p class="form-error small" role="alert">{out.error.clone()}</p> })}
            {needs_safe_pay_warning(&out.body).then(|| view! { <p class="scam-warning" role="note">"⚠️ " {SAFE_PAY_WARNING}</p> })}
        </div>
    }
}

#[component]
pub(super) fn Composer(
    room_id: u64,
    blocked: bool,
    restricted: RwSignal<Option<DateTime<Utc>>>,
) -> impl IntoView {
    let live = use_chat();
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let count = move || draft.with(|d| d.trim().chars().count());
    let send = move || match validate_body(&draft.get_untracked()) {
        Ok(body) => {
            live.send(room_id, body);
            draft.set(String::new());
            error.set(None);
        }
        Err(message) => error.set(Some(message)),
    };
    if blocked {
        return view! { <p class="muted center composer-blocked">"상대방이 대화를 받지 않고 있어요."</p> }.into_any();
    }
    // The draft lives outside the form, so a restriction that comes and goes keeps it.
    let restricted_notice = move || {
        view! {
            <p class="muted center composer-blocked" role="status" data-test="chat-restricted">
                {move || restricted.get().map(chat_blocked_message)}
            </p>
        }
    };
    view! {
        <Show when=move || restricted.get().is_none() fallback=restricted_notice>
        <form class="composer" data-test="composer" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(); }>
            {move || needs_safe_pay_warning(&draft.get()).then(|| view! {
                <p class="scam-warning" role="note" data-test="composer-warning">"⚠️ " {SAFE_PAY_WARNING}</p>
            })}
            <label class="sr-only" for="chat-input">"메시지"</label>
            <textarea id="chat-input" rows="1" placeholder="메시지를 입력하세요" data-test="chat-input"
                prop:value=move || draft.get()
                on:input=move |ev| { draft.set(event_target_value(&ev)); error.set(None); }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    // Enter sends; Shift+Enter is a new line; Enter that ends a Hangul
                    // syllable (IME composition) is not a send.
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }
            ></textarea>
            <span class="counter small" class:over={move || count() > MAX_MESSAGE_CHARS} data-test="chat-counter">
                {move || format!("{}/{MAX_MESSAGE_CHARS}", count())}
            </span>
            // Pressing the button must not take focus from the text box: on a phone that
            // closes the keyboard after every message.
            <button type="submit" class="button" data-test="chat-send"
                on:mousedown=|ev: leptos::ev::MouseEvent| ev.prevent_default()
                disabled={move || count() == 0 || count() > MAX_MESSAGE_CHARS}>"보내기"</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || (!live.connected.get()).then(|| view! {
                <p class="muted small" data-test="chat-offline">"연결 중… 보낸 메시지는 연결되면 전송돼요."</p>
            })}
        </form>
        </Show>
    }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::orders::types::EventKind;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, minute, 0).unwrap()
    }

    fn message(id: u64, minute: u32) -> ChatMessage {
        ChatMessage {
            id,
            room_id: 1,
            sender_id: 1,
            client_msg_id: format!("c{id}"),
            body: format!("m{id}"),
            created_at: at(minute),
            deleted: false,
        }
    }

    fn line(id: u64, minute: u32) -> TradeLine {
        TradeLine {
            id,
            order_id: 1,
            kind: EventKind::Paid,
            at: at(minute),
        }
    }

    fn keys(items: &[LogItem]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                LogItem::Message(m) => format!("m{}", m.id),
                LogItem::Trade(t) => format!("t{}", t.id),
            })
            .collect()
    }

    #[test]
    fn order_steps_fall_between_the_messages_by_time() {
        let messages = [message(10, 1), message(11, 3)];
        let lines = [line(1, 0), line(2, 2), line(3, 5)];
        assert_eq!(
            keys(&log_items(&messages, &lines, false)),
            ["t1", "m10", "t2", "m11", "t3"]
        );
        // Older messages still to load: the step before them waits with them.
        assert_eq!(
            keys(&log_items(&messages, &lines, true)),
            ["m10", "t2", "m11", "t3"]
        );
        assert_eq!(keys(&log_items(&[], &lines, false)), ["t1", "t2", "t3"]);
    }
}
