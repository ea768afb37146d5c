//! `/search?q=…&category=…&min_price=…&max_price=…&condition=…&parcel=1&meet=1&sort=…`
//!
//! The URL holds the whole search, so a result list can be shared, the back button
//! works and the server renders it. Filters are a plain GET form (works before the wasm
//! loads); "더 보기" is a link to the next keyset page that, once hydrated, appends the
//! page in place instead.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::api::search;
use super::types::{Cursor, Near, SearchPage, SearchParams, Sort};
use crate::error::AppError;
use crate::features::alerts::pages::AlertButton;
use crate::features::catalog::api::filter_categories;
use crate::features::listings::pages::ListingGrid;
use crate::features::listings::types::Condition;
use crate::ui::browser;
use crate::ui::codec::AsciiJson;
use crate::ui::form::error_line;
use crate::ui::format::percent_encode;

/// "12,000", "12000원" and "12000" are the same price; "1만원" is not understood.
fn price_param(raw: Option<String>) -> Option<i64> {
    let cleaned: String = raw?
        .chars()
        .filter(|c| !matches!(c, ',' | '원' | ' '))
        .collect();
    cleaned.parse().ok().filter(|p| *p > 0)
}

fn year_param(raw: Option<String>) -> Option<i32> {
    raw?.trim()
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
}

/// The search a URL describes; unknown or malformed values are ignored, not errors.
pub fn params_from_query(q: &ParamsMap) -> SearchParams {
    let flag = |k: &str| {
        q.get(k)
            .is_some_and(|v| v == "1" || v == "true" || v == "on")
    };
    SearchParams {
        q: q.get("q").unwrap_or_default().trim().to_owned(),
        category: q.get("category").and_then(|v| v.parse().ok()),
        min_price: price_param(q.get("min_price")),
        max_price: price_param(q.get("max_price")),
        year_from: year_param(q.get("year_from")),
        year_to: year_param(q.get("year_to")),
        condition: q.get("condition").and_then(|v| Condition::from_db(&v)),
        parcel: flag("parcel"),
        meet: flag("meet"),
        sort: match q.get("sort").as_deref() {
            Some("price_asc") => Sort::PriceAsc,
            Some("price_desc") => Sort::PriceDesc,
            Some("trust") => Sort::Trust,
            Some("distance") => Sort::Distance,
            _ => Sort::Newest,
        },
        near: q
            .get("lat")
            .and_then(|v| v.parse().ok())
            .zip(q.get("lng").and_then(|v| v.parse().ok()))
            .and_then(|(lat, lng)| Near::new(lat, lng)),
        min_grade: q
            .get("grade")
            .and_then(|v| v.parse().ok())
            .filter(|g| (2..=5).contains(g)),
        after: q
            .get("after_id")
            .and_then(|id| id.parse().ok())
            .map(|id| Cursor {
                id,
                price: q
                    .get("after_price")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0),
                trust: q
                    .get("after_trust")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0),
                distance_m: q.get("after_m").and_then(|p| p.parse().ok()).unwrap_or(0),
            }),
    }
}

/// The URL of a search (and of its page after `after`).
pub fn search_url(p: &SearchParams, after: Option<Cursor>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !p.q.is_empty() {
        pairs.push(("q", p.q.clone()));
    }
    if let Some(c) = p.category {
        pairs.push(("category", c.to_string()));
    }
    if let Some(v) = p.min_price {
        pairs.push(("min_price", v.to_string()));
    }
    if let Some(v) = p.max_price {
        pairs.push(("max_price", v.to_string()));
    }
    if let Some(y) = p.year_from {
        pairs.push(("year_from", y.to_string()));
    }
    if let Some(y) = p.year_to {
        pairs.push(("year_to", y.to_string()));
    }
    if let Some(c) = p.condition {
        pairs.push(("condition", c.as_db().to_owned()));
    }
    if p.parcel {
        pairs.push(("parcel", "1".into()));
    }
    if p.meet {
        pairs.push(("meet", "1".into()));
    }
    if let Some(g) = p.min_grade {
        pairs.push(("grade", g.to_string()));
    }
    if let Some(n) = p.near {
        pairs.push(("lat", format!("{:.6}", n.lat())));
        pairs.push(("lng", format!("{:.6}", n.lng())));
    }
    match p.sort {
        Sort::Newest => {}
        Sort::PriceAsc => pairs.push(("sort", "price_asc".into())),
        Sort::PriceDesc => pairs.push(("sort", "price_desc".into())),
        Sort::Trust => pairs.push(("sort", "trust".into())),
        Sort::Distance => pairs.push(("sort", "distance".into())),
    }
    if let Some(a) = after {
        pairs.push(("after_id", a.id.to_string()));
        pairs.push(("after_price", a.price.to_string()));
        if p.sort == Sort::Trust {
            pairs.push(("after_trust", a.trust.to_string()));
        }
        if p.sort == Sort::Distance {
            pairs.push(("after_m", a.distance_m.to_string()));
        }
    }
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(&v)))
        .collect();
    format!("/search?{}", query.join("&"))
}

/// A filter that is set, as a chip: its label and the URL of the same search without it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveFilter {
    pub label: String,
    pub without: String,
}

/// The filters `p` sets, in the order the sheet lists them. `category_name` names the
/// category (None until the list has loaded).
pub fn active_filters(p: &SearchParams, category_name: Option<&str>) -> Vec<ActiveFilter> {
    let base = SearchParams {
        after: None,
        ..p.clone()
    };
    let mut chips = Vec::new();
    let mut chip = |label: String, clear: &dyn Fn(&mut SearchParams)| {
        let mut without = base.clone();
        clear(&mut without);
        chips.push(ActiveFilter {
            label,
            without: search_url(&without, None),
        });
    };
    if p.category.is_some() {
        let name = category_name.map_or("분야", |n| n.trim_start_matches(['·', ' ']));
        chip(name.to_owned(), &|p| p.category = None);
    }
    if p.sort == Sort::Distance {
        chip(p.sort.label().to_owned(), &|p| {
            (p.sort, p.near) = (Sort::Newest, None)
        });
    } else if p.sort != Sort::Newest {
        chip(p.sort.label().to_owned(), &|p| p.sort = Sort::Newest);
    }
    if p.near.is_some() && p.sort != Sort::Distance {
        chip("내 위치 기준".into(), &|p| p.near = None);
    }
    if let Some(g) = p.min_grade {
        let name = crate::features::reviews::types::BreadGrade(g).name();
        chip(format!("{name} 이상"), &|p| p.min_grade = None);
    }
    if let Some(c) = p.condition {
        chip(format!("상태 {}", c.label()), &|p| p.condition = None);
    }
    if p.min_price.is_some() || p.max_price.is_some() {
        let show = |v: Option<i64>| v.map(crate::ui::format::won).unwrap_or_default();
        chip(
            format!("{}~{}", show(p.min_price), show(p.max_price)),
            &|p| (p.min_price, p.max_price) = (None, None),
        );
    }
    if p.year_from.is_some() || p.year_to.is_some() {
        let show = |v: Option<i32>| v.map(|y| format!("{y}년")).unwrap_or_default();
        chip(format!("{}~{}", show(p.year_from), show(p.year_to)), &|p| {
            (p.year_from, p.year_to) = (None, None)
        });
    }
    if p.parcel {
        chip("택배".into(), &|p| p.parcel = false);
    }
    if p.meet {
        chip("직거래".into(), &|p| p.meet = false);
    }
    chips
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| query.with(params_from_query));
    let first: Resource<_, AsciiJson> =
        Resource::new_with_options(move || params.get(), search, false);
    // Pages appended by "더 보기"; emptied when the search changes.
    let more = RwSignal::new(Vec::<SearchPage>::new());
    let loading = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    // Infinite scroll: the "더 보기" link clicks itself when it scrolls into view.
    let more_link = NodeRef::<leptos::html::A>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(
        move |_: Option<Option<crate::ui::visible::ClickWhenVisible>>| {
            more_link
                .get()
                .map(crate::ui::visible::ClickWhenVisible::new)
        },
    );
    // Back from a result returns to the pages already read, at the same place: the
    // appended pages and the scroll position are kept in this tab's memory, keyed by
    // the URL of the first page shown (its `after` included: a page-two link has its own).
    let memory_key =
        Memo::new(move |_| params.with(|p| format!("breadbook.search:{}", search_url(p, p.after))));
    Effect::new(move |_| {
        let key = memory_key.get();
        let saved =
            browser::tab_load(&key).and_then(|s| serde_json::from_str::<Vec<SearchPage>>(&s).ok());
        more.set(saved.unwrap_or_default());
        #[cfg(feature = "hydrate")]
        if let Some(y) = browser::tab_load(&format!("{key}:y")).and_then(|y| y.parse().ok()) {
            crate::ui::visible::scroll_back_to(y);
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let remember = window_event_listener(leptos::ev::scroll, move |_| {
            // The scroll to the top of the next page arrives after the URL changed.
            if window().location().pathname().ok().as_deref() != Some("/search") {
                return;
            }
            let y = window().scroll_y().unwrap_or(0.0);
            let key = memory_key.with_untracked(|k| format!("{k}:y"));
            browser::tab_save(&key, &y.to_string());
        });
        on_cleanup(move || remember.remove());
    }
    let heading = move || {
        let p = params.get();
        if p.q.is_empty() {
            "책 둘러보기".to_owned()
        } else {
            format!("'{}' 검색 결과", p.q)
        }
    };

    view! {
        // A fixed text per search: a reactive `text` would be read when the head is
        // written, after an async-rendered route has been disposed.
        {move || view! { <Title text=heading() /> }}
        <h1 class="section-title" data-test="search-heading">{heading}</h1>
        {move || {
            let p = params.get();
            (!p.q.is_empty()).then(|| {
                let next = search_url(&SearchParams { after: None, ..p.clone() }, None);
                view! { <AlertButton query=p.q.clone() next /> }
            })
        }}
        <SearchFilters params />
        <Transition fallback=|| view! { <p class="muted">"검색하는 중…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    // A bad filter (e.g. 최저 > 최고 가격) says which; the form above keeps it.
                    Err(AppError::Validation(errors)) => view! {
                        <p class="form-error" role="alert" data-test="search-error">
                            {errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")}
                        </p>
                    }.into_any(),
                    Err(e) => error_line(e),
                    Ok(page) if page.items.is_empty() => {
                        let suggestion = page.suggestion.map(|title| {
                            let href = search_url(&SearchParams { q: title.clone(), ..params.get_untracked() }, None);
                            view! {
                                <p data-test="suggestion">"혹시 " <a href=href>{format!("'{title}'")}</a> "을(를) 찾으시나요?"</p>
                            }
                        });
                        view! {
                            <div class="empty-state" data-test="no-results">
                                <p>"조건에 맞는 책이 없어요. 검색어를 줄이거나 필터를 풀어 보세요."</p>
                                {suggestion}
                            </div>
                        }.into_any()
                    }
                    Ok(page) => {
                        let first_next = page.next;
                        let next = move || more.with(|m| m.last().map_or(first_next, |p| p.next));
                        let load_more = move |ev: leptos::ev::MouseEvent| {
                            let Some(after) = next() else { return };
                            ev.prevent_default();
                            if loading.get_untracked() {
                                return;
                            }
                            loading.set(true);
                            more_error.set(None);
                            let mut p = params.get_untracked();
                            p.after = Some(after);
                            leptos::task::spawn_local(async move {
                                match search(p).await {
                                    Ok(page) => {
                                        more.update(|m| m.push(page));
                                        if let Ok(json) = more.with_untracked(serde_json::to_string) {
                                            browser::tab_save(&memory_key.get_untracked(), &json);
                                        }
                                    }
                                    Err(e) => more_error.set(Some(e.to_string())),
                                }
                                loading.set(false);
                            });
                        };
                        let instead = page.searched_instead.map(|meant| {
                            let typed = params.with_untracked(|p| p.q.clone());
                            view! {
                                <p class="searched-instead" role="status" data-test="searched-instead">
                                    {format!("'{typed}' 대신 ")}
                                    <strong>{format!("'{meant}'")}</strong>
                                    "(으)로 찾았어요."
                                </p>
                            }
                        });
                        view! {
                            {instead}
                            <h2 class="sr-only">"검색 결과"</h2>
                            <ListingGrid items=page.items />
                            {move || more.get().into_iter().map(|p| view! { <ListingGrid items=p.items /> }).collect_view()}
                            {move || more_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            {move || next().map(|after| view! {
                                <a class="button secondary block more" data-test="more" node_ref=more_link
                                    href=search_url(&params.get(), Some(after)) on:click=load_more>
                                    {move || if loading.get() { "불러오는 중…" } else { "더 보기" }}
                                </a>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The form's non-empty fields as a query string, in form order; None outside a browser.
fn filled_fields(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        // Every field the form has (disabled ones are not in FormData), so a new
        // filter needs no list here.
        let pairs: Vec<String> = js_sys::try_iter(&data)
            .ok()??
            .filter_map(|entry| {
                let entry: js_sys::Array = entry.ok()?.unchecked_into();
                let name = entry.get(0).as_string()?;
                let value = entry.get(1).as_string()?;
                let value = value.trim();
                (!value.is_empty()).then(|| format!("{name}={}", percent_encode(value)))
            })
            .collect();
        Some(pairs.join("&"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

#[component]
fn SearchFilters(params: Memo<SearchParams>) -> impl IntoView {
    let categories: Resource<_, AsciiJson> =
        Resource::new_with_options(|| (), |_| filter_categories(), false);
    let p = move || params.get();
    let navigate = leptos_router::hooks::use_navigate();
    let locating = RwSignal::new(false);
    let location_error = RwSignal::new(None::<String>);
    let near_me = move |_| {
        let mut next = params.get_untracked();
        let navigate = navigate.clone();
        locating.set(true);
        location_error.set(None);
        crate::ui::browser::current_position(move |r| {
            locating.set(false);
            match r {
                Ok((lat, lng)) => {
                    next.near = Near::new(lat, lng);
                    next.sort = Sort::Distance;
                    next.after = None;
                    navigate(&search_url(&next, None), Default::default());
                }
                Err(message) => location_error.set(Some(message)),
            }
        });
    };
    let coordinate = move |f: fn(&Near) -> f64| {
        p().near
            .map(|n| format!("{:.6}", f(&n)))
            .unwrap_or_default()
    };
    // On a phone the filters are a bottom sheet. It is a <details>, so it opens and
    // closes before the wasm has arrived too; its summary is the 필터 chip and, while
    // open, the sheet's 닫기 bar. Wide screens show it as a panel under the chips.
    let sheet = NodeRef::<leptos::html::Details>::new();
    let close_sheet = move || {
        if let Some(details) = sheet.get_untracked() {
            details.set_open(false);
        }
    };
    // A tap on the dimmed page around the sheet lands on the <details> itself.
    let backdrop_tap = move |ev: leptos::ev::MouseEvent| {
        if ev.target() == ev.current_target() {
            close_sheet();
        }
    };
    let escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            close_sheet();
        }
    };
    // Without JavaScript the form posts every field; once hydrated, the URL carries
    // only the filters that are set (`/search?q=자바&sort=price_asc`).
    let navigate_to = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(query) = filled_fields(&ev) else {
            return;
        };
        ev.prevent_default();
        close_sheet();
        navigate_to(&format!("/search?{query}"), Default::default());
    };
    let set_count = move || {
        let n = active_filters(&p(), None).len();
        (n > 0).then(|| view! { <span class="chip-count">{n}</span> })
    };
    let reset = move || {
        let q = p().q;
        search_url(
            &SearchParams {
                q,
                ..SearchParams::default()
            },
            None,
        )
    };
    view! {
        <div class="filter-bar" data-test="filter-bar">
            <details class="filter-sheet" node_ref=sheet on:click=backdrop_tap on:keydown=escape>
                <summary class="chip filter-toggle" data-test="filter-open">
                    <span class="when-closed">"필터" {set_count}</span>
                    <span class="when-open">"필터 닫기 ✕"</span>
                </summary>
                <form class="search-filters" method="get" action="/search" data-test="search-filters" on:submit=submit>
                    <input type="hidden" name="q" prop:value=move || p().q />
                    // The position rides along with the other filters once the searcher gave it.
                    <input type="hidden" name="lat" prop:value=move || coordinate(Near::lat) disabled=move || p().near.is_none() />
                    <input type="hidden" name="lng" prop:value=move || coordinate(Near::lng) disabled=move || p().near.is_none() />
                    <label>
                        <span>"분야"</span>
                        <Transition fallback=|| view! { <select name="category" disabled=true><option>"전체"</option></select> }>
                            {move || Suspend::new(async move {
                                let options = categories.await.unwrap_or_default();
                                view! {
                                    <select name="category" data-test="filter-category">
                                        <option value="" selected=move || p().category.is_none()>"전체"</option>
                                        {options.into_iter().map(|(id, label)| view! {
                                            <option value=id.to_string() selected=move || p().category == Some(id)>{label}</option>
                                        }).collect_view()}
                                    </select>
                                }
                            })}
                        </Transition>
                    </label>
                    <label>
                        <span>"정렬"</span>
                        <select name="sort" data-test="filter-sort">
                            {[Sort::Newest, Sort::PriceAsc, Sort::PriceDesc, Sort::Trust, Sort::Distance].into_iter().map(|s| {
                                let value = match s { Sort::Newest => "", Sort::PriceAsc => "price_asc", Sort::PriceDesc => "price_desc", Sort::Trust => "trust", Sort::Distance => "distance" };
                                view! { <option value=value selected=move || p().sort == s>{s.label()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="near-me">
                        <button type="button" class="button secondary small" data-test="near-me" on:click=near_me disabled=move || locating.get()>
                            {move || if locating.get() { "위치 확인 중…" } else if p().near.is_some() { "내 위치 다시 찾기" } else { "내 위치에서 가까운 순" }}
                        </button>
                        {move || location_error.get().map(|m| view! { <p class="field-msg"><span class="err">{m}</span></p> })}
                    </div>
                    <label>
                        <span>"판매자 빵등급"</span>
                        <select name="grade" data-test="filter-grade">
                            <option value="" selected=move || p().min_grade.is_none()>"전체"</option>
                            {(2..=5u8).map(|g| view! {
                                <option value=g.to_string() selected=move || p().min_grade == Some(g)>
                                    {format!("{} 이상", crate::features::reviews::types::BreadGrade(g).name())}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <span>"상태"</span>
                        <select name="condition" data-test="filter-condition">
                            <option value="" selected=move || p().condition.is_none()>"전체"</option>
                            {[Condition::Good, Condition::Fair, Condition::Poor].into_iter().map(|c| view! {
                                <option value=c.as_db() selected=move || p().condition == Some(c)>{c.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="price-range">
                        <label>
                            <span>"최저 가격"</span>
                            <input type="text" inputmode="numeric" name="min_price" placeholder="원"
                                prop:value=move || p().min_price.map(|v| v.to_string()).unwrap_or_default() />
                        </label>
                        <label>
                            <span>"최고 가격"</span>
                            <input type="text" inputmode="numeric" name="max_price" placeholder="원"
                                prop:value=move || p().max_price.map(|v| v.to_string()).unwrap_or_default() />
                        </label>
                    </div>
                    <div class="price-range">
                        <label>
                            <span>"출간 연도부터"</span>
                            <input type="text" inputmode="numeric" name="year_from" placeholder="예: 2018" maxlength="4"
                                prop:value=move || p().year_from.map(|v| v.to_string()).unwrap_or_default() />
                        </label>
                        <label>
                            <span>"까지"</span>
                            <input type="text" inputmode="numeric" name="year_to" placeholder="예: 2024" maxlength="4"
                                prop:value=move || p().year_to.map(|v| v.to_string()).unwrap_or_default() />
                        </label>
                    </div>
                    <label class="check">
                        <input type="checkbox" name="parcel" value="1" prop:checked=move || p().parcel />
                        <span>"택배"</span>
                    </label>
                    <label class="check">
                        <input type="checkbox" name="meet" value="1" prop:checked=move || p().meet />
                        <span>"직거래"</span>
                    </label>
                    <div class="sheet-actions">
                        <a class="button secondary" href=reset data-test="filter-reset">"초기화"</a>
                        <button type="submit" class="button" data-test="filter-apply">"적용"</button>
                    </div>
                </form>
            </details>
            <Transition fallback=move || view! { <FilterChips p=p() category_name=None /> }>
                {move || Suspend::new(async move {
                    let list = categories.await.unwrap_or_default();
                    let p = p();
                    let name = list.into_iter().find(|(id, _)| Some(*id) == p.category).map(|(_, n)| n);
                    view! { <FilterChips p category_name=name /> }
                })}
            </Transition>
        </div>
    }
}

/// 택배 and 직거래 one tap away, then every filter that is set, each a link to the same
/// search without it. Plain links: they work before the wasm has loaded.
#[component]
fn FilterChips(p: SearchParams, category_name: Option<String>) -> impl IntoView {
    let base = SearchParams {
        after: None,
        ..p.clone()
    };
    let quick = [
        (
            "택배",
            SearchParams {
                parcel: true,
                ..base.clone()
            },
        ),
        (
            "직거래",
            SearchParams {
                meet: true,
                ..base.clone()
            },
        ),
    ];
    let set = active_filters(&p, category_name.as_deref());
    let is_set = |label: &str| set.iter().any(|c| c.label == label);
    let offers: Vec<_> = quick
        .into_iter()
        .filter(|(label, _)| !is_set(label))
        .map(|(label, with)| view! { <a class="chip" href=search_url(&with, None)>{label}</a> })
        .collect();
    view! {
        {set.into_iter().map(|c| {
            let undo = format!("{} 필터 해제", c.label);
            view! {
                <a class="chip on" href=c.without aria-label=undo>
                    {c.label}<span aria-hidden="true">" ✕"</span>
                </a>
            }
        }).collect_view()}
        {offers}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_survives_the_round_trip_through_its_url() {
        let p = SearchParams {
            q: "자바 입문".into(),
            category: Some(152),
            min_price: Some(1000),
            max_price: Some(20000),
            year_from: Some(2015),
            year_to: Some(2024),
            condition: Some(Condition::Good),
            parcel: true,
            meet: false,
            min_grade: Some(4),
            near: Near::new(37.5551, 126.9368),
            sort: Sort::Trust,
            after: Some(Cursor {
                id: 42,
                price: 3000,
                trust: 77,
                distance_m: 0,
            }),
        };
        let url = search_url(&p, p.after);
        assert!(url.starts_with("/search?q=%EC%9E%90%EB%B0%94%20%EC%9E%85%EB%AC%B8&category=152"));
        let query = url.split_once('?').unwrap().1;
        let map = ParamsMap::from_iter(query.split('&').map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let v = v.replace("%20", " ");
            let bytes: Vec<u8> = {
                let mut out = Vec::new();
                let b = v.as_bytes();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'%' {
                        out.push(
                            u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16)
                                .unwrap(),
                        );
                        i += 3;
                    } else {
                        out.push(b[i]);
                        i += 1;
                    }
                }
                out
            };
            (k.to_owned(), String::from_utf8(bytes).unwrap())
        }));
        assert_eq!(params_from_query(&map), p);
    }

    #[test]
    fn each_set_filter_is_a_chip_whose_link_drops_only_it() {
        let p = SearchParams {
            q: "자바".into(),
            category: Some(152),
            min_price: Some(1000),
            max_price: None,
            condition: Some(Condition::Good),
            parcel: true,
            sort: Sort::Distance,
            near: Near::new(37.5551, 126.9368),
            after: Some(Cursor {
                id: 9,
                price: 1,
                trust: 0,
                distance_m: 5,
            }),
            ..SearchParams::default()
        };
        let chips = active_filters(&p, Some("· · 프로그래밍"));
        let labels: Vec<_> = chips.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            ["프로그래밍", "가까운 순", "상태 상", "1,000원~", "택배"]
        );
        let without = |i: usize| {
            let url: &str = &chips[i].without;
            let map = ParamsMap::from_iter(url.split_once('?').unwrap().1.split('&').map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.replace("%EC%9E%90%EB%B0%94", "자바"))
            }));
            params_from_query(&map)
        };
        // Each link keeps the rest of the search, from its first page.
        assert_eq!(
            without(0),
            SearchParams {
                category: None,
                after: None,
                ..p.clone()
            }
        );
        // Nearest-first without a position means nothing: both go together.
        assert_eq!(
            without(1),
            SearchParams {
                sort: Sort::Newest,
                near: None,
                after: None,
                ..p.clone()
            }
        );
        assert_eq!(
            without(3),
            SearchParams {
                min_price: None,
                after: None,
                ..p.clone()
            }
        );
        assert_eq!(
            without(4),
            SearchParams {
                parcel: false,
                after: None,
                ..p.clone()
            }
        );
        assert!(active_filters(&SearchParams::default(), None).is_empty());
    }

    #[test]
    fn malformed_values_are_ignored() {
        let map = ParamsMap::from_iter([
            ("min_price".to_owned(), "1만원".to_owned()),
            ("max_price".to_owned(), "12,000원".to_owned()),
            ("condition".to_owned(), "mint".to_owned()),
            ("category".to_owned(), "x".to_owned()),
        ]);
        let p = params_from_query(&map);
        assert_eq!(
            (p.min_price, p.max_price, p.condition, p.category),
            (None, Some(12000), None, None)
        );
    }
}
