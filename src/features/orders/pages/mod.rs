//! Buying screens: the confirmation page and sandbox checkout (`buy`), the order page
//! with its next steps (`order`), and "my trades" (`trades`).

mod buy;
mod order;
mod trades;

pub use buy::{BuyPage, SandboxCheckoutPage};
pub use order::OrderPage;
pub use trades::TradesPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub(super) fn param_id(key: &'static str) -> impl Fn() -> u64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get(key)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}
