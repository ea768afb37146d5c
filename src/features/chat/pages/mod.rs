//! Chat pages: the room list (`/chat`), one conversation (`/chat/:id`), the "채팅하기"
//! button on a listing and the header's unread badge.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::features::chat::api::{OpenChat, chat_unread};
use crate::features::chat::live::{on_chat_frame, use_chat};
use crate::features::chat::types::ServerFrame;

use crate::features::accounts::auth::use_auth;
use crate::ui::form::error_line;
use crate::ui::format::percent_encode;

mod list;
mod room;

pub use list::*;
pub use room::*;

/// "채팅하기" on a listing: opens (or reuses) the caller's room for it.
#[component]
pub fn ChatButton(listing: u64) -> impl IntoView {
    let auth = use_auth();
    let open = ServerAction::<OpenChat>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(room)) = open.value().get() {
            navigate(&format!("/chat/{room}"), Default::default());
        }
    });
    let next = percent_encode(&format!("/listings/{listing}"));
    view! {
        <Transition fallback=|| ()>
            {move || {
                let next = next.clone();
                Suspend::new(async move {
                    let signed_in = matches!(auth.me.await, Ok(Some(_)));
                    if signed_in {
                        view! {
                            <button type="button" class="button block secondary chat-button" data-test="chat-open"
                                disabled=move || open.pending().get()
                                on:click=move |_| { open.dispatch(OpenChat { listing }); }>
                                "채팅하기"
                            </button>
                            {move || open.value().get().and_then(Result::err).map(error_line)}
                        }.into_any()
                    } else {
                        view! {
                            <A href=format!("/login?next={next}") attr:class="button block secondary chat-button">"채팅하기"</A>
                        }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

/// The signed-in member's unread message count, shared by every badge on the page
/// (header and bottom tab) so it is fetched once per change.
#[derive(Clone, Copy)]
pub struct Unread(RwSignal<u32>);

/// Made once by the app: refreshes the count when chat activity arrives or the member
/// changes. Browser only (effects do not run on the server), so both render 0 first.
pub fn provide_unread() {
    let live = use_chat();
    let auth = use_auth();
    let unread = RwSignal::new(0u32);
    Effect::new(move |_| {
        live.activity.track();
        let signed_in = matches!(auth.me.get(), Some(Ok(Some(_))));
        if !signed_in {
            unread.set(0);
            return;
        }
        spawn_local(async move {
            if let Ok(n) = chat_unread().await {
                unread.set(n);
            }
        });
    });
    provide_context(Unread(unread));
}

/// The unread count as a badge (hidden at 0), with its words for screen readers.
#[component]
pub fn ChatUnreadBadge() -> impl IntoView {
    let Unread(unread) = expect_context::<Unread>();
    view! {
        <span class="badge unread" data-test="chat-unread" class:hidden=move || unread.get() == 0>
            {move || if unread.get() > 99 { "99+".to_owned() } else { unread.get().to_string() }}
        </span>
        <span class="sr-only">{move || format!("읽지 않은 메시지 {}개", unread.get())}</span>
    }
}

/// "채팅" in the header (wide screens), with the unread badge.
#[component]
pub fn ChatNavLink() -> impl IntoView {
    view! {
        <A href="/chat" attr:class="nav-link chat-link" attr:data-test="chat-link">
            "채팅"
            <ChatUnreadBadge />
        </A>
    }
}

// ---- /chat ----

/// "OO님이 새 메시지를 보냈습니다." (CHAT_003) for a message in a room this tab is not
/// showing, unless the member muted that room. Browser only; gone after six seconds.
#[component]
pub fn ChatToast() -> impl IntoView {
    let live = use_chat();
    let auth = use_auth();
    let location = leptos_router::hooks::use_location();
    // Text, room, and the message it is for.
    let toast = RwSignal::new(None::<(String, u64, u64)>);
    on_chat_frame(live, move |frame| {
        let ServerFrame::Msg {
            msg,
            sender_nickname,
            notify,
        } = frame
        else {
            return;
        };
        let me = auth
            .me
            .get_untracked()
            .and_then(Result::ok)
            .flatten()
            .map(|m| m.id);
        let showing = location.pathname.get_untracked() == format!("/chat/{}", msg.room_id);
        if *notify && me != Some(msg.sender_id) && !showing {
            toast.set(Some((
                format!("{sender_nickname}님이 새 메시지를 보냈습니다."),
                msg.room_id,
                msg.id,
            )));
            // Only this toast: a newer one keeps its own six seconds.
            let shown = msg.id;
            set_timeout(
                move || {
                    if toast.get_untracked().is_some_and(|(_, _, id)| id == shown) {
                        toast.set(None);
                    }
                },
                std::time::Duration::from_secs(6),
            );
        }
    });
    // Opening the room by any way (the list, a link, the tabs) answers its toast.
    Effect::new(move |_| {
        let path = location.pathname.get();
        if toast
            .get_untracked()
            .is_some_and(|(_, room, _)| path == format!("/chat/{room}"))
        {
            toast.set(None);
        }
    });
    view! {
        {move || toast.get().map(|(text, room, _)| view! {
            <div class="toast" role="status" data-test="chat-toast">
                <A href=format!("/chat/{room}") on:click=move |_| toast.set(None)>{text}</A>
                <button type="button" class="link-button small" aria-label="닫기" on:click=move |_| toast.set(None)>"✕"</button>
            </div>
        })}
    }
}
