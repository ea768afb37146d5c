//! The frame around every page: the header with search and account links, and the
//! bottom tabs on phones.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::features::accounts::auth::use_auth;
use crate::features::chat::pages::{ChatNavLink, ChatUnreadBadge};
use crate::features::notifications::pages::NoticeBell;

#[component]
pub fn Header() -> impl IntoView {
    let query = use_query_map();
    let location = leptos_router::hooks::use_location();
    // Echo the words only on the search page; other pages use `q` for their own boxes.
    let q = move || {
        location
            .pathname
            .with(|p| p == "/search")
            .then(|| query.read().get("q"))
            .flatten()
            .unwrap_or_default()
    };
    view! {
        <header class="site-header">
            <div class="container header-row">
                <A href="/" attr:class="logo" attr:aria-label="책빵 홈">
                    <img src="/favicon.svg" alt="" width="28" height="28" />
                    <span>"책빵"</span>
                </A>
                <form class="search-box" role="search" method="get" action="/search">
                    <label class="sr-only" for="header-q">"책 검색"</label>
                    <input
                        id="header-q"
                        type="search"
                        name="q"
                        maxlength="100"
                        placeholder="책 제목, 저자, ISBN 검색"
                        prop:value=q
                    />
                    <button type="submit" aria-label="검색">
                        <SearchIcon />
                    </button>
                </form>
                <nav class="account-nav" aria-label="계정">
                    <UserMenu />
                </nav>
            </div>
            <VerifyBanner />
        </header>
    }
}

#[component]
fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| view! { <span class="muted">"…"</span> }>
            {move || Suspend::new(async move {
                match auth.me.await {
                    Ok(Some(me)) => {
                        view! {
                            <A href="/sell" attr:class="button small sell-link">"판매하기"</A>
                            <ChatNavLink />
                            <NoticeBell />
                            <A href="/me" attr:class="me-link" attr:data-test="header-nickname">
                                {me.nickname}
                                "님"
                            </A>
                            <ActionForm action=auth.logout attr:class="inline">
                                <button type="submit" class="link-button" data-test="logout">
                                    "로그아웃"
                                </button>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    _ => {
                        view! {
                            <A href="/login" attr:class="nav-link">"로그인"</A>
                            <A href="/signup" attr:class="button small signup-link">"회원가입"</A>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// For a member who has not entered the code mailed at sign-up: why selling, chatting
/// and buying are refused, and where to fix it. Not on the verification page itself.
#[component]
fn VerifyBanner() -> impl IntoView {
    let auth = use_auth();
    let location = leptos_router::hooks::use_location();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let unverified = matches!(auth.me.await, Ok(Some(ref me)) if !me.email_verified);
                let here = location.pathname.with(|p| p == "/verify");
                (unverified && !here).then(|| view! {
                    <p class="verify-banner" role="status" data-test="verify-banner">
                        "이메일 인증 전이에요. "
                        <A href="/verify">"인증하고 거래 시작하기"</A>
                    </p>
                })
            })}
        </Transition>
    }
}

/// Thumb-reach navigation on phones; hidden on wide screens where the header has room.
#[component]
pub fn BottomNav() -> impl IntoView {
    view! {
        <nav class="bottom-nav" aria-label="주요 메뉴">
            <A href="/" exact=true>
                <NavIcon path="M3 11.5 12 4l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z" />
                <span>"홈"</span>
            </A>
            <A href="/search">
                <SearchIcon />
                <span>"검색"</span>
            </A>
            <A href="/sell">
                <NavIcon path="M12 4v16M4 12h16" />
                <span>"판매하기"</span>
            </A>
            <A href="/chat" attr:data-test="tab-chat">
                <span class="tab-icon">
                    <NavIcon path="M4 5h16v11H9l-5 4z" />
                    <ChatUnreadBadge />
                </span>
                <span>"채팅"</span>
            </A>
            <A href="/me">
                <NavIcon path="M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zm-8 9a8 8 0 0 1 16 0z" />
                <span>"내 정보"</span>
            </A>
        </nav>
    }
}

#[component]
fn NavIcon(path: &'static str) -> impl IntoView {
    view! {
        <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
        </svg>
    }
}

#[component]
fn SearchIcon() -> impl IntoView {
    view! {
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2.2" />
            <line x1="16.5" y1="16.5" x2="21" y2="21" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
        </svg>
    }
}
