//! Presentational pieces with no data access.

pub mod form;
pub mod format;
