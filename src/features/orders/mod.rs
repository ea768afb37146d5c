//! Buying: orders with cash or escrow ("안전결제") payment and trade history
//! (issue 6); the reviews written after a trade live in `features::reviews`.

pub mod api;
pub mod pages;
/// The server half: use cases, payment providers and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
