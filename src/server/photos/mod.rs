//! Listing photos on the server: processing uploads, storing and serving them.

pub mod http;
pub mod process;
pub mod store;

pub use store::{PhotoBackend, PhotoStore, S3Settings};
