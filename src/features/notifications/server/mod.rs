//! notifications on the server: SQL.

pub mod repo;
