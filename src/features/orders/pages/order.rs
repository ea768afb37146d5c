//! The order page: where an order stands and each side's next step.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::param_id;
use crate::error::AppError;
use crate::features::orders::api::{
    CancelOrder, CompleteOrder, ConfirmOrder, DisputeOrder, PayOrder, ResolveOrder, ShipOrder,
    WriteReview, get_order,
};
use crate::features::orders::types::{
    CARRIERS, DeliveryChoice, OrderDetail, OrderStatus, PayMethod, TradeRole,
};
use crate::features::reviews::types::MAX_REVIEW_CHARS;
use crate::ui::browser::go_to;
use crate::ui::form::{TextField, error_line};
use crate::ui::format::{kst, won};
use crate::ui::login_needed::login_needed;

// ---- /orders/:id ----

#[component]
pub fn OrderPage() -> impl IntoView {
    let id = param_id("id");
    let query = use_query_map();
    let ship = ServerAction::<ShipOrder>::new();
    let confirm = ServerAction::<ConfirmOrder>::new();
    let complete = ServerAction::<CompleteOrder>::new();
    let cancel = ServerAction::<CancelOrder>::new();
    let dispute = ServerAction::<DisputeOrder>::new();
    let resolve = ServerAction::<ResolveOrder>::new();
    let review = ServerAction::<WriteReview>::new();
    let pay = ServerAction::<PayOrder>::new();
    // The other side moved the order (over the live socket): fetch it again.
    let moved = RwSignal::new(0u32);
    crate::features::chat::live::on_chat_frame(
        crate::features::chat::live::use_chat(),
        move |frame| {
            if let crate::features::chat::types::ServerFrame::Trade { order } = frame
                && *order == id()
            {
                moved.update(|n| *n += 1);
            }
        },
    );
    let order = Resource::new(
        move || {
            (
                id(),
                moved.get(),
                ship.version().get(),
                confirm.version().get(),
                complete.version().get(),
                cancel.version().get(),
                dispute.version().get(),
                resolve.version().get(),
                review.version().get(),
            )
        },
        |(id, ..)| get_order(id),
    );
    Effect::new(move |_| {
        if let Some(Ok(url)) = pay.value().get() {
            go_to(&url);
        }
    });
    let acts = OrderActs {
        ship,
        confirm,
        complete,
        cancel,
        dispute,
        resolve,
        review,
        pay,
    };
    let pay_flag = move || query.read().get("pay").unwrap_or_default();
    // Owned by the page, not the view it refreshes: a live update from the other side
    // (a payment, a settlement) must not wipe a half-written review or tracking number.
    let forms = OrderForms {
        carrier: RwSignal::new(CARRIERS[0].to_owned()),
        tracking: RwSignal::new(String::new()),
        dispute_reason: RwSignal::new(String::new()),
        stars: RwSignal::new(0u8),
        review_body: RwSignal::new(String::new()),
    };
    view! {
        <Title text="주문 상세" />
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <OrderView o acts forms pay_flag=pay_flag() /> }.into_any(),
                    Err(AppError::Unauthorized) => login_needed(format!("/orders/{}", id())),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

/// What the member is typing on the order page.
#[derive(Clone, Copy)]
struct OrderForms {
    carrier: RwSignal<String>,
    tracking: RwSignal<String>,
    dispute_reason: RwSignal<String>,
    stars: RwSignal<u8>,
    review_body: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct OrderActs {
    ship: ServerAction<ShipOrder>,
    confirm: ServerAction<ConfirmOrder>,
    complete: ServerAction<CompleteOrder>,
    cancel: ServerAction<CancelOrder>,
    dispute: ServerAction<DisputeOrder>,
    resolve: ServerAction<ResolveOrder>,
    review: ServerAction<WriteReview>,
    pay: ServerAction<PayOrder>,
}

impl OrderActs {
    /// The latest refusal of any step, to show under the buttons.
    fn error(&self) -> Option<AppError> {
        [
            self.ship.value().get().and_then(Result::err),
            self.confirm.value().get().and_then(Result::err),
            self.complete.value().get().and_then(Result::err),
            self.cancel.value().get().and_then(Result::err),
            self.dispute.value().get().and_then(Result::err),
            self.resolve.value().get().and_then(Result::err),
            self.pay.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

fn steps(o: &OrderDetail) -> Vec<(&'static str, bool)> {
    use OrderStatus::*;
    let at_least = |list: &[OrderStatus]| list.contains(&o.status);
    if o.method == PayMethod::Cash {
        return vec![("약속", true), ("거래 완료", at_least(&[Completed]))];
    }
    vec![
        ("주문", true),
        ("결제", at_least(&[Paid, Shipped, Received, Settled])),
        (
            "발송",
            at_least(&[Shipped, Received, Settled])
                || (o.delivery != DeliveryChoice::Parcel && at_least(&[Received, Settled])),
        ),
        ("구매 확정", at_least(&[Received, Settled])),
        ("정산", at_least(&[Settled])),
    ]
}

#[component]
fn OrderView(
    o: OrderDetail,
    acts: OrderActs,
    forms: OrderForms,
    pay_flag: String,
) -> impl IntoView {
    let id = o.id;
    let banner = match (pay_flag.as_str(), o.status) {
        ("ok", OrderStatus::Paid) => Some((
            "ok",
            "결제가 완료되었어요. 책을 받고 구매 확정할 때까지 책빵이 대금을 보관해요.".to_owned(),
        )),
        ("failed", OrderStatus::Pending) => Some((
            "err",
            o.payment_failure
                .clone()
                .unwrap_or_else(|| "결제가 완료되지 않았어요.".into()),
        )),
        _ => None,
    };
    let step_list = steps(&o);
    let pay_label = match (o.method, o.provider) {
        (PayMethod::SafePay, Some(p)) => format!("안전결제 · {}", p.label()),
        (m, _) => m.label().to_owned(),
    };
    let OrderForms {
        carrier,
        tracking,
        dispute_reason,
        stars,
        review_body,
    } = forms;
    let actions = o.actions.clone();
    let review_error = move || acts.review.value().get().and_then(Result::err);
    let pay_provider = o.provider.unwrap_or_default();
    view! {
        <article class="order-page" data-test="order-page">
            <header class="order-head">
                <p class="muted small">"주문번호 " <span data-test="order-no">{o.order_no.clone()}</span></p>
                <h1>
                    <A href=format!("/listings/{}", o.listing_id)>{o.title.clone()}</A>
                </h1>
                <p>
                    <span class=format!("badge order-{}", o.status.as_db()) data-test="order-status">{o.status.label()}</span>
                    {o.disputed.then(|| view! { <span class="badge warn">"문제 신고됨"</span> })}
                </p>
            </header>
            {banner.map(|(kind, text)| view! {
                <p class=format!("banner {kind}") role="status" data-test="pay-banner">{text}</p>
            })}
            {(!o.status.is_void()).then(|| view! {
                <ol class="order-steps" aria-label="진행 상황">
                    {step_list
                        .into_iter()
                        .map(|(label, done)| view! { <li class:done=done>{label}</li> })
                        .collect_view()}
                </ol>
            })}
            <dl class="info">
                <dt>"금액"</dt>
                <dd class="price" data-test="order-amount">{won(o.amount)}</dd>
                <dt>"결제"</dt>
                <dd>{pay_label}</dd>
                <dt>"거래 방법"</dt>
                <dd>{o.delivery.label()}</dd>
                <dt>"구매자 / 판매자"</dt>
                <dd>
                    {o.buyer_nickname.clone()} " / "
                    <A href=format!("/sellers/{}", o.seller_id)>{o.seller_nickname.clone()}</A>
                </dd>
                <dt>"주문일"</dt>
                <dd>{kst(o.created_at).format("%Y.%m.%d %H:%M").to_string()}</dd>
                {(o.ship_to.is_none() && o.role == Some(TradeRole::Seller) && o.delivery == DeliveryChoice::Parcel)
                    .then(|| view! {
                        <dt>"배송지"</dt>
                        <dd class="muted" data-test="ship-to-hidden">
                            {if o.status.shows_buyer_contact_to_seller() {
                                "배송지 정보가 없어요."
                            } else if matches!(o.status, OrderStatus::Cancelled | OrderStatus::Expired) {
                                "취소된 주문이라 구매자 정보를 볼 수 없어요."
                            } else {
                                "구매자가 결제를 마치면 받는 분 이름, 연락처, 주소가 보여요."
                            }}
                        </dd>
                    })}
                {o.ship_to.clone().map(|a| view! {
                    <dt>"배송지"</dt>
                    <dd data-test="ship-to">
                        {format!("{} · {}", a.recipient, a.phone)}
                        <br />
                        {format!("({}) {} {}", a.postcode, a.address1, a.address2)}
                    </dd>
                })}
                {o.tracking_no.clone().map(|t| view! {
                    <dt>"운송장"</dt>
                    <dd data-test="tracking">{format!("{} {}", o.carrier.clone().unwrap_or_default(), t)}</dd>
                })}
                {o.expires_at.filter(|_| o.status == OrderStatus::Pending).map(|t| view! {
                    <dt>"결제 기한"</dt>
                    <dd>{kst(t).format("%H:%M까지 (15분)").to_string()}</dd>
                })}
                {o.auto_confirm_at.filter(|_| o.status == OrderStatus::Shipped && !o.disputed).map(|t| view! {
                    <dt>"자동 구매 확정"</dt>
                    <dd>{kst(t).format("%Y.%m.%d %H:%M").to_string()}</dd>
                })}
                {o.cancel_reason.clone().filter(|r| !r.is_empty()).map(|r| view! {
                    <dt>"취소 사유"</dt>
                    <dd>{r}</dd>
                })}
                {o.dispute_reason.clone().map(|r| view! {
                    <dt>"신고 내용"</dt>
                    <dd>{r}</dd>
                })}
            </dl>

            <section class="order-actions" aria-label="다음 단계">
                {actions.pay.then(|| view! {
                    <button type="button" class="button block" data-test="pay-again"
                        disabled=move || acts.pay.pending().get()
                        on:click=move |_| { acts.pay.dispatch(PayOrder { id, provider: pay_provider }); }>
                        {format!("{} 결제하기", won(o.amount))}
                    </button>
                })}
                {actions.ship.then(|| view! {
                    <form class="ship-form" data-test="ship-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        acts.ship.dispatch(ShipOrder { id, carrier: carrier.get_untracked(), tracking_no: tracking.get_untracked() });
                    }>
                        <h2>"발송 처리"</h2>
                        <label for="carrier">"택배사"</label>
                        <select id="carrier" on:change=move |ev| carrier.set(event_target_value(&ev))>
                            {CARRIERS.iter().map(|c| view! { <option value=*c>{*c}</option> }).collect_view()}
                        </select>
                        <TextField
                            name="tracking_no"
                            label="운송장 번호"
                            value=tracking
                            input_type="text"
                            placeholder="숫자만 입력"
                            error=Signal::derive(move || acts.ship.value().get().and_then(Result::err).and_then(|e| e.field_message("tracking_no")))
                            show_errors=Signal::derive(move || acts.ship.value().get().is_some())
                        />
                        <button type="submit" class="button block" data-test="ship" disabled=move || acts.ship.pending().get()>"발송했어요"</button>
                    </form>
                })}
                {actions.confirm.then(|| view! {
                    <button type="button" class="button block" data-test="confirm"
                        disabled=move || acts.confirm.pending().get()
                        on:click=move |_| { acts.confirm.dispatch(ConfirmOrder { id }); }>
                        "책을 받았어요 (구매 확정)"
                    </button>
                    <p class="muted small">"구매 확정하면 판매자에게 대금이 정산돼요."</p>
                })}
                {actions.complete.then(|| view! {
                    <button type="button" class="button block" data-test="complete"
                        disabled=move || acts.complete.pending().get()
                        on:click=move |_| { acts.complete.dispatch(CompleteOrder { id }); }>
                        "거래 완료 (책을 건네고 돈을 받았어요)"
                    </button>
                })}
                {actions.resolve.then(|| view! {
                    <div class="admin-resolve">
                        <h2>"분쟁 처리 (관리자)"</h2>
                        <button type="button" class="button secondary" data-test="resolve-refund"
                            on:click=move |_| { acts.resolve.dispatch(ResolveOrder { id, refund: true }); }>"구매자에게 환불"</button>
                        <button type="button" class="button secondary" data-test="resolve-release"
                            on:click=move |_| { acts.resolve.dispatch(ResolveOrder { id, refund: false }); }>"판매자에게 정산"</button>
                    </div>
                })}
                {actions.dispute.then(|| view! {
                    <details class="dispute">
                        <summary>"문제가 있어요 (신고하면 자동 구매 확정이 멈춰요)"</summary>
                        <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            acts.dispute.dispatch(DisputeOrder { id, reason: dispute_reason.get_untracked() });
                        }>
                            <label for="dispute-reason">"무슨 문제인가요?"</label>
                            <textarea id="dispute-reason" maxlength="500" bind:value=dispute_reason></textarea>
                            <button type="submit" class="button secondary small">"신고하기"</button>
                        </form>
                    </details>
                })}
                {actions.cancel.then(|| view! {
                    <button type="button" class="link-button danger" data-test="cancel"
                        disabled=move || acts.cancel.pending().get()
                        on:click=move |_| { acts.cancel.dispatch(CancelOrder { id, reason: String::new() }); }>
                        "주문 취소"
                    </button>
                })}
                {move || acts.error().map(|e| view! { <p class="form-error" role="alert" data-test="action-error">{e.to_string()}</p> })}
            </section>

            <section class="reviews" aria-label="거래 후기">
                {actions.review.then(|| view! {
                    <form class="review-form" data-test="review-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        acts.review.dispatch(WriteReview { id, stars: stars.get_untracked(), body: review_body.get_untracked() });
                    }>
                        <h2>"거래 후기 남기기"</h2>
                        <p class="muted small">"상대도 후기를 남기면(또는 7일 뒤) 서로의 후기가 함께 공개돼요."</p>
                        <div class="stars" role="radiogroup" aria-label="별점">
                            {(1..=5u8).map(|n| view! {
                                <button type="button" role="radio" class="star"
                                    aria-checked=move || if stars.get() == n { "true" } else { "false" }
                                    aria-label=format!("{n}점")
                                    data-test=format!("star-{n}")
                                    class:on=move || { stars.get() >= n }
                                    on:click=move |_| stars.set(n)>
                                    "★"
                                </button>
                            }).collect_view()}
                        </div>
                        <label for="review-body">"후기"</label>
                        <textarea id="review-body" maxlength=MAX_REVIEW_CHARS bind:value=review_body data-test="review-body"></textarea>
                        <p class="counter muted small">{move || format!("{}/{MAX_REVIEW_CHARS}", review_body.get().chars().count())}</p>
                        {move || review_error().map(|e| view! {
                            <p class="form-error" role="alert">{e.field_message("stars").or_else(|| e.field_message("body")).unwrap_or_else(|| e.to_string())}</p>
                        })}
                        <button type="submit" class="button" data-test="review-submit" disabled=move || acts.review.pending().get()>"후기 남기기"</button>
                    </form>
                })}
                {o.my_review.clone().map(|r| view! {
                    <div class="review mine" data-test="my-review">
                        <h3>"내가 남긴 후기"</h3>
                        <p class="stars-text">{"★".repeat(r.stars.into())}</p>
                        <p>{r.body}</p>
                    </div>
                })}
                {o.their_review.clone().map(|r| view! {
                    <div class="review" data-test="their-review">
                        <h3>{format!("{}님의 후기", r.reviewer_nickname)}</h3>
                        <p class="stars-text">{"★".repeat(r.stars.into())}</p>
                        <p>{r.body}</p>
                    </div>
                })}
                {o.their_review_hidden.then(|| view! {
                    <p class="muted small" data-test="review-hidden">"상대가 후기를 남겼어요. 내 후기를 남기면 볼 수 있어요."</p>
                })}
            </section>

            <section class="order-events" aria-label="기록">
                <h2>"진행 기록"</h2>
                <ol>
                    {o.events.iter().map(|e| view! {
                        <li>
                            <time datetime=e.at.to_rfc3339()>{kst(e.at).format("%m.%d %H:%M").to_string()}</time>
                            " " {e.label.clone()}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        </article>
    }
}
