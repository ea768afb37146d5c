//! Orders on the server, by use case: placing an order (`place`), paying for it
//! (`payment`, with the providers in `payments`), what happens after payment
//! (`fulfil`), reviewing the trade (`review`), the order page and trade history
//! (`detail`, `trades`) and the sweeper that acts on what is due (`sweep`). Every status
//! change goes through `transition`, which also raises its notices (`notices`); the SQL
//! is in `repo`.

pub mod demo;
pub mod detail;
pub mod fulfil;
pub mod notices;
pub mod payment;
pub mod payments;
pub mod place;
pub mod repo;
pub mod review;
pub mod sweep;
pub mod trades;
mod transition;

use repo::OrderRow;

use crate::error::{AppError, AppResult};
use crate::features::orders::types::TradeRole;
use crate::server::AppState;
use crate::server::session::Caller;

fn rejected(message: &str) -> AppError {
    AppError::Rejected(message.to_owned())
}

/// Asked again after the order moved under the caller's feet.
const CHANGED_MEANWHILE: &str = "주문 상태가 바뀌었어요. 새로고침한 뒤 다시 시도해 주세요.";

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
