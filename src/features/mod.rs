pub mod accounts;
pub mod catalog;
pub mod listings;
pub mod photos;
pub mod search;
