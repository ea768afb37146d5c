pub mod api;
pub mod barcode;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod scan;
pub mod types;
