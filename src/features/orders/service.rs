//! The order state machine: each step checks who may take it, changes the order with a
//! conditional UPDATE, moves the listing along and appends to the audit trail in one
//! transaction. Calls to payment providers happen outside transactions; their outcome
//! is recorded afterwards, and a refund that fails is retried by the sweeper.

use chrono::{DateTime, Duration, Utc};

use super::repo::{self, Inserted, ListingMove, NewOrder, OrderRow};
use super::server::payments::{ApproveRequest, CheckoutRequest, PayError, ReturnParams};
use super::types::{
    AddressInput, DeliveryChoice, OrderActions, OrderDetail, OrderInput, OrderStatus,
    PAYMENT_WINDOW_MINUTES, PayMethod, Placed, ProviderKind, REVIEW_BLIND_DAYS, TradeRole,
    check_idempotency_key, check_review, check_tracking,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::server::AppState;
use crate::server::db::retry_conflicts;
use crate::server::limits::Limit;
use crate::server::session::Caller;

/// Unpaid (safe-pay, pending) orders one buyer may hold at once.
pub const MAX_UNPAID_ORDERS: i64 = 3;

fn rejected(message: &str) -> AppError {
    AppError::Rejected(message.to_owned())
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

/// The order if the caller is one of its two sides (or an admin); Forbidden otherwise.
pub async fn visible_order(state: &AppState, caller: Caller, id: u64) -> AppResult<OrderRow> {
    let order = repo::order(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.id == order.buyer_id || caller.id == order.seller_id || caller.is_admin {
        Ok(order)
    } else {
        Err(AppError::Forbidden)
    }
}

fn role_of(order: &OrderRow, caller: Caller) -> Option<TradeRole> {
    if caller.id == order.buyer_id {
        Some(TradeRole::Buyer)
    } else if caller.id == order.seller_id {
        Some(TradeRole::Seller)
    } else {
        None
    }
}

// ---- placing an order ----

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
    if listing.seller_id == caller.id {
        return Err(rejected("내가 올린 책은 살 수 없어요."));
    }
    if listing.status != "on_sale" {
        return Err(rejected("지금은 구매할 수 없는 책이에요. (판매중이 아님)"));
    }

    let mut errors = Vec::new();
    let offered = |set: &str, item: &str| set.split(',').any(|s| s == item);
    match input.method {
        PayMethod::SafePay if !offered(&listing.payment_ways, "safe_pay") => {
            errors.push(FieldError {
                field: "method".into(),
                message: "판매자가 안전결제를 받지 않는 책이에요.".into(),
            })
        }
        PayMethod::Cash
            if !offered(&listing.payment_ways, "cash")
                && !offered(&listing.payment_ways, "bank_transfer") =>
        {
            errors.push(FieldError {
                field: "method".into(),
                message: "판매자가 직거래 결제를 받지 않는 책이에요.".into(),
            })
        }
        PayMethod::Cash if input.delivery == DeliveryChoice::Parcel => errors.push(FieldError {
            field: "method".into(),
            message: "택배 거래는 안전결제로만 할 수 있어요. (돈을 먼저 보내는 사기 예방)".into(),
        }),
        _ => {}
    }
    if !offered(&listing.delivery, input.delivery.as_db()) {
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
            Some(id) => match repo::address(&state.pool, caller.id, id).await? {
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
        method: input.method.as_db(),
        provider: provider.map(|p| p.as_db()),
        delivery: input.delivery.as_db(),
        status,
        ship_to: ship_to.as_ref(),
        expires_at: (status == OrderStatus::Pending)
            .then(|| now + Duration::minutes(PAYMENT_WINDOW_MINUTES)),
    };
    let inserted = retry_conflicts(|| store_order(state, &new_order, now)).await?;
    let (id, amount, title) = match inserted {
        Inserted::Order { id, amount, title } => (id, amount, title),
        Inserted::NotOnSale => {
            return Err(rejected("지금은 구매할 수 없는 책이에요. (판매중이 아님)"));
        }
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
    let Inserted::Order { id, .. } = &inserted else {
        return Ok(inserted);
    };
    let kind = if order.status == OrderStatus::Agreed {
        repo::move_listing(&mut tx, order.listing_id, ListingMove::Reserve, now).await?;
        "agreed"
    } else {
        "ordered"
    };
    repo::event(
        &mut tx,
        *id,
        kind,
        None,
        Some(order.status),
        Some(order.buyer_id),
        "",
        now,
    )
    .await?;
    if let Some(a) = order.ship_to {
        repo::remember_address(&mut tx, order.buyer_id, a, now).await?;
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
    if order.status()? == OrderStatus::Pending && order.method == "safe_pay" {
        for _ in 0..30 {
            let latest = sqlx::query!(
                "SELECT checkout_url, status AS `status: String` FROM payment WHERE order_id = ?
                 ORDER BY created_at DESC, id DESC LIMIT 1",
                id
            )
            .fetch_optional(&state.pool)
            .await?;
            match latest {
                Some(p) if p.status == "ready" && p.checkout_url.is_some() => {
                    next_url = p.checkout_url.unwrap_or_default();
                    break;
                }
                Some(p) if p.status != "ready" => break,
                _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
    }
    Ok(Placed {
        order_id: id,
        next_url,
    })
}

/// Opens the provider's checkout for one attempt (idempotent per attempt key).
async fn start_attempt(
    state: &AppState,
    order_id: u64,
    kind: ProviderKind,
    mut req: CheckoutRequest,
) -> AppResult<String> {
    let now = state.clock.now();
    let provider = state.payments.get(kind).ok_or(AppError::BadRequest)?;
    repo::insert_attempt(
        &state.pool,
        order_id,
        &req.attempt_key,
        kind.as_db(),
        req.amount,
        now,
    )
    .await?;
    if let Some(a) = repo::attempt(&state.pool, &req.attempt_key).await?
        && let Some(url) = a.checkout_url
    {
        return Ok(url);
    }
    let base = state.config.public_url.trim_end_matches('/');
    let p = kind.as_db();
    let key = &req.attempt_key;
    req.success_url = format!("{base}/pay/return/{p}?attempt={key}");
    req.fail_url = format!("{base}/pay/fail/{p}?attempt={key}");
    req.cancel_url = format!("{base}/pay/fail/{p}?attempt={key}&cancelled=1");
    match provider.start(&req).await {
        Ok(checkout) => {
            repo::set_checkout(
                &state.pool,
                key,
                checkout.provider_ref.as_deref(),
                &checkout.redirect_url,
                now,
            )
            .await?;
            Ok(checkout.redirect_url)
        }
        Err(e) => {
            tracing::warn!(order = order_id, provider = p, error = %e, "checkout did not open");
            let message = match e {
                PayError::Declined(m) => m,
                _ => "결제창을 열지 못했어요. 잠시 후 다시 시도해 주세요.".into(),
            };
            repo::fail_attempt(&state.pool, key, &message, now).await?;
            Err(AppError::Rejected(message))
        }
    }
}

/// "결제하기" again on a pending order (after a failed or abandoned attempt).
pub async fn pay_again(
    state: &AppState,
    caller: Caller,
    id: u64,
    provider: ProviderKind,
    mobile: bool,
) -> AppResult<String> {
    let order = visible_order(state, caller, id).await?;
    if order.buyer_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    if order.status()? != OrderStatus::Pending
        || order.expires_at.is_none_or(|t| t.and_utc() <= now)
    {
        return Err(rejected(
            "결제할 수 없는 주문이에요. (결제 시간이 지났거나 이미 결제됨)",
        ));
    }
    start_attempt(
        state,
        id,
        provider,
        CheckoutRequest {
            attempt_key: uuid::Uuid::new_v4().to_string(),
            order_no: order.order_no,
            item_code: order.listing_id.to_string(),
            item_name: order.book_title,
            amount: order.amount,
            buyer_id: order.buyer_id,
            success_url: String::new(),
            fail_url: String::new(),
            cancel_url: String::new(),
            mobile,
        },
    )
    .await
}

/// The buyer is back from the provider. Verifies the amount against our order (pay_003)
/// before asking the provider to capture, and records the result. Returns the order id
/// and, when the payment did not go through, the message to show.
pub async fn handle_return(
    state: &AppState,
    kind: ProviderKind,
    attempt_key: &str,
    caller: Option<Caller>,
    params: ReturnParams,
    returned_amount: Option<i64>,
) -> AppResult<(u64, Result<(), String>)> {
    let now = state.clock.now();
    let attempt = repo::attempt(&state.pool, attempt_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = bound_return(state, &attempt, kind, caller).await?;
    let id = order.id;
    if attempt.status == "approved" {
        return Ok((id, Ok(()))); // a replayed return changes nothing
    }
    let fail = |message: &str| {
        let message = message.to_owned();
        async move {
            repo::fail_attempt(&state.pool, attempt_key, &message, now).await?;
            let mut tx = state.pool.begin().await?;
            repo::event(
                &mut tx,
                id,
                "payment_failed",
                None,
                None,
                None,
                &message,
                now,
            )
            .await?;
            tx.commit().await?;
            AppResult::Ok((id, Err(message)))
        }
    };
    if attempt.status != "ready" {
        return Ok((
            id,
            Err("이미 끝난 결제 시도예요. 주문 화면에서 다시 결제해 주세요.".into()),
        ));
    }
    match order.status()? {
        OrderStatus::Pending => {}
        OrderStatus::Paid | OrderStatus::Shipped => {
            // A concurrent return of this very attempt may have just paid it.
            if repo::attempt(&state.pool, attempt_key)
                .await?
                .is_some_and(|a| a.status == "approved")
            {
                return Ok((id, Ok(())));
            }
            return fail("이미 결제된 주문이에요.").await;
        }
        _ => return fail("결제 시간이 지나 주문이 취소되었어요. 다시 주문해 주세요.").await,
    }
    if order.expires_at.is_none_or(|t| t.and_utc() <= now) {
        return fail("결제 시간(15분)이 지나 결제를 진행하지 않았어요. 다시 주문해 주세요.").await;
    }
    if returned_amount.is_some_and(|a| a != i64::from(order.amount)) {
        tracing::warn!(
            order = id,
            ?returned_amount,
            amount = order.amount,
            "amount mismatch"
        );
        return fail(
            "결제 금액이 주문 금액과 달라 결제를 진행하지 않았어요. (결제되지 않았습니다)",
        )
        .await;
    }
    let provider = state.payments.get(kind).ok_or(AppError::BadRequest)?;
    let approval = match provider
        .approve(&ApproveRequest {
            attempt_key: attempt_key.to_owned(),
            order_no: order.order_no.clone(),
            amount: order.amount,
            buyer_id: order.buyer_id,
            provider_ref: attempt.provider_ref.clone(),
            params,
        })
        .await
    {
        Ok(a) => a,
        Err(PayError::Declined(m)) => return fail(&m).await,
        Err(PayError::Unavailable(cause)) => {
            // Outcome unknown: keep the attempt open; coming back retries with the same key.
            tracing::warn!(order = id, %cause, "payment provider did not answer");
            let message = "결제 확인이 늦어지고 있어요. 잠시 후 다시 시도해 주세요.";
            repo::note_attempt(&state.pool, attempt_key, message, now).await?;
            return Ok((id, Err(message.into())));
        }
        Err(PayError::Unexpected(cause)) => {
            tracing::error!(order = id, %cause, "payment provider answered something unexpected");
            return fail("결제를 확인하지 못했어요. 고객센터로 문의해 주세요.").await;
        }
    };
    if approval.amount != order.amount {
        tracing::error!(
            order = id,
            charged = approval.amount,
            "provider charged another amount"
        );
        refund_quietly(
            state,
            kind,
            &approval.provider_ref,
            approval.amount,
            attempt_key,
        )
        .await;
        return fail("결제 금액이 주문 금액과 달라 결제를 취소했어요.").await;
    }

    let mut tx = state.pool.begin().await?;
    let approved =
        repo::approve_attempt(&mut tx, attempt_key, id, &approval.provider_ref, now).await?;
    if approved && repo::mark_paid(&mut tx, id, now).await? {
        repo::move_listing(&mut tx, order.listing_id, ListingMove::Reserve, now).await?;
        repo::event(
            &mut tx,
            id,
            "paid",
            Some(OrderStatus::Pending),
            Some(OrderStatus::Paid),
            Some(order.buyer_id),
            kind.label(),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            order = id,
            provider = kind.as_db(),
            amount = order.amount,
            "order paid"
        );
        return Ok((id, Ok(())));
    }
    drop(tx);
    // A concurrent return of this same attempt got there first: nothing to undo.
    if repo::attempt(&state.pool, attempt_key)
        .await?
        .is_some_and(|a| a.status == "approved")
    {
        return Ok((id, Ok(())));
    }
    // The order expired or another attempt paid it meanwhile: give this money back.
    refund_quietly(
        state,
        kind,
        &approval.provider_ref,
        order.amount,
        attempt_key,
    )
    .await;
    fail("결제 시간이 지나 결제를 취소했어요. (환불 처리됨)").await
}

async fn refund_quietly(
    state: &AppState,
    kind: ProviderKind,
    provider_ref: &str,
    amount: u32,
    attempt_key: &str,
) {
    if let Some(p) = state.payments.get(kind)
        && let Err(e) = p
            .cancel(provider_ref, amount, "주문 확인 실패", attempt_key)
            .await
    {
        tracing::error!(provider_ref, error = %e, "refund of an unmatched payment failed");
    }
}

/// A provider's return belongs to its attempt's provider and buyer: the wrong provider
/// is refused, and so is a signed-in member who is not the buyer. No session at all is
/// let through (in-app browsers lose it on the way); the attempt key is random.
async fn bound_return(
    state: &AppState,
    attempt: &repo::AttemptRow,
    kind: ProviderKind,
    caller: Option<Caller>,
) -> AppResult<OrderRow> {
    if attempt.provider != kind.as_db() {
        return Err(AppError::BadRequest);
    }
    let order = repo::order(&state.pool, attempt.order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.is_some_and(|c| c.id != order.buyer_id) {
        return Err(AppError::Forbidden);
    }
    Ok(order)
}

/// The buyer left the provider's window (failure or cancel).
pub async fn handle_fail(
    state: &AppState,
    kind: ProviderKind,
    attempt_key: &str,
    caller: Option<Caller>,
    message: Option<String>,
    cancelled: bool,
) -> AppResult<u64> {
    let attempt = repo::attempt(&state.pool, attempt_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = bound_return(state, &attempt, kind, caller).await?;
    let message = if cancelled {
        "결제를 취소했어요.".to_owned()
    } else {
        // The provider's reason reaches the buyer only when the buyer's own session
        // brought it back: a link anyone can make must not put words on the order page.
        message
            .filter(|_| caller.is_some_and(|c| c.id == order.buyer_id))
            .map(|m| m.chars().filter(|c| !c.is_control()).take(200).collect())
            .unwrap_or_else(|| "결제가 완료되지 않았어요.".to_owned())
    };
    repo::fail_attempt(&state.pool, attempt_key, &message, state.clock.now()).await?;
    Ok(attempt.order_id)
}

// ---- after payment ----

pub async fn ship(
    state: &AppState,
    caller: Caller,
    id: u64,
    carrier: &str,
    tracking_no: &str,
) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.seller_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let (carrier, number) = check_tracking(carrier, tracking_no)?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let auto_at = now + Duration::days(state.config.auto_confirm_days);
    if !repo::mark_shipped(&mut tx, id, &carrier, &number, auto_at, now).await? {
        return Err(rejected("결제 완료된 택배 주문만 발송 처리할 수 있어요."));
    }
    repo::event(
        &mut tx,
        id,
        "shipped",
        Some(OrderStatus::Paid),
        Some(OrderStatus::Shipped),
        Some(caller.id),
        &format!("{carrier} {number}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The book changed hands: listing sold, both sides get a completed trade.
async fn finish_trade(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    order: &OrderRow,
    now: DateTime<Utc>,
) -> AppResult<()> {
    repo::move_listing(tx, order.listing_id, ListingMove::Sell, now).await?;
    repo::count_trade(tx, order.buyer_id, order.seller_id).await
}

/// 구매 확정 by the buyer.
pub async fn confirm(state: &AppState, caller: Caller, id: u64) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.buyer_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let from = order.status()?;
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if !repo::mark_received(&mut tx, id, now).await? {
        return Err(rejected("지금은 구매 확정할 수 없는 주문이에요."));
    }
    finish_trade(&mut tx, &order, now).await?;
    repo::event(
        &mut tx,
        id,
        "received",
        Some(from),
        Some(OrderStatus::Received),
        Some(caller.id),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// pay_004: the seller marks a cash trade complete.
pub async fn complete(state: &AppState, caller: Caller, id: u64) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.seller_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if !repo::mark_completed(&mut tx, id, now).await? {
        return Err(rejected("직거래 약속 상태의 주문만 거래 완료할 수 있어요."));
    }
    finish_trade(&mut tx, &order, now).await?;
    repo::event(
        &mut tx,
        id,
        "completed",
        Some(OrderStatus::Agreed),
        Some(OrderStatus::Completed),
        Some(caller.id),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancel before shipping, by either side. A paid order is cancelled first and refunded
/// after; a refund that fails is retried by the sweeper, so money is never stuck.
pub async fn cancel(state: &AppState, caller: Caller, id: u64, reason: &str) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if role_of(&order, caller).is_none() {
        return Err(AppError::Forbidden);
    }
    let from = order.status()?;
    if !matches!(
        from,
        OrderStatus::Pending | OrderStatus::Agreed | OrderStatus::Paid
    ) {
        return Err(rejected("발송 전까지만 취소할 수 있어요."));
    }
    let reason: String = reason.trim().chars().take(200).collect();
    cancel_from(state, &order, from, &reason, Some(caller.id)).await
}

async fn cancel_from(
    state: &AppState,
    order: &OrderRow,
    from: OrderStatus,
    reason: &str,
    actor: Option<u64>,
) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if !repo::mark_cancelled(&mut tx, order.id, from, reason, now).await? {
        return Err(rejected(
            "주문 상태가 바뀌었어요. 새로고침한 뒤 다시 시도해 주세요.",
        ));
    }
    if matches!(
        from,
        OrderStatus::Agreed | OrderStatus::Paid | OrderStatus::Shipped
    ) {
        repo::move_listing(&mut tx, order.listing_id, ListingMove::Release, now).await?;
    }
    repo::event(
        &mut tx,
        order.id,
        "cancelled",
        Some(from),
        Some(OrderStatus::Cancelled),
        actor,
        reason,
        now,
    )
    .await?;
    tx.commit().await?;
    if matches!(from, OrderStatus::Paid | OrderStatus::Shipped) {
        refund(state, order.id).await?;
    }
    Ok(())
}

/// Refunds a cancelled order's approved payment; false if the provider did not do it
/// (left for the sweeper to retry).
async fn refund(state: &AppState, order_id: u64) -> AppResult<bool> {
    let Some((key, provider, provider_ref)) = repo::approved_payment(&state.pool, order_id).await?
    else {
        return Ok(true);
    };
    let order = repo::order(&state.pool, order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = ProviderKind::from_db(&provider).ok_or(AppError::Internal)?;
    let Some(p) = state.payments.get(kind) else {
        tracing::error!(
            order = order_id,
            provider,
            "refund needs a provider that is not configured"
        );
        return Ok(false);
    };
    match p
        .cancel(&provider_ref, order.amount, "주문 취소", &key)
        .await
    {
        Ok(()) => {
            let now = state.clock.now();
            let mut tx = state.pool.begin().await?;
            repo::mark_refunded(&mut tx, order_id, now).await?;
            repo::event(
                &mut tx,
                order_id,
                "refunded",
                None,
                None,
                None,
                kind.label(),
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        Err(e) => {
            tracing::warn!(order = order_id, error = %e, "refund failed; the sweeper retries it");
            Ok(false)
        }
    }
}

/// The buyer reports a problem: auto-confirm pauses until an admin resolves it.
pub async fn dispute(state: &AppState, caller: Caller, id: u64, reason: &str) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.buyer_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "무슨 문제인지 500자 안으로 적어 주세요.",
        ));
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if !repo::mark_disputed(&mut tx, id, reason, now).await? {
        return Err(rejected(
            "결제 완료나 배송 중인 주문에만 문제를 신고할 수 있어요.",
        ));
    }
    repo::event(
        &mut tx,
        id,
        "disputed",
        None,
        None,
        Some(caller.id),
        reason,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An admin settles a dispute: refund the buyer, or release the money to the seller.
pub async fn resolve(
    state: &AppState,
    caller: Caller,
    id: u64,
    refund_buyer: bool,
) -> AppResult<()> {
    if !caller.is_admin {
        return Err(AppError::Forbidden);
    }
    let order = repo::order(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = order.status()?;
    if order.disputed_at.is_none() || !matches!(from, OrderStatus::Paid | OrderStatus::Shipped) {
        return Err(rejected("신고된 진행 중 주문만 처리할 수 있어요."));
    }
    if refund_buyer {
        return cancel_from(
            state,
            &order,
            from,
            "분쟁 처리: 구매자 환불",
            Some(caller.id),
        )
        .await;
    }
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    if !repo::mark_released(&mut tx, id, now).await? {
        return Err(rejected(
            "주문 상태가 바뀌었어요. 새로고침한 뒤 다시 시도해 주세요.",
        ));
    }
    finish_trade(&mut tx, &order, now).await?;
    repo::event(
        &mut tx,
        id,
        "released",
        Some(from),
        Some(OrderStatus::Received),
        Some(caller.id),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- reviews ----

pub async fn write_review(
    state: &AppState,
    caller: Caller,
    id: u64,
    stars: u8,
    body: &str,
) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    let Some(role) = role_of(&order, caller) else {
        return Err(AppError::Forbidden);
    };
    if !order.status()?.is_done() {
        return Err(rejected("거래가 끝난 뒤에 후기를 남길 수 있어요."));
    }
    check_review(stars, body)?;
    let reviewee = match role {
        TradeRole::Buyer => order.seller_id,
        TradeRole::Seller => order.buyer_id,
    };
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    let visible_at = now + Duration::days(REVIEW_BLIND_DAYS);
    if !repo::insert_review(
        &mut tx,
        id,
        caller.id,
        reviewee,
        role,
        stars,
        body.trim(),
        now,
        visible_at,
    )
    .await?
    {
        return Err(rejected("이 거래에는 이미 후기를 남겼어요."));
    }
    repo::reveal_if_both(&mut tx, id, now).await?;
    for review in repo::order_review_ids(&mut tx, id).await? {
        repo::count_review(&mut tx, review, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- the order page ----

pub async fn detail(state: &AppState, caller: Caller, id: u64) -> AppResult<OrderDetail> {
    let order = visible_order(state, caller, id).await?;
    let now = state.clock.now();
    let status = order.status()?;
    let role = role_of(&order, caller);
    let reviews = repo::order_reviews(&state.pool, id).await?;
    let mine = reviews.iter().find(|r| r.reviewer_id == caller.id);
    let theirs = reviews.iter().find(|r| r.reviewer_id != caller.id);
    let their_visible = theirs.filter(|r| r.visible_at.and_utc() <= now);
    let disputed = order.disputed_at.is_some();
    let expired = order.expires_at.is_some_and(|t| t.and_utc() <= now);
    let open = matches!(
        status,
        OrderStatus::Pending | OrderStatus::Agreed | OrderStatus::Paid
    );
    let actions = match role {
        Some(TradeRole::Buyer) => OrderActions {
            pay: status == OrderStatus::Pending && !expired,
            confirm: status == OrderStatus::Shipped
                || (status == OrderStatus::Paid && order.delivery != "parcel"),
            cancel: open,
            dispute: matches!(status, OrderStatus::Paid | OrderStatus::Shipped) && !disputed,
            review: status.is_done() && mine.is_none(),
            ..Default::default()
        },
        Some(TradeRole::Seller) => OrderActions {
            ship: status == OrderStatus::Paid && order.delivery == "parcel" && !disputed,
            complete: status == OrderStatus::Agreed,
            cancel: open,
            review: status.is_done() && mine.is_none(),
            ..Default::default()
        },
        None => OrderActions {
            resolve: disputed && matches!(status, OrderStatus::Paid | OrderStatus::Shipped),
            ..Default::default()
        },
    };
    let payment_failure = if status == OrderStatus::Pending {
        repo::last_failure(&state.pool, id).await?
    } else {
        None
    };
    let contact_visible = match role {
        Some(TradeRole::Buyer) => true,
        Some(TradeRole::Seller) => status.shows_buyer_contact_to_seller(),
        // An admin settling a dispute needs to see where it went.
        None => caller.is_admin && disputed,
    };
    let ship_to = match (
        order.ship_recipient.filter(|_| contact_visible),
        order.ship_phone,
        order.ship_postcode,
        order.ship_address1,
    ) {
        (Some(recipient), Some(phone), Some(postcode), Some(address1)) => Some(AddressInput {
            recipient,
            phone,
            postcode,
            address1,
            address2: order.ship_address2.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(OrderDetail {
        id,
        order_no: order.order_no,
        listing_id: order.listing_id,
        title: order.book_title,
        amount: i64::from(order.amount),
        method: PayMethod::from_db(&order.method).ok_or(AppError::Internal)?,
        provider: order.provider.as_deref().and_then(ProviderKind::from_db),
        delivery: DeliveryChoice::from_db(&order.delivery).ok_or(AppError::Internal)?,
        ship_to,
        status,
        role,
        buyer_nickname: order.buyer_nickname,
        seller_id: order.seller_id,
        seller_nickname: order.seller_nickname,
        created_at: order.created_at.and_utc(),
        expires_at: order.expires_at.map(|t| t.and_utc()),
        auto_confirm_at: order.auto_confirm_at.map(|t| t.and_utc()),
        carrier: order.carrier,
        tracking_no: order.tracking_no,
        disputed,
        dispute_reason: order.dispute_reason,
        cancel_reason: order.cancel_reason,
        events: repo::to_events(repo::events(&state.pool, id).await?),
        actions,
        my_review: mine.map(|r| r.view()),
        their_review: their_visible.map(|r| r.view()),
        their_review_hidden: theirs.is_some() && their_visible.is_none(),
        payment_failure,
    })
}

// ---- the sweeper ----

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub expired: u32,
    pub auto_confirmed: u32,
    pub settled: u32,
    pub reviews_counted: u32,
    pub refunds_retried: u32,
}

/// Does whatever is due at `now`: expires unpaid orders, confirms long-shipped ones
/// (unless disputed), settles confirmed ones, counts reviews whose blind period ended,
/// and retries refunds. Safe to run on several instances at once: every step is a
/// conditional UPDATE, so only one of them acts on each order.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> AppResult<Swept> {
    let due = repo::due(&state.pool, now, 500).await?;
    let mut swept = Swept::default();
    for id in due.expired {
        let mut tx = state.pool.begin().await?;
        if repo::mark_expired(&mut tx, id, now).await? {
            repo::expire_attempts(&mut tx, id, now).await?;
            repo::event(
                &mut tx,
                id,
                "expired",
                Some(OrderStatus::Pending),
                Some(OrderStatus::Expired),
                None,
                "",
                now,
            )
            .await?;
            tx.commit().await?;
            swept.expired += 1;
        }
    }
    for id in due.auto_confirm {
        let Some(order) = repo::order(&state.pool, id).await? else {
            continue;
        };
        let mut tx = state.pool.begin().await?;
        if repo::mark_auto_received(&mut tx, id, now).await? {
            finish_trade(&mut tx, &order, now).await?;
            repo::event(
                &mut tx,
                id,
                "auto_received",
                Some(OrderStatus::Shipped),
                Some(OrderStatus::Received),
                None,
                "",
                now,
            )
            .await?;
            tx.commit().await?;
            swept.auto_confirmed += 1;
        }
    }
    for id in repo::to_settle(&state.pool, 500).await? {
        let mut tx = state.pool.begin().await?;
        if repo::settle(&mut tx, id, now).await? {
            repo::event(
                &mut tx,
                id,
                "settled",
                Some(OrderStatus::Received),
                Some(OrderStatus::Settled),
                None,
                "",
                now,
            )
            .await?;
            tx.commit().await?;
            swept.settled += 1;
        }
    }
    for review in due.reviews {
        let mut tx = state.pool.begin().await?;
        repo::count_review(&mut tx, review, now).await?;
        tx.commit().await?;
        swept.reviews_counted += 1;
    }
    for id in due.refunds {
        if refund(state, id).await? {
            swept.refunds_retried += 1;
        }
    }
    Ok(swept)
}

/// Runs the sweeper every 30 seconds for the life of the server.
pub async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        match sweep(&state, state.clock.now()).await {
            Ok(s) if s != Swept::default() => tracing::info!(?s, "order sweep"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "order sweep failed"),
        }
    }
}
