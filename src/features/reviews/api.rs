//! Server functions for reviews.

use leptos::prelude::*;

use super::types::ReviewView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::server::repo, crate::server::request};

/// A member's visible reviews (public: shown on their seller page). The endpoint keeps
/// the path it had when reviews lived in orders, so existing clients keep working.
#[server(endpoint = "orders/reviews_of")]
pub async fn reviews_of(member_id: u64) -> Result<Vec<ReviewView>, AppError> {
    let state = request::state()?;
    repo::reviews_of(&state.pool, member_id, state.clock.now(), 20).await
}
