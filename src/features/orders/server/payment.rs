//! Paying for an order: opening a provider's checkout for an attempt, the buyer's return
//! from it (verified against our order before capture, pay_003), and refunds. Calls to
//! providers happen outside transactions; their outcome is recorded afterwards, and a
//! refund that fails is retried by the sweeper.

use super::payments::{ApproveRequest, CheckoutRequest, PayError, ReturnParams};
use super::repo::attempts::{self, AttemptRow, AttemptStatus};
use super::repo::{self, Event, OrderRow};
use super::transition::{self, Step};
use super::{rejected, visible_order};
use crate::error::{AppError, AppResult};
use crate::features::orders::types::{EventKind, OrderStatus, ProviderKind};
use crate::server::AppState;
use crate::server::db::retry_keyed;
use crate::server::session::Caller;

/// Opens the provider's checkout for one attempt (idempotent per attempt key).
pub(super) async fn start_attempt(
    state: &AppState,
    order_id: u64,
    kind: ProviderKind,
    mut req: CheckoutRequest,
) -> AppResult<String> {
    let now = state.clock.now();
    let provider = state.payments.get(kind).ok_or(AppError::BadRequest)?;
    // Keyed by the attempt: a repeat after a lost COMMIT finds it there.
    retry_keyed(|| {
        attempts::insert_attempt(
            &state.pool,
            order_id,
            &req.attempt_key,
            kind,
            req.amount,
            now,
        )
    })
    .await?;
    if let Some(a) = attempts::attempt(&state.pool, &req.attempt_key).await?
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
            retry_keyed(|| {
                attempts::set_checkout(
                    &state.pool,
                    key,
                    checkout.provider_ref.as_deref(),
                    &checkout.redirect_url,
                    now,
                )
            })
            .await?;
            Ok(checkout.redirect_url)
        }
        Err(e) => {
            tracing::warn!(order = order_id, provider = p, error = %e, "checkout did not open");
            let message = match e {
                PayError::Declined(m) => m,
                _ => "결제창을 열지 못했어요. 잠시 후 다시 시도해 주세요.".into(),
            };
            attempts::fail_attempt(&state.pool, key, &message, now).await?;
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
    if order.status != OrderStatus::Pending || order.expires_at.is_none_or(|t| t.and_utc() <= now) {
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
    let attempt = attempts::attempt(&state.pool, attempt_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let order = bound_return(state, &attempt, kind, caller).await?;
    let id = order.id;
    if attempt.status == AttemptStatus::Approved {
        return Ok((id, Ok(()))); // a replayed return changes nothing
    }
    let fail = |message: &str| {
        let message = message.to_owned();
        async move {
            attempts::fail_attempt(&state.pool, attempt_key, &message, now).await?;
            let mut tx = state.pool.begin().await?;
            let event = Event {
                kind: EventKind::PaymentFailed,
                from: None,
                to: None,
                actor: None,
                detail: &message,
            };
            repo::event(&mut tx, id, &event, now).await?;
            tx.commit().await?;
            AppResult::Ok((id, Err(message)))
        }
    };
    if attempt.status != AttemptStatus::Ready {
        return Ok((
            id,
            Err("이미 끝난 결제 시도예요. 주문 화면에서 다시 결제해 주세요.".into()),
        ));
    }
    match order.status {
        OrderStatus::Pending => {}
        OrderStatus::Paid | OrderStatus::Shipped => {
            // A concurrent return of this very attempt may have just paid it.
            if attempts::attempt(&state.pool, attempt_key)
                .await?
                .is_some_and(|a| a.status == AttemptStatus::Approved)
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
            attempts::note_attempt(&state.pool, attempt_key, message, now).await?;
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

    // Keyed by the attempt: a repeat after a lost COMMIT finds it approved (below).
    let recorded = retry_keyed(|| {
        record_approval(
            state,
            attempt_key,
            &order,
            &approval.provider_ref,
            kind,
            now,
        )
    })
    .await?;
    if recorded {
        tracing::info!(
            order = id,
            provider = kind.as_db(),
            amount = order.amount,
            "order paid"
        );
        return Ok((id, Ok(())));
    }
    // A concurrent return of this same attempt got there first: nothing to undo.
    if attempts::attempt(&state.pool, attempt_key)
        .await?
        .is_some_and(|a| a.status == AttemptStatus::Approved)
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

/// The approval and the order's move to paid, together or not at all.
async fn record_approval(
    state: &AppState,
    attempt_key: &str,
    order: &OrderRow,
    provider_ref: &str,
    kind: ProviderKind,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<bool> {
    let mut tx = state.pool.begin().await?;
    let approved =
        attempts::approve_attempt(&mut tx, attempt_key, order.id, provider_ref, now).await?;
    let paid = Step::Pay { provider: kind };
    if approved && transition::apply(&mut tx, order, paid, Some(order.buyer_id), now).await? {
        tx.commit().await?;
        transition::announce(state, order);
        return Ok(true);
    }
    Ok(false)
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
    attempt: &AttemptRow,
    kind: ProviderKind,
    caller: Option<Caller>,
) -> AppResult<OrderRow> {
    if attempt.provider != kind {
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
    let attempt = attempts::attempt(&state.pool, attempt_key)
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
    attempts::fail_attempt(&state.pool, attempt_key, &message, state.clock.now()).await?;
    Ok(attempt.order_id)
}

/// Refunds a cancelled order's approved payment; false if the provider did not do it
/// (left for the sweeper to retry).
pub(super) async fn refund(state: &AppState, order_id: u64) -> AppResult<bool> {
    let Some((key, kind, provider_ref)) = attempts::approved_payment(&state.pool, order_id).await?
    else {
        return Ok(true);
    };
    let order = repo::order(&state.pool, order_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(p) = state.payments.get(kind) else {
        tracing::error!(
            order = order_id,
            provider = kind.as_db(),
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
            attempts::mark_refunded(&mut tx, order_id, now).await?;
            let event = Event {
                kind: EventKind::Refunded,
                from: None,
                to: None,
                actor: None,
                detail: kind.label(),
            };
            repo::event(&mut tx, order_id, &event, now).await?;
            super::notices::raise_for(&mut tx, &order, EventKind::Refunded, None, now).await?;
            tx.commit().await?;
            transition::announce(state, &order);
            Ok(true)
        }
        Err(e) => {
            tracing::warn!(order = order_id, error = %e, "refund failed; the sweeper retries it");
            Ok(false)
        }
    }
}
