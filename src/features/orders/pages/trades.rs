//! My trades (USER-PAYMENT-01): both sides, filtered by date and status, keyset paged.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::features::orders::api::trade_history;
use crate::features::orders::types::{OrderStatus, TradeCursor, TradeRole};
use crate::ui::form::error_line;
use crate::ui::format::{kst, won};
use crate::ui::login_needed::login_needed;

// ---- /me/trades ----

#[component]
pub fn TradesPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    // The side asked for; without one the server picks the side last traded on, and
    // the tabs follow what it shows.
    let asked = move || match get("role").as_str() {
        "seller" => Some(TradeRole::Seller),
        "buyer" => Some(TradeRole::Buyer),
        _ => None,
    };
    let shown = RwSignal::new(None::<TradeRole>);
    let role = move || asked().or_else(|| shown.get()).unwrap_or(TradeRole::Buyer);
    // A trade of the member's moved (live socket): the list fetches again.
    let moved = RwSignal::new(0u32);
    crate::features::chat::live::on_chat_frame(
        crate::features::chat::live::use_chat(),
        move |frame| {
            if matches!(
                frame,
                crate::features::chat::types::ServerFrame::Trade { .. }
            ) {
                moved.update(|n| *n += 1);
            }
        },
    );
    let page = Resource::new(
        move || {
            (
                asked(),
                moved.get(),
                get("from"),
                get("to"),
                get("status"),
                get("after_at"),
                get("after_id"),
            )
        },
        |(role, _, from, to, status, after_at, after_id)| {
            let after = chrono::DateTime::parse_from_rfc3339(&after_at)
                .ok()
                .zip(after_id.parse::<u64>().ok())
                .map(|(t, id)| TradeCursor {
                    created_at: t.with_timezone(&chrono::Utc),
                    id,
                });
            trade_history(role, from, to, status, after)
        },
    );
    let tab = move |r: TradeRole| {
        let href = match r {
            TradeRole::Buyer => "/me/trades?role=buyer",
            TradeRole::Seller => "/me/trades?role=seller",
        };
        view! {
            <A href=href attr:class=move || if role() == r { "tab current" } else { "tab" }
                attr:aria-current=move || (role() == r).then_some("page")>
                {format!("{} 내역", r.label())}
            </A>
        }
    };
    view! {
        <Title text="거래 내역" />
        <h1 class="page-title">"거래 내역"</h1>
        <nav class="tabs" aria-label="구매·판매">{tab(TradeRole::Buyer)} {tab(TradeRole::Seller)}</nav>
        <form class="trade-filter" method="get" action="/me/trades">
            <input type="hidden" name="role" prop:value=move || if role() == TradeRole::Seller { "seller" } else { "buyer" } />
            <label>"시작일" <input type="date" name="from" prop:value=move || get("from") /></label>
            <label>"종료일" <input type="date" name="to" prop:value=move || get("to") /></label>
            <label>
                "상태"
                <select name="status" data-test="trade-status">
                    <option value="" selected=move || get("status").is_empty()>"전체"</option>
                    {OrderStatus::ALL.iter().map(|s| {
                        let v = s.as_db();
                        view! { <option value=v selected=move || get("status") == v>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button secondary small">"조회"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                let answer = page.await;
                if let Ok(p) = &answer {
                    shown.set(Some(p.role));
                }
                match answer {
                    Ok(p) if p.items.is_empty() => view! { <p class="empty-state">"거래 내역이 없어요."</p> }.into_any(),
                    Ok(p) => {
                        let more = p.next.map(|c| {
                            let r = if role() == TradeRole::Seller { "seller" } else { "buyer" };
                            format!(
                                "/me/trades?role={r}&from={}&to={}&status={}&after_at={}&after_id={}",
                                get("from"), get("to"), get("status"),
                                c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace('+', "%2B"),
                                c.id
                            )
                        });
                        view! {
                            <ul class="trade-list" data-test="trade-list">
                                {p.items.into_iter().map(|t| view! {
                                    <li class="trade-row" data-test="trade-row">
                                        <A href=format!("/orders/{}", t.id)>
                                            <span class="title">{t.title}</span>
                                            <span class="price">{won(t.amount)}</span>
                                            <span class=format!("badge order-{}", t.status.as_db())>{t.status.label()}</span>
                                            <span class="muted small">
                                                {format!("{} · {} · {}", kst(t.created_at).format("%Y.%m.%d %H:%M"), t.order_no, t.counterpart)}
                                            </span>
                                        </A>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {more.map(|href| view! { <A href=href attr:class="button secondary block">"더 보기"</A> })}
                        }
                        .into_any()
                    }
                    Err(AppError::Unauthorized) => login_needed("/me/trades".into()),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}
