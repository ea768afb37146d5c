//! Reviews on the server: their SQL and the trust score they feed.

pub mod repo;
