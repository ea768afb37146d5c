pub mod accounts;
pub mod listings;
