use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::error::AppError;
use crate::features::accounts::auth::use_auth;
use crate::features::alerts::pages::AlertButton;
use crate::features::chat::pages::ChatButton;
use crate::features::listings::api::{
    ReportListing, SetListingStatus, SetWish, also_wished, get_listing, similar_listings,
};
use crate::features::listings::pages::ListingGrid;
use crate::features::listings::types::{
    ListingCard, ListingDetail, ListingStatus, MAX_REPORT_DETAIL_CHARS, ReportReason, SellerSummary,
};
use crate::features::photos::types::photo_url;
use crate::features::reviews::widgets::BreadBadge;
use crate::ui::form::error_line;
use crate::ui::format::{korean_date, kst, won};

#[component]
pub fn ListingPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<u64>().ok()));
    let set_status = ServerAction::<SetListingStatus>::new();
    let listing = Resource::new(
        move || (id.get(), set_status.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_listing(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // Made here rather than in <SimilarListings> inside the Transition (README: resources
    // at the top of a page), so they also load alongside the listing.
    let related = Related {
        similar: related_listings(id, similar_listings),
        wished: related_listings(id, also_wished),
    };
    view! {
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(l) => view! { <ListingView l set_status related /> }.into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::not_found::NotFound /> }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn ListingView(
    l: ListingDetail,
    set_status: ServerAction<SetListingStatus>,
    related: Related,
) -> impl IntoView {
    let id = l.id;
    let defects: Vec<&str> = [
        (l.checklist.writing, "필기·밑줄 있음"),
        (l.checklist.water_damage, "물 얼룩 있음"),
        (l.checklist.torn_pages, "찢어진 페이지 있음"),
        (l.checklist.missing_supplements, "부록 없음"),
    ]
    .into_iter()
    .filter_map(|(on, label)| on.then_some(label))
    .collect();
    let delivery: Vec<String> = [
        (l.parcel, "택배".to_owned()),
        (l.pickup, "직접 픽업".to_owned()),
        (
            l.meet,
            format!("직거래 · {}", l.meet_label.clone().unwrap_or_default()),
        ),
    ]
    .into_iter()
    .filter_map(|(on, label)| on.then_some(label))
    .collect();
    let payments: Vec<&str> = [
        (l.pay_safe, "안전결제"),
        (l.pay_transfer, "계좌이체"),
        (l.pay_cash, "현금"),
    ]
    .into_iter()
    .filter_map(|(on, label)| on.then_some(label))
    .collect();
    view! {
        <Title text=l.title.clone() />
        <article class="listing-detail" data-test="listing-detail">
            {(!l.category_trail.is_empty()).then(|| view! {
                <nav class="breadcrumb" aria-label="분야 경로">{l.category_trail.join(" › ")}</nav>
            })}
            {(!l.photos.is_empty()).then(|| view! { <Gallery photos=l.photos.clone() title=l.title.clone() /> })}
            <div class="detail-top">
                {l.photos.is_empty().then(|| view! {
                    <div class="cover big-cover" aria-hidden="true">
                        <span>{l.title.chars().next().map(String::from).unwrap_or_default()}</span>
                    </div>
                })}
                <div class="detail-head">
                    <p class=format!("status-badge status-{}", l.status.as_db()) data-test="listing-status">{l.status.label()}</p>
                    <h1 data-test="listing-title">{l.title.clone()}</h1>
                    <p class="muted">
                        {l.author.clone()} " · " {l.publisher.clone()}
                        {l.published_on.map(|d| format!(" · {}", korean_date(d)))}
                    </p>
                    <p class="muted small">"ISBN " {l.isbn13.clone()}</p>
                    <p class="detail-price" data-test="listing-price">{won(l.price)}</p>
                </div>
            </div>
            <dl class="info detail-info">
                <dt>"책 상태"</dt>
                <dd>
                    <span class=format!("badge cond-{}", l.condition.label())>{l.condition.label()}</span>
                    {if defects.is_empty() { " 체크된 흠 없음".to_owned() } else { format!(" {}", defects.join(", ")) }}
                </dd>
                <dt>"거래 방법"</dt>
                <dd>{delivery.join(" / ")}</dd>
                <dt>"결제"</dt>
                <dd>{payments.join(", ")}</dd>
                <dt>"판매자"</dt>
                <dd data-test="listing-seller">
                    <A href=format!("/sellers/{}", l.seller_id)>{l.seller_nickname.clone()}</A>
                </dd>
                {(!l.courses.is_empty()).then(|| view! {
                    <dt>"수업 교재"</dt>
                    <dd>
                        <ul class="course-tags" data-test="listing-courses">
                            {l.courses.iter().map(|c| {
                                let professor = (!c.professor.is_empty()).then(|| format!(" · {} 교수", c.professor));
                                view! { <li><a href=c.lookup_href()>{format!("{} {}", c.school_short, c.name)}{professor}</a></li> }
                            }).collect_view()}
                        </ul>
                    </dd>
                })}
                <dt>"등록일"</dt>
                <dd>{kst(l.created_at).format("%Y.%m.%d %H:%M").to_string()}</dd>
            </dl>
            {(!l.description.is_empty()).then(|| view! { <p class="description">{l.description.clone()}</p> })}
            <SellerCard seller=l.seller.clone() />
            {(!l.can_edit && l.status == ListingStatus::OnSale).then(|| view! {
                <A href=format!("/listings/{id}/buy") attr:class="button block buy" attr:data-test="buy">"구매하기"</A>
            })}
            {(!l.can_edit && l.status != ListingStatus::Sold).then(|| view! { <ChatButton listing=id /> })}
            {(!l.can_edit).then(|| view! { <BuyerTools id wished=l.wished count=l.wish_count /> })}
            {(!l.can_edit).then(|| view! { <AlertButton isbn=l.isbn13.clone() next=format!("/listings/{id}") /> })}

            {l.can_edit.then(|| view! {
                <section class="owner-tools" aria-label="판매자 메뉴">
                    <h2>"판매 상태 바꾸기"</h2>
                    <div class="status-buttons">
                        {[ListingStatus::OnSale, ListingStatus::Reserved, ListingStatus::Sold]
                            .into_iter()
                            .map(|s| {
                                let current = s == l.status;
                                view! {
                                    <button
                                        type="button"
                                        class="button secondary small"
                                        class:current=current
                                        disabled=current
                                        on:click=move |_| {
                                            set_status.dispatch(SetListingStatus { id, status: s.as_db().to_owned() });
                                        }
                                    >
                                        {s.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    {move || set_status.value().get().and_then(Result::err).map(error_line)}
                    <A href=format!("/listings/{id}/edit") attr:class="button block">"수정하기"</A>
                </section>
            })}
            <SimilarListings related />
        </article>
    }
}

/// Who sells it, with a way to their other books (PRODUCT_05).
#[component]
fn SellerCard(seller: SellerSummary) -> impl IntoView {
    let href = format!("/sellers/{}", seller.id);
    view! {
        <section class="seller-card" aria-label="판매자" data-test="seller-card">
            <span class="avatar" aria-hidden="true">{seller.nickname.chars().next().map(String::from).unwrap_or_default()}</span>
            <div class="who">
                <A href=href.clone() attr:class="name">{seller.nickname.clone()}</A>
                <BreadBadge score=seller.trust_score />
                <p class="muted small">
                    {format!("{} 가입 · 판매 중 {} · 거래 {} · 후기 {}", kst(seller.joined_at).format("%Y년 %-m월"), seller.on_sale, seller.trades, seller.reviews)}
                </p>
            </div>
            <A href=href attr:class="button secondary small">"다른 책"</A>
        </section>
    }
}

/// Listings shown under this one.
#[derive(Clone, Copy)]
struct Related {
    /// Other copies of this book and more of its category.
    similar: Resource<Result<Vec<ListingCard>, AppError>>,
    /// What members who wished for this book also wished for.
    wished: Resource<Result<Vec<ListingCard>, AppError>>,
}

/// `fetch` for the listing in the URL; none for an id that does not parse.
fn related_listings<Fut>(
    id: Memo<Option<u64>>,
    fetch: fn(u64) -> Fut,
) -> Resource<Result<Vec<ListingCard>, AppError>>
where
    Fut: Future<Output = Result<Vec<ListingCard>, AppError>> + Send + 'static,
{
    Resource::new(
        move || id.get(),
        move |id| async move {
            match id {
                Some(id) => fetch(id).await,
                None => Ok(Vec::new()),
            }
        },
    )
}

#[component]
fn SimilarListings(related: Related) -> impl IntoView {
    let Related { similar, wished } = related;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                similar.await.ok().filter(|items| !items.is_empty()).map(|items| view! {
                    <section class="similar" data-test="similar">
                        <h2>"비슷한 책"</h2>
                        <ListingGrid items />
                    </section>
                })
            })}
            {move || Suspend::new(async move {
                wished.await.ok().filter(|items| !items.is_empty()).map(|items| view! {
                    <section class="similar" data-test="also-wished">
                        <h2>"이 책을 찜한 사람들이 함께 찜한 책"</h2>
                        <ListingGrid items />
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The listing's photos: swipe on a phone (scroll snap), each opens full size.
#[component]
fn Gallery(photos: Vec<String>, title: String) -> impl IntoView {
    let total = photos.len();
    view! {
        <section class="gallery" aria-label="사진" data-test="gallery">
            <ul class="gallery-strip">
                {photos.into_iter().enumerate().map(|(i, key)| view! {
                    <li>
                        <a href=photo_url(&key) target="_blank" rel="noopener">
                            <img src=photo_url(&key) alt=format!("{title} 사진 {}/{total}", i + 1)
                                loading=if i == 0 { "eager" } else { "lazy" } decoding="async" />
                        </a>
                        <span class="gallery-count">{format!("{} / {total}", i + 1)}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Wish and report, for anyone but the seller. Visitors are sent to log in.
#[component]
fn BuyerTools(id: u64, wished: bool, count: u32) -> impl IntoView {
    let auth = use_auth();
    let wish = ServerAction::<SetWish>::new();
    let report = ServerAction::<ReportListing>::new();
    let state = RwSignal::new((wished, count));
    let signed_in = move || matches!(auth.me.get(), Some(Ok(Some(_))));
    Effect::new(move |_| {
        if let Some(Ok(w)) = wish.value().get() {
            state.set((w.wished, w.count));
        }
    });
    let wish_error = move || match wish.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let report_open = RwSignal::new(false);
    let reason = RwSignal::new(None::<ReportReason>);
    let detail = RwSignal::new(String::new());
    let report_result = move || report.value().get();
    view! {
        <section class="buyer-tools">
            <div class="wish-row">
                {move || if signed_in() {
                    let (on, n) = state.get();
                    view! {
                        <button
                            type="button"
                            class="button secondary wish"
                            class:on=on
                            aria-pressed=if on { "true" } else { "false" }
                            data-test="wish"
                            disabled=move || wish.pending().get()
                            on:click=move |_| { wish.dispatch(SetWish { listing_id: id, wished: !on }); }
                        >
                            {if on { "♥ 찜함" } else { "♡ 찜하기" }}
                            <span class="count" data-test="wish-count">{n}</span>
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <A href=format!("/login?next=/listings/{id}") attr:class="button secondary wish">
                            {format!("♡ 찜하기 {}", state.get().1)}
                        </A>
                    }.into_any()
                }}
                {move || signed_in().then(|| view! {
                    <button type="button" class="link-button" data-test="report-open" on:click=move |_| report_open.update(|o| *o = !*o)>
                        "신고하기"
                    </button>
                })}
            </div>
            {move || wish_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || report_open.get().then(|| view! {
                <form class="report-form" data-test="report-form" on:submit=move |ev| {
                    ev.prevent_default();
                    if let Some(r) = reason.get_untracked() {
                        report.dispatch(ReportListing { listing_id: id, reason: r, detail: detail.get_untracked() });
                    }
                }>
                    <fieldset>
                        <legend>"신고 사유"</legend>
                        {ReportReason::ALL.into_iter().map(|r| view! {
                            <label class="check">
                                <input type="radio" name="reason" prop:checked=move || reason.get() == Some(r)
                                    on:change=move |_| reason.set(Some(r)) />
                                <span>{r.label()}</span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <label class="sr-only" for="report-detail">"자세한 내용"</label>
                    <textarea id="report-detail" rows="3" maxlength=MAX_REPORT_DETAIL_CHARS.to_string()
                        placeholder="자세한 내용 (선택)" bind:value=detail></textarea>
                    {move || match report_result() {
                        Some(Ok(())) => view! { <p class="ok-note" role="status" data-test="report-done">"신고가 접수되었어요. 운영자가 확인할게요."</p> }.into_any(),
                        Some(Err(e)) => error_line(e),
                        None => ().into_any(),
                    }}
                    <button type="submit" class="button secondary small" disabled=move || reason.get().is_none() || report.pending().get() || matches!(report_result(), Some(Ok(())))>
                        "신고 보내기"
                    </button>
                </form>
            })}
        </section>
    }
}
