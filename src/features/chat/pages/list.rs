//! /chat: the member's rooms, newest message first.

use crate::error::AppError;
use crate::features::chat::api::chat_rooms;
use crate::features::chat::live::{on_chat_frame, use_chat};
use crate::features::chat::types::{RoomSummary, ServerFrame};
use crate::features::photos::types::thumb_url;
use crate::ui::form::error_line;
use crate::ui::format::{now_utc, relative_time};
use crate::ui::login_needed::login_needed;
use crate::ui::paging::more_loader;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn ChatListPage() -> impl IntoView {
    let live = use_chat();
    let version = RwSignal::new(0u32);
    let first = Resource::new(move || version.get(), |_| chat_rooms(String::new()));
    let more = RwSignal::new(Vec::<RoomSummary>::new());
    let next = RwSignal::new(None::<String>);
    // A new message anywhere reorders the list: fetch the first page again.
    on_chat_frame(live, move |frame| {
        if !matches!(
            frame,
            ServerFrame::Ack { .. } | ServerFrame::Refused { .. } | ServerFrame::Pong
        ) {
            version.update(|v| *v += 1);
        }
    });
    let load_more = more_loader(more, next, |cursor| async move {
        let page = chat_rooms(cursor).await.ok()?;
        Some((page.rooms, page.next))
    });
    view! {
        <Title text="채팅" />
        <h1 class="page-title">"채팅"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(page) => {
                        more.set(Vec::new());
                        next.set(page.next.clone());
                        if page.rooms.is_empty() {
                            return view! {
                                <section class="empty-state" data-test="chat-empty">
                                    <p>"아직 대화가 없어요."</p>
                                    <p class="muted small">"마음에 드는 책을 찾으면 판매글에서 ‘채팅하기’를 눌러 보세요."</p>
                                    <A href="/search" attr:class="button">"책 찾아보기"</A>
                                </section>
                            }.into_any();
                        }
                        view! {
                            <ul class="room-list" data-test="room-list">
                                {page.rooms.into_iter().map(|r| view! { <RoomRow room=r /> }).collect_view()}
                                <For each=move || more.get() key=|r| r.id let:room>
                                    <RoomRow room />
                                </For>
                            </ul>
                            <Show when=move || next.get().is_some()>
                                <button type="button" class="button secondary block" on:click=load_more>"더 보기"</button>
                            </Show>
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => login_needed("/chat".into()),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

#[component]
pub(super) fn RoomRow(room: RoomSummary) -> impl IntoView {
    let when = relative_time(room.last_message_at, now_utc());
    let preview = if room.last_message.is_empty() {
        "대화를 시작해 보세요.".to_owned()
    } else {
        room.last_message.clone()
    };
    view! {
        <li class="room-row" data-test="room-row">
            <a class="card-link" href=format!("/chat/{}", room.id) aria-label=format!("{} · {}", room.title, room.other_nickname)></a>
            <Cover cover=room.cover.clone() />
            <div class="room-text">
                <p class="room-title">
                    <span class="nickname">{room.other_nickname.clone()}</span>
                    <span class="muted small">{room.title.clone()}</span>
                    {room.muted.then(|| view! { <span class="muted small" title="알림 꺼짐">" 🔕"</span> })}
                </p>
                <p class="room-preview" data-test="room-preview">{room.last_from_me.then_some("나: ")}{preview}</p>
            </div>
            <div class="room-meta">
                <span class="muted small" data-test="room-time">{when}</span>
                {(room.unread > 0).then(|| view! {
                    <span class="badge unread" data-test="room-unread">{room.unread.min(999)}</span>
                })}
            </div>
        </li>
    }
}

#[component]
pub(super) fn Cover(cover: Option<String>) -> impl IntoView {
    match cover {
        Some(key) => view! { <img class="room-cover" src=thumb_url(&key) alt="" width="48" height="48" loading="lazy" /> }.into_any(),
        None => view! {
            <span class="room-cover placeholder" aria-hidden="true">
                <svg width="24" height="24" viewBox="0 0 24 24">
                    <path d="M4 5.5C6.5 4 9.5 4 12 6c2.5-2 5.5-2 8-.5V19c-2.5-1.5-5.5-1.5-8 .5-2.5-2-5.5-2-8-.5z M12 6v13.5"
                        fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
                </svg>
            </span>
        }.into_any(),
    }
}

// ---- /chat/:id ----
