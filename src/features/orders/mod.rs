//! Buying: orders with cash or escrow ("안전결제") payment, trade history, reviews and
//! the bread grade (issue 6).

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
/// The payment providers and their return URLs (server only).
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
pub mod types;
