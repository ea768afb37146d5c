pub mod api;
pub mod pages;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
