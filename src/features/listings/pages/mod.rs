pub mod detail;
pub mod sell;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{get_seller_profile, my_listings, my_wishes, newest_listings};
use super::types::{ListingCard, ListingStatus};
use crate::error::AppError;
use crate::features::photos::types::thumb_url;
use crate::features::reviews::widgets::{BreadBadge, GradeChip, ReviewList};
use crate::ui::form::error_line;
use crate::ui::format::{kst, now_utc, relative_time, won};

#[component]
pub fn HomePage() -> impl IntoView {
    let listings = Resource::new(|| (), |_| newest_listings());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"안 읽는 책은 팔고, 필요한 책은 싸게"</h1>
            <p>"전공 교재부터 소설까지, 이웃과 학교 친구에게 중고책을 사고팔아요."</p>
            <p class="hero-links">
                <A href="/courses" attr:class="chip" attr:data-test="home-courses">"수업으로 교재 찾기 ›"</A>
                <A href="/categories/152" attr:class="chip">"대학교재 분야 ›"</A>
                <A href="/categories" attr:class="chip">"분야별 보기 ›"</A>
            </p>
        </section>
        <h2 class="section-title">"방금 올라온 책"</h2>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move { listing_results(listings.await, "아직 올라온 책이 없어요.") })}
        </Transition>
    }
}

fn listing_results(result: Result<Vec<ListingCard>, AppError>, empty: &'static str) -> AnyView {
    match result {
        Ok(items) if items.is_empty() => view! { <p class="empty-state">{empty}</p> }.into_any(),
        Ok(items) => view! { <ListingGrid items /> }.into_any(),
        Err(e) => error_line(e),
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
                            <a class="card-link" href=format!("/listings/{}", l.id) aria-label=l.title.clone()></a>
                            <div class="cover" aria-hidden="true">
                                {match &l.cover {
                                    Some(key) => view! { <img src=thumb_url(key) alt="" loading="lazy" decoding="async" /> }.into_any(),
                                    None => view! { <span>{l.title.chars().next().map(String::from).unwrap_or_default()}</span> }.into_any(),
                                }}
                            </div>
                            <div class="body">
                                <h3 class="title">{l.title.clone()}</h3>
                                <p class="author">{l.author.clone()} " · " {l.publisher.clone()}</p>
                                <p class="price">{won(l.price)}</p>
                                <p class="badges">
                                    {(l.status != ListingStatus::OnSale).then(|| view! {
                                        <span class="badge status">{l.status.label()}</span>
                                    })}
                                    <span class=format!("badge cond-{}", l.condition.label())>
                                        "상태 " {l.condition.label()}
                                    </span>
                                    {l.parcel.then(|| view! { <span class="badge">"택배"</span> })}
                                    {l.meet.then(|| view! { <span class="badge">"직거래"</span> })}
                                </p>
                                <p class="meta">
                                    {l.seller_nickname.clone()} " "
                                    <GradeChip score=l.seller_trust />
                                    " · "
                                    {l.distance_m.map(|m| view! {
                                        <span class="distance" data-test="distance">{crate::features::search::types::distance_label(m)}</span>
                                        " · "
                                    })}
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

/// My listings (USER-POST-01): every status but deleted, 30 at a time.
#[component]
pub fn MyListingsPage() -> impl IntoView {
    let pages = RwSignal::new(Vec::<Vec<ListingCard>>::new());
    let cursor = RwSignal::new(None::<u64>);
    let first = Resource::new(|| (), |_| my_listings(None));
    let more = Action::new(move |after: &u64| {
        let after = *after;
        async move { my_listings(Some(after)).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(page)) = more.value().get() {
            cursor.set(if page.len() == 30 {
                page.last().map(|c| c.id)
            } else {
                None
            });
            pages.update(|p| p.push(page));
        }
    });
    view! {
        <Title text="내 판매글" />
        <h1 class="section-title">"내 판매글"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Err(AppError::Unauthorized) => view! {
                        <div class="empty-state" data-test="login-required">
                            <p>"로그인이 필요한 페이지예요."</p>
                            <A href="/login?next=/me/listings" attr:class="button">"로그인"</A>
                        </div>
                    }.into_any(),
                    Err(e) => error_line(e),
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty-state">
                            <p>"아직 올린 책이 없어요."</p>
                            <A href="/sell" attr:class="button">"첫 책 팔기"</A>
                        </div>
                    }.into_any(),
                    Ok(items) => {
                        if cursor.get_untracked().is_none() && pages.with_untracked(Vec::is_empty) && items.len() == 30 {
                            cursor.set(items.last().map(|c| c.id));
                        }
                        view! {
                            <h2 class="sr-only">"올린 책"</h2>
                            <ListingGrid items />
                            {move || pages.get().into_iter().map(|items| view! { <ListingGrid items /> }).collect_view()}
                            {move || cursor.get().map(|after| view! {
                                <button class="button secondary block" on:click=move |_| { more.dispatch(after); }>"더 보기"</button>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// My wish list (찜 목록).
#[component]
pub fn MyWishesPage() -> impl IntoView {
    let wishes = Resource::new(|| (), |_| my_wishes());
    view! {
        <Title text="찜 목록" />
        <h1 class="section-title">"찜 목록"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match wishes.await {
                    Err(AppError::Unauthorized) => view! {
                        <div class="empty-state" data-test="login-required">
                            <p>"로그인이 필요한 페이지예요."</p>
                            <A href="/login?next=/me/wishes" attr:class="button">"로그인"</A>
                        </div>
                    }.into_any(),
                    result => view! {
                        <h2 class="sr-only">"찜한 책"</h2>
                        {listing_results(result, "아직 찜한 책이 없어요. 마음에 드는 책에서 ♡를 눌러 보세요.")}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A seller's page (PRODUCT_05): who, since when, how many sold, and their books.
#[component]
pub fn SellerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<u64>().ok()));
    let profile = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_seller_profile(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(p) => view! {
                        <Title text=format!("{}님의 책", p.seller.nickname) />
                        <section class="seller-head" data-test="seller-profile">
                            <h1>{p.seller.nickname.clone()}</h1>
                            <p class="muted">{format!("{} 가입", kst(p.seller.joined_at).format("%Y년 %-m월"))}</p>
                            <BreadBadge score=p.seller.trust_score />
                            <p>
                                <span class="stat">"판매 중 " <strong>{p.seller.on_sale}</strong></span>
                                <span class="stat" data-test="seller-sold">"판매 완료 " <strong>{p.seller.sold}</strong></span>
                                <span class="stat" data-test="seller-trades">"거래 " <strong>{p.seller.trades}</strong></span>
                            </p>
                        </section>
                        <h2 class="section-title">"판매하는 책"</h2>
                        {listing_results(Ok(p.listings), "아직 올린 책이 없어요.")}
                        <ReviewList reviews=p.received_reviews />
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::not_found::NotFound /> }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}
