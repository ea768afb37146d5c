use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::MySqlPool;

use super::books::Catalog;
use super::clock::Clock;
use super::config::Config;
use super::metrics::Metrics;
use super::payments::Payments;
use super::photos::PhotoStore;

/// Everything a request handler or server function needs; provided to server functions
/// as context by `leptos_routes_with_context` (no globals).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: MySqlPool,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub catalog: Arc<Catalog>,
    pub photos: Arc<PhotoStore>,
    pub payments: Arc<Payments>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
