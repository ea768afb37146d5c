//! My trades as buyer or seller (USER-PAYMENT-01): newest first, keyset paged.

use chrono::{DateTime, Utc};

use super::repo::history::{self, HistoryQuery};
use crate::error::AppResult;
use crate::features::orders::types::{
    OrderStatus, TRADES_PAGE_SIZE, TradeCursor, TradePage, TradeRole,
};
use crate::server::AppState;
use crate::server::session::Caller;

/// What a page of history asks for; the dates are already checked and in UTC.
pub struct TradeFilter {
    pub role: TradeRole,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub status: Option<OrderStatus>,
    pub after: Option<TradeCursor>,
}

pub async fn trades(state: &AppState, caller: Caller, filter: TradeFilter) -> AppResult<TradePage> {
    let limit = TRADES_PAGE_SIZE;
    let mut items = history::history(
        &state.pool,
        &HistoryQuery {
            member_id: caller.id,
            role: filter.role,
            from: filter.from,
            until: filter.until,
            status: filter.status,
            after: filter.after,
            limit: limit + 1,
        },
    )
    .await?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|r| TradeCursor {
            created_at: r.created_at,
            id: r.id,
        })
    } else {
        None
    };
    Ok(TradePage {
        role: filter.role,
        items,
        next,
    })
}

/// The side of the member's most recent trade (buyer when they have none).
pub async fn latest_role(pool: &sqlx::MySqlPool, member_id: u64) -> AppResult<TradeRole> {
    // One indexed look-up per side (ix_order_buyer, ix_order_seller), not an OR.
    let bought = sqlx::query_scalar!(
        "SELECT MAX(created_at) FROM trade_order WHERE buyer_id = ?",
        member_id
    )
    .fetch_one(pool)
    .await?;
    let sold = sqlx::query_scalar!(
        "SELECT MAX(created_at) FROM trade_order WHERE seller_id = ?",
        member_id
    )
    .fetch_one(pool)
    .await?;
    Ok(match (bought, sold) {
        (Some(b), Some(s)) if s > b => TradeRole::Seller,
        (None, Some(_)) => TradeRole::Seller,
        _ => TradeRole::Buyer,
    })
}
