//! moderation on the server: use cases and SQL.

pub mod audit;
pub mod listing_reports;
pub mod repo;
pub mod sanctions;
pub mod stats;
