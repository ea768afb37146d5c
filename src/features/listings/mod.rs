pub mod api;
pub mod detail;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod sell;
pub mod types;
