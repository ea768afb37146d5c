//! notifications on the server: SQL and the live nudge.

pub mod live;
pub mod repo;
