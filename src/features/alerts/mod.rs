//! Wanted alerts (issue 4): "tell me when this book, or a book matching this search, is
//! listed". Matches are stored as hits when the listing is created.

pub mod api;
pub mod pages;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
