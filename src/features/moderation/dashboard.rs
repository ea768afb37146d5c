//! `/admin`: the moderation dashboard's front page. The last 30 days in numbers, reported listings (take down or
//! dismiss, each reporter and the seller told), the way to the chat part, and the audit
//! log of what admins did. Admins only: the server functions check, the page shows it.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{CloseListingReports, audit_log, daily_stats, impose_sanction, listing_reports};
use super::types::{
    AuditEntry, AuditPage, DayStats, ListingReportOutcome, ListingReportQueue, ReportedListing,
    STATS_DAYS, SUSPEND_DAYS, SanctionKind,
};
use crate::error::AppError;
use crate::features::photos::types::thumb_url;
use crate::ui::form::error_line;
use crate::ui::format::{korean_datetime, now_utc, relative_time, won};
use crate::ui::login_needed::login_needed;
use crate::ui::paging::more_loader;

#[component]
pub fn AdminPage() -> impl IntoView {
    let close = ServerAction::<CloseListingReports>::new();
    // Resources at the top of the page (outside any <Transition>): the queue follows
    // each decision, the log too, since each decision writes an entry.
    let queue = Resource::new(move || close.version().get(), |_| listing_reports(None));
    let log = Resource::new(move || close.version().get(), |_| audit_log(0));
    let stats = Resource::new(|| (), |_| daily_stats());
    // What the admin typed as a reason, per listing: kept when the queue is fetched again
    // (a refused take-down must not lose it).
    let notes = RwSignal::new(HashMap::<u64, String>::new());
    view! {
        <Title text="관리자" />
        <h1 class="page-title">"관리자"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(first) => view! {
                        <nav class="admin-nav" aria-label="관리 메뉴">
                            <A href="/admin/chat" attr:class="button secondary" attr:data-test="admin-chat-link">"채팅 신고·금지어"</A>
                        </nav>
                        <StatsSection stats />
                        <ListingReportsSection first close notes />
                        <AuditSection log />
                    }.into_any(),
                    Err(AppError::Unauthorized) => login_needed("/admin".into()),
                    Err(AppError::Forbidden) => view! {
                        <section class="empty-state" data-test="admin-only">
                            <p>"관리자만 볼 수 있는 페이지예요."</p>
                        </section>
                    }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn ListingReportsSection(
    first: ListingReportQueue,
    close: ServerAction<CloseListingReports>,
    notes: RwSignal<HashMap<u64, String>>,
) -> impl IntoView {
    let more = RwSignal::new(Vec::<ReportedListing>::new());
    let next = RwSignal::new(first.next);
    let load_more = more_loader(more, next, |after| async move {
        let page = listing_reports(Some(after)).await.ok()?;
        Some((page.items, page.next))
    });
    let empty = first.items.is_empty();
    view! {
        <section class="admin-section" data-test="listing-reports" aria-labelledby="listing-reports-title">
            <h2 class="section-title" id="listing-reports-title">"신고된 판매글"</h2>
            {move || close.value().get().and_then(Result::err).map(error_line)}
            {empty.then(|| view! { <p class="empty-state small" data-test="listing-reports-empty">"처리할 신고가 없어요."</p> })}
            <ul class="report-list">
                {first.items.into_iter().map(|l| view! { <ReportedListingCard listing=l close notes /> }).collect_view()}
                <For each=move || more.get() key=|l| l.listing_id let:listing>
                    <ReportedListingCard listing close notes />
                </For>
            </ul>
            <Show when=move || next.get().is_some()>
                <button type="button" class="button secondary block" on:click=load_more>"더 보기"</button>
            </Show>
        </section>
    }
}

/// One reported listing as buyers see it, the seller's record and every open report.
/// Taking down cannot be undone from here, so it asks once more.
#[component]
fn ReportedListingCard(
    listing: ReportedListing,
    close: ServerAction<CloseListingReports>,
    notes: RwSignal<HashMap<u64, String>>,
) -> impl IntoView {
    let id = listing.listing_id;
    let confirming = RwSignal::new(false);
    let decide = move |outcome: ListingReportOutcome| {
        let note = notes.with_untracked(|n| n.get(&id).cloned().unwrap_or_default());
        close.dispatch(CloseListingReports {
            listing: id,
            outcome,
            note,
        });
    };
    let now = now_utc();
    let status = match listing.status {
        Some(s) => s.label(),
        None => "판매자가 삭제함",
    };
    let description: String = listing.description.chars().take(300).collect();
    let note_id = format!("note-{id}");
    let removed_before = listing.seller_removed_before > 0;
    let seller_id = listing.seller_id;
    let seller_nickname = listing.seller_nickname.clone();
    let other_open = listing.seller_other_open > 0;
    view! {
        <li class="report-card" data-test="reported-listing">
            <div class="reported-listing">
                {listing.cover_photo.map(|key| view! {
                    <img class="thumb" src=thumb_url(&key) alt="" width="64" height="64" loading="lazy" />
                })}
                <div>
                    <p class="report-head">
                        <a href=format!("/listings/{id}") data-test="reported-title"><strong>{listing.title.clone()}</strong></a>
                        <span class="muted small">" · " {listing.author.clone()}</span>
                    </p>
                    <p class="small">{won(listing.price)} " · " <span data-test="reported-status">{status}</span></p>
                </div>
            </div>
            {(!description.is_empty()).then(|| view! { <blockquote class="report-body">{description}</blockquote> })}
            <ul class="report-facts small">
                <li>
                    {format!("판매자 {} · {} 가입", listing.seller_nickname, korean_datetime(listing.seller_joined))}
                </li>
                <li class:warn=removed_before data-test="seller-removed-before">
                    {format!("신고로 내려진 다른 판매글 {}건", listing.seller_removed_before)}
                </li>
                <li class:warn=other_open>
                    {format!("다른 판매글에 대기 중인 신고 {}건", listing.seller_other_open)}
                </li>
            </ul>
            <ul class="report-lines small" data-test="report-lines">
                {listing.reports.into_iter().map(|r| view! {
                    <li>
                        <span class="badge reason">{r.reason.label()}</span>
                        " " {r.reporter_nickname} <span class="muted">" · " {relative_time(r.at, now)}</span>
                        {(r.reporter_dismissed > 0).then(|| view! { <span class="muted">{format!(" · 기각된 신고 {}건", r.reporter_dismissed)}</span> })}
                        {(!r.detail.is_empty()).then(|| view! { <p class="report-detail">{r.detail}</p> })}
                    </li>
                }).collect_view()}
            </ul>
            <label class="small" for=note_id.clone()>"판매자에게 알릴 사유 (선택)"</label>
            <input id=note_id type="text" maxlength="200" data-test="report-note"
                prop:value=move || notes.with(|n| n.get(&id).cloned().unwrap_or_default())
                on:input:target=move |ev| { notes.update(|n| { n.insert(id, ev.target().value()); }); } />
            <SanctionForm member=seller_id nickname=seller_nickname />
            <div class="report-actions">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="button small danger-fill" data-test="listing-remove"
                            disabled=move || close.pending().get()
                            on:click=move |_| confirming.set(true)>"판매글 내리기"</button>
                        <button type="button" class="button small secondary" data-test="listing-dismiss"
                            disabled=move || close.pending().get()
                            on:click=move |_| decide(ListingReportOutcome::Dismissed)>"문제없음"</button>
                    }
                >
                    <span class="small">"판매글이 내려가고 판매자와 신고한 회원에게 알려요."</span>
                    <button type="button" class="button small danger-fill" data-test="listing-remove-confirm"
                        disabled=move || close.pending().get()
                        on:click=move |_| decide(ListingReportOutcome::Removed)>"내리기"</button>
                    <button type="button" class="button small secondary"
                        on:click=move |_| confirming.set(false)>"취소"</button>
                </Show>
            </div>
        </li>
    }
}

/// What admins did, newest first. Read-only: the log cannot be changed by anyone.
#[component]
fn AuditSection(log: Resource<Result<AuditPage, AppError>>) -> impl IntoView {
    let more = RwSignal::new(Vec::<AuditEntry>::new());
    let next = RwSignal::new(None::<u64>);
    let load_more = more_loader(more, next, |before| async move {
        let page = audit_log(before).await.ok()?;
        Some((page.items, page.next))
    });
    view! {
        <section class="admin-section" data-test="audit-log" aria-labelledby="audit-title">
            <h2 class="section-title" id="audit-title">"관리 기록"</h2>
            <p class="muted small">"관리자가 한 일은 모두 여기에 남고, 누구도 고치거나 지울 수 없어요."</p>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(page) => {
                            more.set(Vec::new());
                            next.set(page.next);
                            if page.items.is_empty() {
                                return view! { <p class="empty-state small">"기록이 없어요."</p> }.into_any();
                            }
                            view! {
                                <ol class="audit-list">
                                    {page.items.into_iter().map(|e| view! { <AuditRow entry=e /> }).collect_view()}
                                    <For each=move || more.get() key=|e| e.id let:entry>
                                        <AuditRow entry />
                                    </For>
                                </ol>
                                <Show when=move || next.get().is_some()>
                                    <button type="button" class="button secondary block" on:click=load_more>"더 보기"</button>
                                </Show>
                            }.into_any()
                        }
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let target = entry.action.target_link(entry.target_id).map(|href| {
        view! { <a href=href>{format!("#{}", entry.target_id)}</a> }
    });
    view! {
        <li class="audit-entry" data-test="audit-entry">
            <time class="muted small" datetime=entry.at.to_rfc3339()>{korean_datetime(entry.at)}</time>
            " " <strong>{entry.admin_nickname}</strong>
            " · " <span data-test="audit-action">{entry.action.label()}</span>
            " " {target}
            {(!entry.detail.is_empty()).then(|| view! { <span class="muted">" · " {entry.detail}</span> })}
        </li>
    }
}

/// 지난 30일: one small bar chart per measure, with the exact numbers in a table.
#[component]
fn StatsSection(stats: Resource<Result<Vec<DayStats>, AppError>>) -> impl IntoView {
    view! {
        <section class="admin-section" data-test="admin-stats" aria-labelledby="stats-title">
            <h2 class="section-title" id="stats-title">{format!("최근 {STATS_DAYS}일")}</h2>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(days) => view! {
                            <div class="stat-charts">
                                <StatChart days=days.clone() name="가입" unit="명" value=|d: &DayStats| i64::from(d.signups) />
                                <StatChart days=days.clone() name="판매글" unit="개" value=|d: &DayStats| i64::from(d.listings) />
                                <StatChart days=days.clone() name="주문" unit="건" value=|d: &DayStats| i64::from(d.orders) />
                                <StatChart days=days.clone() name="거래액" unit="원" value=|d: &DayStats| d.gmv />
                            </div>
                            <StatsTable days />
                        }.into_any(),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Bars per day, the tallest day at full height; each bar says its day and value.
#[component]
fn StatChart(
    days: Vec<DayStats>,
    name: &'static str,
    unit: &'static str,
    value: fn(&DayStats) -> i64,
) -> impl IntoView {
    const WIDTH: i64 = 300;
    const HEIGHT: i64 = 72;
    let values: Vec<i64> = days.iter().map(value).collect();
    let total: i64 = values.iter().sum();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let slot = WIDTH / i64::from(STATS_DAYS);
    let amount = move |v: i64| {
        if unit == "원" {
            won(v)
        } else {
            format!("{v}{unit}")
        }
    };
    let label = format!("{name}: 최근 {STATS_DAYS}일 합계 {}", amount(total));
    let bars = days
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (d, v))| {
            let h = (v * HEIGHT / max).max(if v > 0 { 2 } else { 0 });
            let x = i as i64 * slot;
            view! {
                <rect x=x y=HEIGHT - h width=slot - 2 height=h rx="1">
                    <title>{format!("{} {}", d.day.format("%m.%d"), amount(v))}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="stat-chart" data-test="stat-chart">
            <figcaption>
                <span>{name}</span>
                <strong data-test="stat-total">{amount(total)}</strong>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label preserveAspectRatio="none">
                {bars}
            </svg>
        </figure>
    }
}

/// The same numbers as a table, for exact values and screen readers.
#[component]
fn StatsTable(days: Vec<DayStats>) -> impl IntoView {
    view! {
        <details class="stats-table">
            <summary>"날짜별 숫자 보기"</summary>
            <table>
                <thead>
                    <tr><th scope="col">"날짜"</th><th scope="col">"가입"</th><th scope="col">"판매글"</th><th scope="col">"주문"</th><th scope="col">"거래액"</th></tr>
                </thead>
                <tbody>
                    {days.into_iter().rev().map(|d| view! {
                        <tr>
                            <th scope="row">{d.day.format("%m.%d").to_string()}</th>
                            <td>{d.signups}</td>
                            <td>{d.listings}</td>
                            <td>{d.orders}</td>
                            <td>{won(d.gmv)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// 판매자 제재: a warning, a suspension or a ban, with the reason the member is told.
/// What was typed stays after a refusal.
#[component]
fn SanctionForm(member: u64, nickname: String) -> impl IntoView {
    // "warn", "ban", or a suspension's days ("7").
    let choice = RwSignal::new("warn".to_owned());
    let reason = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, AppError>>);
    let id = format!("sanction-{member}");
    let reason_id = format!("sanction-reason-{member}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let picked = choice.get_untracked();
        let (kind, days, done) = match picked.as_str() {
            "warn" => (SanctionKind::Warn, 0, "경고했어요.".to_owned()),
            "ban" => (SanctionKind::Ban, 0, "영구 정지했어요.".to_owned()),
            days => {
                let days = days.parse().unwrap_or(0);
                (SanctionKind::Suspend, days, format!("{days}일 정지했어요."))
            }
        };
        if kind == SanctionKind::Ban
            && !crate::ui::browser::confirm("이 회원을 영구 정지할까요? 로그인할 수 없게 돼요.")
        {
            return;
        }
        pending.set(true);
        let reason = reason.get_untracked();
        spawn_local(async move {
            let result = impose_sanction(member, kind, days, reason)
                .await
                .map(|()| done);
            outcome.try_set(Some(result));
            pending.try_set(false);
        });
    };
    view! {
        <form class="sanction-form" data-test="sanction-form" on:submit=submit>
            <label class="small" for=id.clone()>{format!("{nickname}님 제재")}</label>
            <select id=id data-test="sanction-kind"
                prop:value=move || choice.get()
                on:change:target=move |ev| choice.set(ev.target().value())>
                <option value="warn">"경고"</option>
                {SUSPEND_DAYS.into_iter().map(|d| view! {
                    <option value=d.to_string()>{format!("{d}일 이용 정지")}</option>
                }).collect_view()}
                <option value="ban">"영구 정지"</option>
            </select>
            <label class="sr-only" for=reason_id.clone()>"회원에게 알릴 사유"</label>
            <input id=reason_id type="text" maxlength="300" placeholder="회원에게 알릴 사유" data-test="sanction-reason"
                prop:value=move || reason.get()
                on:input:target=move |ev| reason.set(ev.target().value()) />
            <button type="submit" class="button small secondary" data-test="sanction-submit"
                disabled=move || pending.get()>"제재하기"</button>
            {move || outcome.get().map(|r| match r {
                Ok(done) => view! { <p class="muted small" role="status" data-test="sanction-done">{done}</p> }.into_any(),
                Err(e) => error_line(e),
            })}
        </form>
    }
}
