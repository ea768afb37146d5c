//! Reviews after a trade and the trust they build: the trust score, its bread grade
//! (빵등급) and the widgets that show them. Writing a review is a step of an order
//! (`orders::server::review`); its SQL and the score live here.

pub mod api;
/// The server half: review and trust-score SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
pub mod widgets;
