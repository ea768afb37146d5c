pub mod api;
pub mod barcode;
pub mod pages;
pub mod scan;
/// The server half: the catalog's SQL and the book sources.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
