//! Listing photos on the server: processing uploads, storing and serving them, and
//! their rows.

pub mod http;
pub mod process;
pub mod repo;
pub mod store;

pub use store::{PhotoBackend, PhotoStore, S3Settings};
