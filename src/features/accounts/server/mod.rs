//! accounts on the server: use cases and SQL.

pub mod demo;
pub mod repo;
