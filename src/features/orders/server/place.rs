//! Placing an order (pay_001, pay_002): the confirmation page's quote, then the order
//! itself, made exactly once per idempotency key however often it is submitted.

use chrono::{DateTime, Duration, Utc};

use super::payment::start_attempt;
use super::payments::CheckoutRequest;
use super::rejected;
use super::repo::attempts::AttemptStatus;
use super::repo::{self, Event, Inserted, ListingMove, NewOrder, QuoteRow, addresses};
use crate::error::{AppError, AppResult, FieldError};
use crate::features::listings::types::ListingStatus;
use crate::features::orders::types::{
    BuyQuote, DeliveryChoice, EventKind, OrderInput, OrderStatus, PAYMENT_WINDOW_MINUTES,
    PayMethod, Placed, check_idempotency_key,
};
use crate::server::AppState;
use crate::server::db::retry_keyed;
use crate::server::limits::Limit;
use crate::server::session::Caller;

/// Unpaid (safe-pay, pending) orders one buyer may hold at once.
pub const MAX_UNPAID_ORDERS: i64 = 3;

const NOT_ON_SALE: &str = "지금은 구매할 수 없는 책이에요. (판매중이 아님)";

/// Whether this member may buy this listing at all: the quote and the order ask the
/// same question and give the same answer.
fn check_buyable(listing: &QuoteRow, buyer_id: u64) -> AppResult<()> {
    if listing.seller_id == buyer_id {
        return Err(rejected("내가 올린 책은 살 수 없어요."));
    }
    if listing.status != ListingStatus::OnSale {
        return Err(rejected(NOT_ON_SALE));
    }
    Ok(())
}

/// The confirmation page's data (pay_002): the listing, how it can be paid for and
/// delivered, the providers on offer and the buyer's saved addresses.
pub async fn quote(state: &AppState, caller: Caller, listing_id: u64) -> AppResult<BuyQuote> {
    let l = repo::quote_listing(&state.pool, listing_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_buyable(&l, caller.id)?;
    Ok(BuyQuote {
        listing_id,
        condition: l.condition,
        price: i64::from(l.price),
        cover: l.cover_photo,
        parcel: l.delivery.parcel,
        meet: l.delivery.meet,
        pickup: l.delivery.pickup,
        pay_safe: PayMethod::SafePay.accepted_by(l.payment_ways),
        pay_cash: PayMethod::Cash.accepted_by(l.payment_ways),
        meet_label: l.meet_label,
        title: l.title,
        isbn13: l.isbn13,
        seller_nickname: l.seller_nickname,
        providers: state.payments.kinds(),
        addresses: addresses::addresses(&state.pool, caller.id).await?,
    })
}

/// "B" + the KST date + 6 random digits: short enough to read out on the phone.
fn new_order_no(now: DateTime<Utc>) -> String {
    use rand::Rng;
    let kst = now + Duration::hours(9);
    format!(
        "B{}{:06}",
        kst.format("%Y%m%d"),
        rand::rng().random_range(0..1_000_000)
    )
}

pub async fn place(
    state: &AppState,
    caller: Caller,
    input: OrderInput,
    mobile: bool,
) -> AppResult<Placed> {
    check_idempotency_key(&input.idempotency_key)?;
    let now = state.clock.now();
    if let Some((id, listing_id)) =
        repo::order_by_idempotency(&state.pool, caller.id, &input.idempotency_key).await?
    {
        return same_request_again(state, id, listing_id, input.listing_id).await;
    }
    state.limiters.check_member(Limit::Order, caller.id)?;
    // Each unpaid order holds a listing for 15 minutes: a few at once is shopping, more
    // is keeping books from other buyers.
    if input.method == PayMethod::SafePay
        && repo::unpaid_orders(&state.pool, caller.id, now).await? >= MAX_UNPAID_ORDERS
    {
        return Err(rejected(&format!(
            "결제하지 않은 주문이 {MAX_UNPAID_ORDERS}건 있어요. 먼저 결제하거나 취소해 주세요."
        )));
    }
    let listing = repo::quote_listing(&state.pool, input.listing_id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_buyable(&listing, caller.id)?;

    let mut errors = Vec::new();
    let accepted = input.method.accepted_by(listing.payment_ways);
    match input.method {
        PayMethod::SafePay if !accepted => errors.push(FieldError {
            field: "method".into(),
            message: "판매자가 안전결제를 받지 않는 책이에요.".into(),
        }),
        PayMethod::Cash if !accepted => errors.push(FieldError {
            field: "method".into(),
            message: "판매자가 직거래 결제를 받지 않는 책이에요.".into(),
        }),
        PayMethod::Cash if input.delivery == DeliveryChoice::Parcel => errors.push(FieldError {
            field: "method".into(),
            message: "택배 거래는 안전결제로만 할 수 있어요. (돈을 먼저 보내는 사기 예방)".into(),
        }),
        _ => {}
    }
    if !input.delivery.offered_by(listing.delivery) {
        errors.push(FieldError {
            field: "delivery".into(),
            message: format!("이 책은 {}(으)로 거래할 수 없어요.", input.delivery.label()),
        });
    }
    let provider = match input.method {
        PayMethod::SafePay => {
            if state.payments.get(input.provider).is_none() {
                errors.push(FieldError {
                    field: "provider".into(),
                    message: "지금 쓸 수 없는 결제 수단이에요. 다른 결제 수단을 골라 주세요."
                        .into(),
                });
            }
            Some(input.provider)
        }
        PayMethod::Cash => None,
    };
    let ship_to = if input.delivery == DeliveryChoice::Parcel {
        match input.address_id {
            Some(id) => match addresses::address(&state.pool, caller.id, id).await? {
                Some(a) => Some(a),
                None => {
                    errors.push(FieldError {
                        field: "address_id".into(),
                        message: "배송지를 다시 골라 주세요.".into(),
                    });
                    None
                }
            },
            None => match input.address.validate() {
                Ok(a) => Some(a),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }

    let status = match input.method {
        PayMethod::SafePay => OrderStatus::Pending,
        PayMethod::Cash => OrderStatus::Agreed,
    };
    let order_no = new_order_no(now);
    let new_order = NewOrder {
        order_no: &order_no,
        listing_id: listing.listing_id,
        buyer_id: caller.id,
        idempotency_key: &input.idempotency_key,
        method: input.method,
        provider,
        delivery: input.delivery,
        status,
        ship_to: ship_to.as_ref(),
        expires_at: (status == OrderStatus::Pending)
            .then(|| now + Duration::minutes(PAYMENT_WINDOW_MINUTES)),
    };
    // Keyed: a repeat after a lost COMMIT meets the idempotency key (Duplicate, below).
    let inserted = retry_keyed(|| store_order(state, &new_order, now)).await?;
    let (id, amount, title) = match inserted {
        Inserted::Order {
            id,
            amount,
            title,
            seller_id,
        } => {
            if status == OrderStatus::Agreed {
                super::transition::announce_parts(
                    state,
                    id,
                    input.listing_id,
                    [caller.id, seller_id],
                );
            }
            (id, amount, title)
        }
        Inserted::NotOnSale => return Err(rejected(NOT_ON_SALE)),
        Inserted::Duplicate => {
            // Our own double submit, or someone else holds the listing.
            return match repo::order_by_idempotency(&state.pool, caller.id, &input.idempotency_key)
                .await?
            {
                Some((id, listing_id)) => {
                    same_request_again(state, id, listing_id, input.listing_id).await
                }
                None => Err(rejected(
                    "다른 분이 먼저 구매를 진행하고 있어요. 결제되지 않으면 15분 뒤 다시 살 수 있어요.",
                )),
            };
        }
    };
    tracing::info!(
        order = id,
        listing = listing.listing_id,
        buyer = caller.id,
        amount,
        "order placed"
    );

    let next_url = match provider {
        Some(p) => {
            let checkout = CheckoutRequest {
                // Made here, never the client's idempotency key: a key another buyer
                // reused would otherwise find that buyer's checkout.
                attempt_key: uuid::Uuid::new_v4().to_string(),
                order_no,
                item_code: listing.listing_id.to_string(),
                item_name: title,
                amount,
                buyer_id: caller.id,
                success_url: String::new(),
                fail_url: String::new(),
                cancel_url: String::new(),
                mobile,
            };
            match start_attempt(state, id, p, checkout).await {
                Ok(url) => url,
                // The order waits; its page offers "결제하기" again with the reason.
                Err(_) => format!("/orders/{id}"),
            }
        }
        None => format!("/orders/{id}"),
    };
    Ok(Placed {
        order_id: id,
        next_url,
    })
}

/// The order, its first event, the reservation of a meet-up's listing and the buyer's
/// address book, in one transaction (retried whole when it collides with another).
async fn store_order(
    state: &AppState,
    order: &NewOrder<'_>,
    now: DateTime<Utc>,
) -> AppResult<Inserted> {
    let mut tx = state.pool.begin().await?;
    let inserted = repo::insert_order(&mut tx, order, now).await?;
    let Inserted::Order {
        id,
        title,
        seller_id,
        ..
    } = &inserted
    else {
        return Ok(inserted);
    };
    let kind = if order.status == OrderStatus::Agreed {
        repo::move_listing(&mut tx, order.listing_id, ListingMove::Reserve, now).await?;
        EventKind::Agreed
    } else {
        EventKind::Ordered
    };
    let event = Event {
        kind,
        from: None,
        to: Some(order.status),
        actor: Some(order.buyer_id),
        detail: "",
    };
    repo::event(&mut tx, *id, &event, now).await?;
    super::notices::raise_for_parts(
        &mut tx,
        *id,
        order.buyer_id,
        *seller_id,
        title,
        kind,
        Some(order.buyer_id),
        now,
    )
    .await?;
    if let Some(a) = order.ship_to {
        addresses::remember_address(&mut tx, order.buyer_id, a, now).await?;
    }
    tx.commit().await?;
    Ok(inserted)
}

/// An idempotency key belongs to one buyer and one listing: the same key for another
/// listing is a client bug or a replay, not a repeat.
async fn same_request_again(
    state: &AppState,
    order_id: u64,
    ordered_listing: u64,
    asked_listing: u64,
) -> AppResult<Placed> {
    if ordered_listing != asked_listing {
        return Err(AppError::BadRequest);
    }
    placed_again(state, order_id).await
}

/// A repeated submit: the same order, and the same checkout once the first submit has
/// opened it (a double click arrives while the first is still talking to the provider,
/// so this waits up to ~3 s for its checkout before settling for the order page).
async fn placed_again(state: &AppState, id: u64) -> AppResult<Placed> {
    let order = repo::order(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut next_url = format!("/orders/{id}");
    if order.status == OrderStatus::Pending && order.method == PayMethod::SafePay {
        for _ in 0..30 {
            match repo::attempts::latest_checkout(&state.pool, id).await? {
                Some((AttemptStatus::Ready, Some(url))) => {
                    next_url = url;
                    break;
                }
                Some((status, _)) if status != AttemptStatus::Ready => break,
                _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
    }
    Ok(Placed {
        order_id: id,
        next_url,
    })
}
