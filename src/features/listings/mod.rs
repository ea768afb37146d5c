pub mod api;
pub mod detail;
pub mod pages;
pub mod sell;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
