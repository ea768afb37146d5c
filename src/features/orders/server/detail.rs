//! The order page: what each side sees of an order and may do next, and the sandbox
//! checkout's view of an attempt.

use super::repo::{self, attempts};
use super::role_of;
use super::visible_order;
use crate::error::{AppError, AppResult};
use crate::features::orders::types::{
    AddressInput, DeliveryChoice, OrderActions, OrderDetail, OrderStatus, ProviderKind,
    SandboxCheckout, TradeRole,
};
use crate::features::reviews::server::repo as reviews;
use crate::server::AppState;
use crate::server::session::Caller;

pub async fn detail(state: &AppState, caller: Caller, id: u64) -> AppResult<OrderDetail> {
    let order = visible_order(state, caller, id).await?;
    let now = state.clock.now();
    let status = order.status;
    let role = role_of(&order, caller);
    let reviews = reviews::order_reviews(&state.pool, id).await?;
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
                || (status == OrderStatus::Paid && order.delivery != DeliveryChoice::Parcel),
            cancel: open,
            dispute: matches!(status, OrderStatus::Paid | OrderStatus::Shipped) && !disputed,
            review: status.is_done() && mine.is_none(),
            ..Default::default()
        },
        Some(TradeRole::Seller) => OrderActions {
            ship: status == OrderStatus::Paid
                && order.delivery == DeliveryChoice::Parcel
                && !disputed,
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
        attempts::last_failure(&state.pool, id).await?
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
        method: order.method,
        provider: order.provider,
        delivery: order.delivery,
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
        events: repo::events(&state.pool, id).await?,
        actions,
        my_review: mine.map(|r| r.view()),
        their_review: their_visible.map(|r| r.view()),
        their_review_hidden: theirs.is_some() && their_visible.is_none(),
        payment_failure,
    })
}

/// What the sandbox checkout shows: only the buyer may open their attempt.
pub async fn sandbox_checkout(
    state: &AppState,
    caller: Caller,
    attempt: &str,
) -> AppResult<SandboxCheckout> {
    let Some(a) = attempts::attempt(&state.pool, attempt).await? else {
        tracing::warn!(attempt, "sandbox checkout of an unknown attempt");
        return Err(AppError::NotFound);
    };
    let order = visible_order(state, caller, a.order_id).await?;
    if order.buyer_id != caller.id || a.provider != ProviderKind::Sandbox {
        return Err(AppError::Forbidden);
    }
    let Some(payment_key) = a.provider_ref else {
        tracing::warn!(attempt, status = ?a.status, "sandbox checkout that never opened");
        return Err(AppError::NotFound);
    };
    Ok(SandboxCheckout {
        order_no: order.order_no,
        title: order.book_title,
        amount: i64::from(a.amount),
        payment_key,
    })
}
