//! Finding books: Korean-aware terms, an InnoDB inverted index, filters, keyset pages.

pub mod api;
pub mod pages;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod tokens;
pub mod types;
