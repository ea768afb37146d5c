//! alerts on the server: use cases and SQL.

pub mod repo;
