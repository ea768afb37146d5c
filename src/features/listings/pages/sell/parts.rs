//! The sale form's smaller pieces: the book card, category picker, price guide and chart.

use crate::error::AppError;
use crate::features::catalog::types::{BookInfo, CategoryNode};
use crate::features::listings::types::{
    ListingDetail, ListingInput, PriceGuide, SoldPoint, parse_price,
};
use crate::ui::format::won;
use leptos::prelude::*;
use leptos_router::components::A;

pub(super) fn login_required(next: &str) -> AnyView {
    view! {
        <div class="empty-state" data-test="login-required">
            <p>"책을 팔려면 로그인해 주세요."</p>
            <A href=format!("/login?next={next}") attr:class="button">"로그인"</A>
        </div>
    }
    .into_any()
}

pub(super) fn input_from(l: &ListingDetail) -> ListingInput {
    ListingInput {
        isbn: l.isbn13.clone(),
        category_id: l.category_id,
        price: l.price.to_string(),
        condition: Some(l.condition),
        checklist: l.checklist,
        parcel: l.parcel,
        pickup: l.pickup,
        meet: l.meet,
        meet_label: l.meet_label.clone().unwrap_or_default(),
        meet_lat: l.meet_lat,
        meet_lng: l.meet_lng,
        pay_safe: l.pay_safe,
        pay_transfer: l.pay_transfer,
        pay_cash: l.pay_cash,
        description: l.description.clone(),
        photos: l.photos.clone(),
        version: l.version,
        ..Default::default()
    }
}

#[component]
pub(super) fn Check(
    label: &'static str,
    value: RwSignal<bool>,
    #[prop(optional, into)] on_toggle: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <label class="check">
            <input type="checkbox" bind:checked=value on:change=move |_| {
                if let Some(cb) = on_toggle {
                    cb.run(());
                }
            } />
            <span>{label}</span>
        </label>
    }
}

#[component]
pub(super) fn BookCard(book: BookInfo) -> impl IntoView {
    view! {
        <div class="book-card" data-test="book-card">
            <div class="cover" aria-hidden="true">
                <span>{book.title.chars().next().map(String::from).unwrap_or_default()}</span>
            </div>
            <div>
                <p class="title">{book.title.clone()}</p>
                <p class="muted small">{book.author.clone()} " · " {book.publisher.clone()}</p>
                <p class="muted small">"ISBN " {book.isbn13.clone()}</p>
            </div>
        </div>
    }
}

/// The whole tree is small, so it loads once and each level is a plain select.
#[component]
pub(super) fn CategoryPicker(
    value: RwSignal<Option<u32>>,
    tree: Resource<Result<Vec<CategoryNode>, AppError>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted small">"분야 불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                let nodes = tree.await.unwrap_or_default();
                let nodes = StoredValue::new(nodes);
                view! {
                    <div class="category-picker" data-test="category-picker">
                        {move || {
                            let chosen = chain(&nodes.read_value(), value.get());
                            let mut levels = Vec::new();
                            let mut parent: Option<u32> = None;
                            for depth in 0..=chosen.len() {
                                let options: Vec<CategoryNode> = nodes
                                    .read_value()
                                    .iter()
                                    .filter(|n| n.parent_id == parent)
                                    .cloned()
                                    .collect();
                                if options.is_empty() {
                                    break;
                                }
                                let selected = chosen.get(depth).copied();
                                let level_parent = parent;
                                levels.push(view! {
                                    <select
                                        aria-label=format!("분야 {}단계", depth + 1)
                                        data-test=format!("category-level-{depth}")
                                        on:change:target=move |ev| {
                                            let v = ev.target().value().parse::<u32>().ok();
                                            value.set(v.or(level_parent));
                                        }
                                    >
                                        <option value="" selected=selected.is_none()>
                                            {if depth == 0 { "분야 선택" } else { "세부 분야 (선택)" }}
                                        </option>
                                        {options
                                            .into_iter()
                                            .map(|o| view! {
                                                <option value=o.id.to_string() selected=selected == Some(o.id)>{o.name}</option>
                                            })
                                            .collect_view()}
                                    </select>
                                });
                                match selected {
                                    Some(id) => parent = Some(id),
                                    None => break,
                                }
                            }
                            levels
                        }}
                    </div>
                }
            })}
        </Transition>
    }
}

/// The ids from the root down to `leaf`.
pub(super) fn chain(nodes: &[CategoryNode], leaf: Option<u32>) -> Vec<u32> {
    let mut out = Vec::new();
    let mut at = leaf;
    while let Some(id) = at {
        out.push(id);
        at = nodes.iter().find(|n| n.id == id).and_then(|n| n.parent_id);
        if out.len() > 8 {
            break;
        }
    }
    out.reverse();
    out
}

#[component]
pub(super) fn PriceGuideBox(g: PriceGuide, #[prop(into)] asking: Signal<String>) -> impl IntoView {
    let nothing = g.lowest_on_sale.is_none() && g.median_sold.is_none();
    let nudge = {
        let g = g.clone();
        move || {
            let n = g.nudge(parse_price(&asking.get()).ok()?)?;
            let lowest = n
                .lowest_on_sale
                .map(|l| format!(" 지금 판매 중인 가장 싼 책은 {}이에요.", won(l)))
                .unwrap_or_default();
            Some(view! {
                <p class="field-msg nudge" role="status" data-test="price-nudge">
                    {format!("이 책은 보통 {}쯤에 거래돼요.{lowest} 가격을 조금 낮추면 더 빨리 팔려요.", won(n.typical))}
                </p>
            })
        }
    };
    view! {
        {nudge}
        <div class="price-guide" data-test="price-guide">
            {if nothing {
                view! { <p class="muted small">"이 책은 아직 거래 기록이 없어요. 첫 판매자가 되어 보세요!"</p> }.into_any()
            } else {
                view! {
                    <p>
                        "판매 중 최저가 "
                        <strong data-test="lowest-price">{g.lowest_on_sale.map(won).unwrap_or_else(|| "—".into())}</strong>
                        <span class="muted small">{format!(" ({}권 판매 중)", g.on_sale)}</span>
                    </p>
                    <p>
                        "최근 6개월 거래 중간값 "
                        <strong>{g.median_sold.map(won).unwrap_or_else(|| "—".into())}</strong>
                        <span class="muted small">{format!(" ({}건)", g.sold.len())}</span>
                    </p>
                    {(g.sold.len() >= 2).then(|| view! { <PriceChart points=g.sold.clone() /> })}
                }.into_any()
            }}
        </div>
    }
}

/// Sold prices over time as a small line chart (our own SVG: no chart library).
#[component]
pub(super) fn PriceChart(points: Vec<SoldPoint>) -> impl IntoView {
    const W: f64 = 300.0;
    const H: f64 = 90.0;
    const PAD: f64 = 8.0;
    let first = points.first().map(|p| p.on).unwrap_or_default();
    let last = points.last().map(|p| p.on).unwrap_or_default();
    let span = (last - first).num_days().max(1) as f64;
    let min = points.iter().map(|p| p.price).min().unwrap_or(0) as f64;
    let max = points.iter().map(|p| p.price).max().unwrap_or(0) as f64;
    let range = (max - min).max(1.0);
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            let x = PAD + (p.on - first).num_days() as f64 / span * (W - 2.0 * PAD);
            let y = H - PAD - (p.price as f64 - min) / range * (H - 2.0 * PAD);
            (x, y)
        })
        .collect();
    let line = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let label = format!(
        "최근 거래가 {}건: 최저 {}, 최고 {}",
        points.len(),
        won(min as i64),
        won(max as i64)
    );
    let title = label.clone();
    view! {
        <svg class="price-chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=title>
            <title>{label}</title>
            <polyline points=line fill="none" stroke="currentColor" stroke-width="2" />
            {xy.into_iter().map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="3" /> }).collect_view()}
        </svg>
        <p class="muted small chart-range">{format!("{} ~ {}", won(min as i64), won(max as i64))}</p>
    }
}
