//! Listing photos: shared rules, the upload picker, and (server) their rows.

pub mod picker;
/// The server half: upload handling, processing, storage and the photo rows.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
