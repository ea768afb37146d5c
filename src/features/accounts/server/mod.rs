//! accounts on the server: use cases and SQL.

pub mod codes;
pub mod demo;
pub mod profile;
pub mod recovery;
pub mod repo;
pub mod sns;
pub mod stale;
pub mod withdrawal;
