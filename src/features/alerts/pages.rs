use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{DeleteAlert, MarkAlertsSeen, SaveAlert, my_alerts};
use crate::error::AppError;
use crate::features::accounts::auth::use_auth;
use crate::features::listings::pages::ListingGrid;
use crate::ui::form::error_line;
use crate::ui::format::kst;
use crate::ui::format::percent_encode;
use crate::ui::login_needed::login_needed;

/// "알림 받기" for a search or a book; visitors are sent to log in first.
#[component]
pub fn AlertButton(
    #[prop(optional, into)] query: Option<String>,
    #[prop(optional, into)] isbn: Option<String>,
    /// Where to come back to after logging in.
    next: String,
) -> impl IntoView {
    let auth = use_auth();
    let save = ServerAction::<SaveAlert>::new();
    let label = if isbn.is_some() {
        "이 책이 새로 올라오면 알림 받기"
    } else {
        "이 검색 결과가 새로 올라오면 알림 받기"
    };
    let (query, isbn) = (query.unwrap_or_default(), isbn.unwrap_or_default());
    // Who is signed in is known only once `me` resolves: wait for it the way the header
    // does, so the server and the hydrating browser render the same thing.
    view! {
        <div class="alert-button" data-test="alert-box">
            <Transition fallback=|| ()>
                {move || {
                    let (query, isbn, next) = (query.clone(), isbn.clone(), next.clone());
                    Suspend::new(async move {
                        let signed_in = matches!(auth.me.await, Ok(Some(_)));
                        move || match (signed_in, save.value().get()) {
                            (_, Some(Ok(_))) => view! {
                                <p class="ok-line" data-test="alert-saved">
                                    "알림을 켰어요. " <A href="/me/alerts">"알림 관리"</A>
                                </p>
                            }.into_any(),
                            (true, result) => {
                                let (query, isbn) = (query.clone(), isbn.clone());
                                view! {
                                    <button type="button" class="button secondary small" data-test="alert-save"
                                        disabled=move || save.pending().get()
                                        on:click=move |_| { save.dispatch(SaveAlert { query: query.clone(), isbn: isbn.clone() }); }>
                                        {label}
                                    </button>
                                    {result.and_then(Result::err).map(|e| view! {
                                        <p class="form-error" role="alert">
                                            {e.field_message("query").or_else(|| e.field_message("isbn")).unwrap_or_else(|| e.to_string())}
                                        </p>
                                    })}
                                }.into_any()
                            }
                            (false, _) => view! {
                                <A href=format!("/login?next={}", percent_encode(&next)) attr:class="button secondary small">{label}</A>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

/// `/me/alerts`: the member's alerts and what matched them, newest first.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let delete = ServerAction::<DeleteAlert>::new();
    let seen = ServerAction::<MarkAlertsSeen>::new();
    let page = Resource::new(move || delete.version().get(), |_| my_alerts());
    // Looking at the page marks the matches seen (after they were shown as new).
    Effect::new(move |done: Option<bool>| {
        if done != Some(true) && matches!(page.get(), Some(Ok(_))) {
            seen.dispatch(MarkAlertsSeen {});
            return true;
        }
        done.unwrap_or(false)
    });
    view! {
        <Title text="알림 받는 책" />
        <h1 class="page-title">"알림 받는 책"</h1>
        <p class="muted small">"저장한 검색어나 책이 새로 올라오면 여기에 모여요."</p>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let new_count = p.hits.iter().filter(|h| !h.seen).count();
                        let cards = p.hits.iter().map(|h| h.card.clone()).collect::<Vec<_>>();
                        view! {
                            <ul class="alert-list" data-test="alert-list">
                                {p.alerts.is_empty().then(|| view! {
                                    <li class="empty-state">"아직 알림이 없어요. 검색 결과나 책 페이지에서 알림을 켜 보세요."</li>
                                })}
                                {p.alerts.into_iter().map(|a| {
                                    let id = a.id;
                                    view! {
                                        <li class="alert-row" data-test="alert-row">
                                            <span class="label">{a.label}</span>
                                            {(a.unseen > 0).then(|| view! { <span class="badge new">{format!("새 책 {}", a.unseen)}</span> })}
                                            <span class="muted small">{kst(a.created_at).format("%Y.%m.%d").to_string()}</span>
                                            <button type="button" class="link-button danger" data-test="alert-delete"
                                                on:click=move |_| { delete.dispatch(DeleteAlert { id }); }>"삭제"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <h2 class="section-title">
                                "알림으로 찾은 책"
                                {(new_count > 0).then(|| view! { <span class="badge new" data-test="new-hits">{format!("새 책 {new_count}")}</span> })}
                            </h2>
                            {if cards.is_empty() {
                                view! { <p class="empty-state">"아직 알림에 맞는 책이 올라오지 않았어요."</p> }.into_any()
                            } else {
                                view! { <ListingGrid items=cards /> }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(AppError::Unauthorized) => login_needed("/me/alerts".into()),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}
