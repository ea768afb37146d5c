//! After an order is placed: shipping, 구매 확정, completing a cash trade, cancelling
//! (with the refund), disputes and an admin's ruling on them.

use chrono::Duration;

use super::payment::refund;
use super::repo::{self, OrderRow};
use super::transition::{self, Step};
use super::{CHANGED_MEANWHILE, rejected, role_of, visible_order};
use crate::error::{AppError, AppResult};
use crate::features::orders::types::{OrderStatus, check_tracking};
use crate::server::AppState;
use crate::server::session::Caller;

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
    let (carrier, tracking_no) = check_tracking(carrier, tracking_no)?;
    let now = state.clock.now();
    let step = Step::Ship {
        carrier: &carrier,
        tracking_no: &tracking_no,
        auto_confirm_at: now + Duration::days(state.config.auto_confirm_days),
    };
    if !transition::run(state, &order, step, Some(caller.id), now).await? {
        return Err(rejected("결제 완료된 택배 주문만 발송 처리할 수 있어요."));
    }
    Ok(())
}

/// 구매 확정 by the buyer.
pub async fn confirm(state: &AppState, caller: Caller, id: u64) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.buyer_id != caller.id {
        return Err(AppError::Forbidden);
    }
    let step = Step::Receive { from: order.status };
    if !transition::run(state, &order, step, Some(caller.id), state.clock.now()).await? {
        return Err(rejected("지금은 구매 확정할 수 없는 주문이에요."));
    }
    Ok(())
}

/// pay_004: the seller marks a cash trade complete.
pub async fn complete(state: &AppState, caller: Caller, id: u64) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if order.seller_id != caller.id {
        return Err(AppError::Forbidden);
    }
    if !transition::run(
        state,
        &order,
        Step::Complete,
        Some(caller.id),
        state.clock.now(),
    )
    .await?
    {
        return Err(rejected("직거래 약속 상태의 주문만 거래 완료할 수 있어요."));
    }
    Ok(())
}

/// Cancel before shipping, by either side. A paid order is cancelled first and refunded
/// after; a refund that fails is retried by the sweeper, so money is never stuck.
pub async fn cancel(state: &AppState, caller: Caller, id: u64, reason: &str) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    if role_of(&order, caller).is_none() {
        return Err(AppError::Forbidden);
    }
    if !matches!(
        order.status,
        OrderStatus::Pending | OrderStatus::Agreed | OrderStatus::Paid
    ) {
        return Err(rejected("발송 전까지만 취소할 수 있어요."));
    }
    let reason: String = reason.trim().chars().take(200).collect();
    cancel_from(state, &order, &reason, Some(caller.id)).await
}

/// Cancels from the state the caller saw, then refunds what was paid.
async fn cancel_from(
    state: &AppState,
    order: &OrderRow,
    reason: &str,
    actor: Option<u64>,
) -> AppResult<()> {
    let from = order.status;
    let step = Step::Cancel { from, reason };
    if !transition::run(state, order, step, actor, state.clock.now()).await? {
        return Err(rejected(CHANGED_MEANWHILE));
    }
    if matches!(from, OrderStatus::Paid | OrderStatus::Shipped) {
        refund(state, order.id).await?;
    }
    Ok(())
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
    let step = Step::Dispute { reason };
    if !transition::run(state, &order, step, Some(caller.id), state.clock.now()).await? {
        return Err(rejected(
            "결제 완료나 배송 중인 주문에만 문제를 신고할 수 있어요.",
        ));
    }
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
    let from = order.status;
    if order.disputed_at.is_none() || !matches!(from, OrderStatus::Paid | OrderStatus::Shipped) {
        return Err(rejected("신고된 진행 중 주문만 처리할 수 있어요."));
    }
    if refund_buyer {
        return cancel_from(state, &order, "분쟁 처리: 구매자 환불", Some(caller.id)).await;
    }
    let step = Step::Release { from };
    if !transition::run(state, &order, step, Some(caller.id), state.clock.now()).await? {
        return Err(rejected(CHANGED_MEANWHILE));
    }
    Ok(())
}
