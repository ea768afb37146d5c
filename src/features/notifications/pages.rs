//! 알림: the bell in the header (unread count) and the list at `/notifications`, with
//! 모두 읽음 and the per-kind switches.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{
    notice_settings, notices, read_all_notices, read_notice, set_notice_setting, unread_notices,
};
use super::types::{Notice, NoticeCursor, NoticeSetting};
use crate::error::AppError;
use crate::features::accounts::auth::use_auth;
use crate::features::chat::live::use_chat;
use crate::ui::form::error_line;
use crate::ui::format::{korean_datetime, now_utc, relative_time};
use crate::ui::login_needed::login_needed;

/// The member's unread notice count, shared by the bell and the list page.
#[derive(Clone, Copy)]
pub struct NoticeCount {
    count: RwSignal<u32>,
    /// Bumped to count again (a notice read, all read).
    recount: RwSignal<u32>,
}

impl NoticeCount {
    pub fn recount(self) {
        self.recount.update(|n| *n += 1);
    }
}

/// Made once by the app. Counts again when the member changes, when live activity
/// arrives and when asked (the bell asks on every page change). Browser only, so the
/// server and the first render say 0.
pub fn provide_notice_count() {
    let auth = use_auth();
    let live = use_chat();
    let count = RwSignal::new(0u32);
    let recount = RwSignal::new(0u32);
    Effect::new(move |_| {
        live.activity.track();
        recount.track();
        if !matches!(auth.me.get(), Some(Ok(Some(_)))) {
            count.set(0);
            return;
        }
        spawn_local(async move {
            if let Ok(n) = unread_notices().await {
                count.try_set(n);
            }
        });
    });
    provide_context(NoticeCount { count, recount });
}

/// 🔔 with the unread count, in the header for signed-in members.
#[component]
pub fn NoticeBell() -> impl IntoView {
    let counter = expect_context::<NoticeCount>();
    let count = counter.count;
    // Each page change counts again: what happened meanwhile shows on the next page.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<()>| {
        location.pathname.track();
        if previous.is_some() {
            counter.recount();
        }
    });
    view! {
        <A href="/notifications" attr:class="nav-link bell" attr:data-test="notice-bell">
            <span class="sr-only">"알림"</span>
            <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M6 17V11a6 6 0 0 1 12 0v6l2 2H4zM10 21h4" fill="none" stroke="currentColor"
                    stroke-width="2" stroke-linejoin="round" stroke-linecap="round" />
            </svg>
            <span class="badge unread" data-test="notice-unread" class:hidden=move || count.get() == 0>
                {move || if count.get() > 99 { "99+".to_owned() } else { count.get().to_string() }}
            </span>
            <span class="sr-only">{move || format!("읽지 않은 알림 {}개", count.get())}</span>
        </A>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let counter = expect_context::<NoticeCount>();
    let reload = RwSignal::new(0u32);
    let first = Resource::new(move || reload.get(), |_| notices(None));
    let settings = Resource::new(|| (), |_| notice_settings());
    // Pages after the first, appended by 더 보기.
    let more = RwSignal::new(Vec::<Notice>::new());
    let next = RwSignal::new(None::<NoticeCursor>);
    let loading = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);

    let read_all = move |_| {
        spawn_local(async move {
            match read_all_notices().await {
                Ok(()) => {
                    more.set(Vec::new());
                    reload.update(|n| *n += 1);
                    counter.recount();
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let load_more = move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        loading.set(true);
        spawn_local(async move {
            match notices(Some(cursor)).await {
                Ok(page) => {
                    more.update(|m| m.extend(page.items));
                    next.set(page.next);
                }
                Err(e) => failed.set(Some(e)),
            }
            loading.try_set(false);
        });
    };

    view! {
        <Title text="알림" />
        <section class="notices">
            <div class="page-head">
                <h1>"알림"</h1>
                <button type="button" class="button secondary small" on:click=read_all data-test="read-all">
                    "모두 읽음"
                </button>
            </div>
            {move || failed.get().map(error_line)}
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => {
                            // A fresh first page starts the paging again.
                            next.set(page.next);
                            more.set(Vec::new());
                            if page.items.is_empty() {
                                return view! {
                                    <p class="empty-state" data-test="no-notices">"아직 받은 알림이 없어요."</p>
                                }.into_any();
                            }
                            view! {
                                <ul class="notice-list" data-test="notice-list">
                                    {page.items.into_iter().map(|n| view! { <NoticeRow notice=n /> }).collect_view()}
                                    {move || more.get().into_iter().map(|n| view! { <NoticeRow notice=n /> }).collect_view()}
                                </ul>
                                {move || next.get().map(|_| view! {
                                    <button type="button" class="button secondary block" on:click=load_more
                                        disabled=move || loading.get() data-test="more-notices">"더 보기"</button>
                                })}
                            }.into_any()
                        }
                        Err(AppError::Unauthorized) => login_needed("/notifications".into()),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    settings.await.ok().map(|s| view! { <NoticeSettings initial=s /> })
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NoticeRow(notice: Notice) -> impl IntoView {
    let counter = expect_context::<NoticeCount>();
    let read = RwSignal::new(notice.read);
    let id = notice.id;
    let open = move |_| {
        if !read.get_untracked() {
            read.set(true);
            spawn_local(async move {
                if read_notice(id).await.is_ok() {
                    counter.recount();
                }
            });
        }
    };
    view! {
        <li class="notice" class:unread=move || !read.get() data-test="notice">
            <A href=notice.link on:click=open>
                <span class="kind">{notice.kind.label()}</span>
                <span class="body">{notice.body}</span>
                <time datetime=notice.at.to_rfc3339() title=korean_datetime(notice.at)>
                    {relative_time(notice.at, now_utc())}
                </time>
            </A>
        </li>
    }
}

/// 알림 설정: one switch per kind; a change is saved at once.
#[component]
fn NoticeSettings(initial: Vec<NoticeSetting>) -> impl IntoView {
    let current = RwSignal::new(initial);
    let error = RwSignal::new(None::<AppError>);
    // Saving takes a round trip; saying so tells the member it is safe to leave.
    let saved = RwSignal::new(false);
    view! {
        <h2>"알림 설정"</h2>
        <ul class="notice-settings" data-test="notice-settings">
            {move || current.get().into_iter().map(|s| {
                let kind = s.kind;
                view! {
                    <li>
                        <label class="check" data-test=format!("setting-{}", kind.as_db())>
                            <input type="checkbox" prop:checked=s.enabled on:change:target=move |ev| {
                                let enabled = ev.target().checked();
                                saved.set(false);
                                spawn_local(async move {
                                    match set_notice_setting(kind, enabled).await {
                                        Ok(s) => {
                                            current.try_set(s);
                                            error.try_set(None);
                                            saved.try_set(true);
                                        }
                                        Err(e) => {
                                            error.try_set(Some(e));
                                        }
                                    }
                                });
                            } />
                            <span>{kind.setting_label()}</span>
                        </label>
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="muted small" role="status" data-test="settings-saved">
            {move || saved.get().then_some("저장했어요.")}
        </p>
        {move || error.get().map(error_line)}
    }
}
