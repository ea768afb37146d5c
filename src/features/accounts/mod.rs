pub mod api;
pub mod auth;
pub mod pages;
pub mod profile;
pub mod recovery;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod sns;
pub mod types;
pub mod verification;
pub mod withdrawal;
