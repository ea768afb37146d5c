//! Buying screens: the confirmation page (pay_002), the sandbox checkout, the order
//! page with its next steps, and "my trades" (USER-PAYMENT-01).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    CancelOrder, CompleteOrder, ConfirmOrder, DisputeOrder, PayOrder, PlaceOrder, ResolveOrder,
    ShipOrder, WriteReview, get_buy_quote, get_order, sandbox_attempt, trade_history,
};
use super::types::{
    AddressInput, BreadGrade, BuyQuote, CARRIERS, DeliveryChoice, MAX_REVIEW_CHARS, OrderDetail,
    OrderInput, OrderStatus, PayMethod, ProviderKind, ReviewView, SandboxCheckout, TradeCursor,
    TradeRole, check_address1, check_address2, check_postcode, check_recipient, normalize_phone,
};
use crate::error::AppError;
use crate::features::photos::types::thumb_url;
use crate::features::search::pages::percent_encode;
use crate::ui::browser::{go_to, new_key};
use crate::ui::form::TextField;
use crate::ui::format::{kst, won};

fn error_line(e: &AppError) -> AnyView {
    view! { <p class="form-error" role="alert" data-test="form-error">{e.to_string()}</p> }
        .into_any()
}

/// "로그인이 필요합니다" with a way back here after logging in.
pub(crate) fn login_needed(next: String) -> AnyView {
    view! {
        <section class="empty-state">
            <p>"로그인하고 이용해 주세요."</p>
            <A href=format!("/login?next={}", percent_encode(&next)) attr:class="button">"로그인"</A>
        </section>
    }
    .into_any()
}

fn param_id(key: &'static str) -> impl Fn() -> u64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get(key)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

// ---- /listings/:id/buy ----

#[component]
pub fn BuyPage() -> impl IntoView {
    let id = param_id("id");
    let quote = Resource::new(id, get_buy_quote);
    view! {
        <Title text="구매하기" />
        <h1 class="page-title">"구매하기"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match quote.await {
                    Ok(q) => view! { <BuyForm q /> }.into_any(),
                    Err(AppError::Unauthorized) => login_needed(format!("/listings/{}/buy", id())),
                    Err(e) => error_line(&e),
                }
            })}
        </Transition>
    }
}

#[component]
fn BuyForm(q: BuyQuote) -> impl IntoView {
    let listing_id = q.listing_id;
    let delivery = RwSignal::new(if q.parcel && q.pay_safe {
        DeliveryChoice::Parcel
    } else if q.meet {
        DeliveryChoice::Meet
    } else if q.pickup {
        DeliveryChoice::Pickup
    } else {
        DeliveryChoice::Parcel
    });
    let method = RwSignal::new(if q.pay_safe {
        PayMethod::SafePay
    } else {
        PayMethod::Cash
    });
    let provider = RwSignal::new(q.providers.first().copied().unwrap_or_default());
    let saved = q.addresses.clone();
    let address_id = RwSignal::new(saved.first().map(|a| a.id));
    let recipient = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let postcode = RwSignal::new(String::new());
    let address1 = RwSignal::new(String::new());
    let address2 = RwSignal::new(String::new());
    let show_errors = RwSignal::new(false);
    // One key per purchase on this page: a double click or a retry finds the same order.
    let key = StoredValue::new(None::<String>);
    let place = ServerAction::<PlaceOrder>::new();

    // Cash changes hands in person only.
    Effect::new(move |_| {
        if delivery.get() == DeliveryChoice::Parcel && method.get_untracked() == PayMethod::Cash {
            method.set(PayMethod::SafePay);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(placed)) = place.value().get() {
            go_to(&placed.next_url);
        }
    });

    let server_error = move |field: &'static str| {
        place
            .value()
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_message(field))
    };
    let typed = move || AddressInput {
        recipient: recipient.get(),
        phone: phone.get(),
        postcode: postcode.get(),
        address1: address1.get(),
        address2: address2.get(),
    };
    let new_address =
        move || delivery.get() == DeliveryChoice::Parcel && address_id.get().is_none();
    let general_error = move || match place.value().get() {
        Some(Err(AppError::Validation(_))) | Some(Ok(_)) | None => None,
        Some(Err(e)) => Some(e.to_string()),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        show_errors.set(true);
        if new_address() && typed().validate().is_err() {
            return;
        }
        let idempotency_key = key.with_value(|k| k.clone()).unwrap_or_else(|| {
            let k = new_key();
            key.set_value(Some(k.clone()));
            k
        });
        place.dispatch(PlaceOrder {
            input: OrderInput {
                listing_id,
                method: method.get_untracked(),
                provider: provider.get_untracked(),
                delivery: delivery.get_untracked(),
                address_id: if delivery.get_untracked() == DeliveryChoice::Parcel {
                    address_id.get_untracked()
                } else {
                    None
                },
                address: typed(),
                idempotency_key,
            },
        });
    };

    let deliveries: Vec<DeliveryChoice> = [
        (q.parcel, DeliveryChoice::Parcel),
        (q.meet, DeliveryChoice::Meet),
        (q.pickup, DeliveryChoice::Pickup),
    ]
    .into_iter()
    .filter_map(|(on, d)| on.then_some(d))
    .collect();
    let price = q.price;
    let providers = q.providers.clone();
    let pay_safe = q.pay_safe;
    let pay_cash = q.pay_cash;
    let meet_label = q.meet_label.clone();

    view! {
        <form class="buy-form" on:submit=submit novalidate data-test="buy-form">
            <section class="order-summary" aria-label="주문할 책">
                <div class="cover small" aria-hidden="true">
                    {match &q.cover {
                        Some(k) => view! { <img src=thumb_url(k) alt="" /> }.into_any(),
                        None => view! { <span>{q.title.chars().next().map(String::from).unwrap_or_default()}</span> }.into_any(),
                    }}
                </div>
                <dl class="info">
                    <dt>"책"</dt>
                    <dd data-test="buy-title">{q.title.clone()}</dd>
                    <dt>"ISBN"</dt>
                    <dd>{q.isbn13.clone()}</dd>
                    <dt>"상태"</dt>
                    <dd>{q.condition.label()}</dd>
                    <dt>"판매자"</dt>
                    <dd>{q.seller_nickname.clone()}</dd>
                    <dt>"가격"</dt>
                    <dd class="price" data-test="buy-price">{won(price)}</dd>
                </dl>
            </section>

            <fieldset class="choice-group">
                <legend>"거래 방법"</legend>
                {deliveries
                    .into_iter()
                    .map(|d| {
                        view! {
                            <label class="choice">
                                <input
                                    type="radio"
                                    name="delivery"
                                    value=d.as_db()
                                    prop:checked=move || delivery.get() == d
                                    on:change=move |_| delivery.set(d)
                                />
                                {d.label()}
                                {(d == DeliveryChoice::Meet)
                                    .then(|| meet_label.clone())
                                    .flatten()
                                    .map(|m| view! { <span class="muted small">" · " {m}</span> })}
                            </label>
                        }
                    })
                    .collect_view()}
                {move || server_error("delivery").map(|m| view! { <p class="field-msg"><span class="err">{m}</span></p> })}
            </fieldset>

            <fieldset class="choice-group">
                <legend>"결제 방법"</legend>
                {pay_safe.then(|| view! {
                    <label class="choice">
                        <input
                            type="radio"
                            name="method"
                            value="safe_pay"
                            prop:checked=move || method.get() == PayMethod::SafePay
                            on:change=move |_| method.set(PayMethod::SafePay)
                        />
                        "안전결제"
                        <span class="muted small">" · 책을 받고 구매 확정할 때까지 책빵이 돈을 보관해요"</span>
                    </label>
                })}
                {pay_cash.then(|| view! {
                    <label class="choice" class:disabled=move || delivery.get() == DeliveryChoice::Parcel>
                        <input
                            type="radio"
                            name="method"
                            value="cash"
                            data-test="method-cash"
                            disabled=move || delivery.get() == DeliveryChoice::Parcel
                            prop:checked=move || method.get() == PayMethod::Cash
                            on:change=move |_| method.set(PayMethod::Cash)
                        />
                        "만나서 현금·계좌이체"
                        <span class="muted small">" · 직거래에서만"</span>
                    </label>
                })}
                {move || server_error("method").map(|m| view! { <p class="field-msg"><span class="err">{m}</span></p> })}
            </fieldset>

            <Show when=move || method.get() == PayMethod::SafePay>
                <fieldset class="choice-group">
                    <legend>"결제 수단"</legend>
                    {providers
                        .iter()
                        .map(|&p| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="provider"
                                        value=p.as_db()
                                        prop:checked=move || provider.get() == p
                                        on:change=move |_| provider.set(p)
                                    />
                                    {p.label()}
                                    {(p == ProviderKind::Sandbox).then(|| view! {
                                        <span class="badge test">"실제 돈이 나가지 않아요"</span>
                                    })}
                                </label>
                            }
                        })
                        .collect_view()}
                    {move || server_error("provider").map(|m| view! { <p class="field-msg"><span class="err">{m}</span></p> })}
                </fieldset>
            </Show>

            <Show when=move || delivery.get() == DeliveryChoice::Parcel>
                <fieldset class="choice-group address" data-test="address">
                    <legend>"배송지"</legend>
                    {saved
                        .iter()
                        .map(|a| {
                            let id = a.id;
                            let line = format!(
                                "{} · ({}) {} {}",
                                a.address.recipient, a.address.postcode, a.address.address1, a.address.address2
                            );
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="address_id"
                                        prop:checked=move || address_id.get() == Some(id)
                                        on:change=move |_| address_id.set(Some(id))
                                    />
                                    {line}
                                </label>
                            }
                        })
                        .collect_view()}
                    {(!saved.is_empty()).then(|| view! {
                        <label class="choice">
                            <input
                                type="radio"
                                name="address_id"
                                prop:checked=move || address_id.get().is_none()
                                on:change=move |_| address_id.set(None)
                            />
                            "새 배송지 입력"
                        </label>
                    })}
                    <Show when=move || address_id.get().is_none()>
                        <TextField
                            name="recipient"
                            label="받는 분"
                            value=recipient
                            autocomplete="name"
                            required=true
                            maxlength=40
                            show_errors
                            error=Signal::derive(move || {
                                check_recipient(&recipient.get()).err().or_else(|| server_error("address.recipient"))
                            })
                        />
                        <TextField
                            name="ship-phone"
                            label="연락처"
                            value=phone
                            input_type="tel"
                            autocomplete="tel"
                            placeholder="010-1234-5678"
                            required=true
                            show_errors
                            error=Signal::derive(move || {
                                normalize_phone(&phone.get()).err().or_else(|| server_error("address.phone"))
                            })
                        />
                        <TextField
                            name="postcode"
                            label="우편번호"
                            value=postcode
                            autocomplete="postal-code"
                            placeholder="03722"
                            required=true
                            maxlength=5
                            show_errors
                            error=Signal::derive(move || {
                                check_postcode(&postcode.get()).err().or_else(|| server_error("address.postcode"))
                            })
                        />
                        <TextField
                            name="address1"
                            label="주소 (도로명 또는 지번)"
                            value=address1
                            autocomplete="address-line1"
                            placeholder="서울 서대문구 연세로 50"
                            required=true
                            maxlength=200
                            show_errors
                            error=Signal::derive(move || {
                                check_address1(&address1.get()).err().or_else(|| server_error("address.address1"))
                            })
                        />
                        <TextField
                            name="address2"
                            label="상세주소"
                            value=address2
                            autocomplete="address-line2"
                            placeholder="101동 1001호"
                            maxlength=100
                            show_errors
                            error=Signal::derive(move || check_address2(&address2.get()).err())
                        />
                    </Show>
                </fieldset>
            </Show>

            {move || general_error().map(|e| view! { <p class="form-error" role="alert" data-test="form-error">{e}</p> })}
            <button type="submit" class="button block" data-test="place-order" disabled=move || place.pending().get()>
                {move || match method.get() {
                    PayMethod::SafePay => format!("{} 안전결제하기", won(price)),
                    PayMethod::Cash => "직거래 약속하기".to_owned(),
                }}
            </button>
        </form>
    }
}

// ---- /pay/sandbox/:attempt ----

/// Stands in for a provider's checkout when no real provider is configured.
#[component]
pub fn SandboxCheckoutPage() -> impl IntoView {
    let params = use_params_map();
    let attempt = move || params.read().get("attempt").unwrap_or_default();
    let info = Resource::new(attempt, sandbox_attempt);
    view! {
        <Title text="테스트 결제" />
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                let k = attempt();
                match info.await {
                    Ok(SandboxCheckout { order_no, title, amount, payment_key }) => {
                        let back = format!("/pay/return/sandbox?attempt={k}&paymentKey={payment_key}&amount={amount}");
                        let fail = format!("/pay/fail/sandbox?attempt={k}&message=%ED%85%8C%EC%8A%A4%ED%8A%B8%20%EA%B2%B0%EC%A0%9C%20%EC%8B%A4%ED%8C%A8");
                        let cancel = format!("/pay/fail/sandbox?attempt={k}&cancelled=1");
                        view! {
                            <section class="sandbox-checkout" data-test="sandbox-checkout">
                                <p><span class="badge test">"테스트 결제"</span></p>
                                <h1>"책빵 테스트 결제창"</h1>
                                <p class="muted">"실제 결제사가 연결되지 않은 환경의 시험용 결제창이에요. 돈이 나가지 않아요."</p>
                                <dl class="info">
                                    <dt>"주문번호"</dt>
                                    <dd>{order_no}</dd>
                                    <dt>"상품"</dt>
                                    <dd>{title}</dd>
                                    <dt>"결제 금액"</dt>
                                    <dd class="price">{won(amount)}</dd>
                                </dl>
                                <a class="button block" href=back rel="external" data-test="sandbox-approve">{format!("{} 결제 승인", won(amount))}</a>
                                <p class="sandbox-other">
                                    <a href=fail rel="external" data-test="sandbox-fail">"결제 실패 시험"</a>
                                    " · "
                                    <a href=cancel rel="external">"결제 취소"</a>
                                </p>
                            </section>
                        }
                        .into_any()
                    }
                    Err(AppError::Unauthorized) => login_needed(format!("/pay/sandbox/{k}")),
                    Err(e) => error_line(&e),
                }
            })}
        </Transition>
    }
}

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
    let order = Resource::new(
        move || {
            (
                id(),
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
    view! {
        <Title text="주문 상세" />
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Ok(o) => view! { <OrderView o acts pay_flag=pay_flag() /> }.into_any(),
                    Err(AppError::Unauthorized) => login_needed(format!("/orders/{}", id())),
                    Err(e) => error_line(&e),
                }
            })}
        </Transition>
    }
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
fn OrderView(o: OrderDetail, acts: OrderActs, pay_flag: String) -> impl IntoView {
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
    let carrier = RwSignal::new(CARRIERS[0].to_owned());
    let tracking = RwSignal::new(String::new());
    let dispute_reason = RwSignal::new(String::new());
    let stars = RwSignal::new(0u8);
    let review_body = RwSignal::new(String::new());
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

// ---- /me/trades ----

#[component]
pub fn TradesPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let role = move || {
        if get("role") == "seller" {
            TradeRole::Seller
        } else {
            TradeRole::Buyer
        }
    };
    let page = Resource::new(
        move || {
            (
                role(),
                get("from"),
                get("to"),
                get("status"),
                get("after_at"),
                get("after_id"),
            )
        },
        |(role, from, to, status, after_at, after_id)| {
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
                match page.await {
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
                    Err(e) => error_line(&e),
                }
            })}
        </Transition>
    }
}

// ---- bread grade and reviews, shown on seller cards and pages ----

/// 빵등급: five loaves, as many filled as the grade, and its name.
#[component]
pub fn BreadBadge(score: u16) -> impl IntoView {
    let grade = BreadGrade::from_score(score);
    let label = format!(
        "빵등급 {}단계 {} (신뢰 점수 {score})",
        grade.0,
        grade.name()
    );
    let title = label.clone();
    view! {
        <span class="bread-grade" title=title data-test="bread-grade" data-grade=grade.0>
            <span class="sr-only">{label}</span>
            <span class="loaves" aria-hidden="true">
                {(1..=5u8).map(|i| view! {
                    <svg class:on=i <= grade.0 width="16" height="14" viewBox="0 0 16 14">
                        <path d="M3 6C1 6 1 1 5 1h6c4 0 4 5 2 5v6.5a.5.5 0 0 1-.5.5h-9a.5.5 0 0 1-.5-.5z" />
                    </svg>
                }).collect_view()}
            </span>
            <span class="grade-name" aria-hidden="true">{grade.name()}</span>
        </span>
    }
}

/// The grade in a word, for listing cards (the full badge is on seller cards).
#[component]
pub fn GradeChip(score: u16) -> impl IntoView {
    let grade = BreadGrade::from_score(score);
    view! {
        <span class=format!("grade-chip g{}", grade.0) data-test="grade-chip" data-grade=grade.0
            title=format!("빵등급 {}단계", grade.0)>
            {grade.name()}
        </span>
    }
}

#[component]
pub fn ReviewList(reviews: Vec<ReviewView>) -> impl IntoView {
    view! {
        <section class="review-list" aria-label="받은 후기" data-test="review-list">
            <h2>{format!("받은 후기 {}", reviews.len())}</h2>
            {reviews.is_empty().then(|| view! { <p class="muted">"아직 받은 후기가 없어요."</p> })}
            <ul>
                {reviews.into_iter().map(|r| view! {
                    <li class="review">
                        <p>
                            <span class="stars-text" aria-label=format!("{}점", r.stars)>{"★".repeat(r.stars.into())}</span>
                            " " <strong>{r.reviewer_nickname}</strong>
                            " " <time class="muted small" datetime=r.created_at.to_rfc3339()>{kst(r.created_at).format("%Y.%m.%d").to_string()}</time>
                        </p>
                        {(!r.body.is_empty()).then(|| view! { <p>{r.body}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
