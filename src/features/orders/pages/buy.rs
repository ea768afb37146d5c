//! Buying: the confirmation page (pay_002) and the sandbox checkout.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::param_id;
use crate::error::AppError;
use crate::features::orders::api::{PlaceOrder, get_buy_quote, sandbox_attempt};
use crate::features::orders::types::{
    AddressInput, BuyQuote, DeliveryChoice, OrderInput, PayMethod, ProviderKind, SandboxCheckout,
    check_address1, check_address2, check_postcode, check_recipient, normalize_phone,
};
use crate::features::photos::types::thumb_url;
use crate::ui::browser::{go_to, new_key};
use crate::ui::form::{TextField, error_line};
use crate::ui::format::won;
use crate::ui::login_needed::login_needed;

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
                    Err(e) => error_line(e),
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
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}
