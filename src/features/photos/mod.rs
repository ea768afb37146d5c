//! Listing photos: shared rules, the upload picker, and (server) their rows.

pub mod picker;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod types;
