//! Server functions for buying, the order page and trade history. Each signs the caller
//! in, decodes its arguments and calls a use case in `server/`, which decides the buyer,
//! seller and admin rules.

use leptos::prelude::*;

use super::types::{
    BuyQuote, OrderDetail, OrderInput, Placed, ProviderKind, SandboxCheckout, TradeCursor,
    TradePage, TradeRole,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::server::{detail, fulfil, payment, place, review, trades},
    super::types::OrderStatus,
    crate::server::request,
};

/// Whether the request comes from a phone (KakaoPay has a separate mobile checkout).
#[cfg(feature = "ssr")]
fn from_phone() -> bool {
    request::header(axum::http::header::USER_AGENT).is_some_and(|ua| ua.contains("Mobile"))
}

/// The confirmation page's data (pay_002). Members other than the seller only.
#[server(endpoint = "orders/quote")]
pub async fn get_buy_quote(listing_id: u64) -> Result<BuyQuote, AppError> {
    let caller = request::require_verified().await?;
    place::quote(&request::state()?, caller, listing_id).await
}

/// Places the order; answers where to go next (the checkout, or the order page).
#[server(endpoint = "orders/place")]
pub async fn place_order(#[server(default)] input: OrderInput) -> Result<Placed, AppError> {
    let caller = request::require_verified().await?;
    place::place(&request::state()?, caller, input, from_phone()).await
}

/// Opens a new payment attempt for a pending order; answers the checkout URL.
#[server(endpoint = "orders/pay")]
pub async fn pay_order(id: u64, provider: ProviderKind) -> Result<String, AppError> {
    let caller = request::require_caller().await?;
    payment::pay_again(&request::state()?, caller, id, provider, from_phone()).await
}

#[server(endpoint = "orders/get")]
pub async fn get_order(id: u64) -> Result<OrderDetail, AppError> {
    let caller = request::require_caller().await?;
    let state = request::state()?;
    crate::server::db::retry_read(|| detail::detail(&state, caller, id)).await
}

#[server(endpoint = "orders/ship")]
pub async fn ship_order(id: u64, carrier: String, tracking_no: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::ship(&request::state()?, caller, id, &carrier, &tracking_no).await
}

#[server(endpoint = "orders/confirm")]
pub async fn confirm_order(id: u64) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::confirm(&request::state()?, caller, id).await
}

#[server(endpoint = "orders/complete")]
pub async fn complete_order(id: u64) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::complete(&request::state()?, caller, id).await
}

#[server(endpoint = "orders/cancel")]
pub async fn cancel_order(id: u64, #[server(default)] reason: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::cancel(&request::state()?, caller, id, &reason).await
}

#[server(endpoint = "orders/dispute")]
pub async fn dispute_order(id: u64, reason: String) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::dispute(&request::state()?, caller, id, &reason).await
}

/// Admins only: `refund` gives the buyer their money back, otherwise the seller is paid.
#[server(endpoint = "orders/resolve")]
pub async fn resolve_order(id: u64, refund: bool) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    fulfil::resolve(&request::state()?, caller, id, refund).await
}

#[server(endpoint = "orders/review")]
pub async fn write_review(
    id: u64,
    stars: u8,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    review::write_review(&request::state()?, caller, id, stars, &body).await
}

/// What the sandbox checkout shows: only the buyer may open their attempt.
#[server(endpoint = "orders/attempt")]
pub async fn sandbox_attempt(attempt: String) -> Result<SandboxCheckout, AppError> {
    let caller = request::require_caller().await?;
    detail::sandbox_checkout(&request::state()?, caller, &attempt).await
}

/// My trades as buyer or seller (USER-PAYMENT-01): newest first, keyset paged, with an
/// optional KST date range (`from`..=`to`, YYYY-MM-DD) and status.
#[server(endpoint = "orders/history")]
pub async fn trade_history(
    #[server(default)] role: Option<TradeRole>,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] status: String,
    #[server(default)] after: Option<TradeCursor>,
) -> Result<TradePage, AppError> {
    let caller = request::require_caller().await?;
    let day = |s: &str, field: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::field(field, "날짜를 YYYY-MM-DD 형식으로 입력해 주세요."))?;
        // Midnight in Korea.
        Ok(Some(
            d.and_hms_opt(0, 0, 0).expect("midnight").and_utc() - chrono::Duration::hours(9),
        ))
    };
    let from_at = day(&from, "from")?;
    let until = day(&to, "to")?.map(|t| t + chrono::Duration::days(1));
    if let (Some(a), Some(b)) = (from_at, until)
        && a >= b
    {
        return Err(AppError::field("to", "끝 날짜가 시작 날짜보다 빨라요."));
    }
    let status = match status.as_str() {
        "" => None,
        s => Some(
            OrderStatus::from_db(s)
                .ok_or_else(|| AppError::field("status", "알 수 없는 거래 상태입니다."))?,
        ),
    };
    let state = request::state()?;
    // 거래 내역 opens on the side the member last traded on: a seller whose book just
    // sold sees that sale, not an empty purchase list.
    let role = match role {
        Some(r) => r,
        None => trades::latest_role(&state.pool, caller.id).await?,
    };
    let filter = trades::TradeFilter {
        role,
        from: from_at,
        until,
        status,
        after,
    };
    trades::trades(&state, caller, filter).await
}
