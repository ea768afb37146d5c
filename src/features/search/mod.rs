//! Finding books: Korean-aware terms, an InnoDB inverted index, filters, keyset pages.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod tokens;
pub mod types;
