//! Presentational pieces with no data access.

pub mod browser;
pub mod codec;
pub mod form;
pub mod format;
pub mod icons;
pub mod login_needed;
pub mod not_found;
pub mod paging;
#[cfg(feature = "hydrate")]
pub mod visible;
