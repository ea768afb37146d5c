use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{newest_listings, search_listings};
use super::types::ListingCard;
use crate::error::AppError;
use crate::ui::format::{now_utc, relative_time, won};

#[component]
pub fn HomePage() -> impl IntoView {
    let listings = Resource::new(|| (), |_| newest_listings());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"안 읽는 책은 팔고, 필요한 책은 싸게"</h1>
            <p>"전공 교재부터 소설까지, 이웃과 학교 친구에게 중고책을 사고팔아요."</p>
            <p class="hero-links">
                <A href="/categories/152" attr:class="chip">"대학교재 찾기 ›"</A>
                <A href="/categories" attr:class="chip">"분야별 보기 ›"</A>
            </p>
        </section>
        <h2 class="section-title">"방금 올라온 책"</h2>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move { listing_results(listings.await, "아직 올라온 책이 없어요.") })}
        </Transition>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let results = Resource::new(move || q.get(), search_listings);
    view! {
        <Title text=move || format!("'{}' 검색 결과", q.get()) />
        <h1 class="section-title" data-test="search-heading">
            {move || if q.get().trim().is_empty() {
                "책 검색".to_owned()
            } else {
                format!("'{}' 검색 결과", q.get().trim())
            }}
        </h1>
        <Transition fallback=|| view! { <p class="muted">"검색하는 중…"</p> }>
            {move || Suspend::new(async move {
                if q.get_untracked().trim().is_empty() {
                    return view! { <p class="muted">"위 검색창에 책 제목, 저자, 출판사나 ISBN을 입력하세요."</p> }.into_any();
                }
                listing_results(results.await, "검색 결과가 없어요. 다른 검색어로 찾아보세요.")
            })}
        </Transition>
    }
}

fn listing_results(result: Result<Vec<ListingCard>, AppError>, empty: &'static str) -> AnyView {
    match result {
        Ok(items) if items.is_empty() => view! { <p class="empty-state">{empty}</p> }.into_any(),
        Ok(items) => view! { <ListingGrid items /> }.into_any(),
        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
    }
}

#[component]
pub fn ListingGrid(items: Vec<ListingCard>) -> impl IntoView {
    let now = now_utc();
    view! {
        <ul class="listing-grid" data-test="listing-grid">
            {items
                .into_iter()
                .map(|l| {
                    view! {
                        <li class="listing-card" data-test="listing-card">
                            <div class="cover" aria-hidden="true">
                                <span>{l.title.chars().next().map(String::from).unwrap_or_default()}</span>
                            </div>
                            <div class="body">
                                <h3 class="title">{l.title.clone()}</h3>
                                <p class="author">{l.author.clone()} " · " {l.publisher.clone()}</p>
                                <p class="price">{won(l.price)}</p>
                                <p class="badges">
                                    <span class=format!("badge cond-{}", l.condition.label())>
                                        "상태 " {l.condition.label()}
                                    </span>
                                    {l.parcel.then(|| view! { <span class="badge">"택배"</span> })}
                                    {l.meet.then(|| view! { <span class="badge">"직거래"</span> })}
                                </p>
                                <p class="meta">
                                    {l.seller_nickname.clone()} " · "
                                    {l.meet_label.clone().map(|m| format!("{m} · ")).unwrap_or_default()}
                                    <time datetime=l.created_at.to_rfc3339()>{relative_time(l.created_at, now)}</time>
                                </p>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
