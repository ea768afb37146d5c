pub mod accounts;
pub mod catalog;
pub mod listings;
pub mod orders;
pub mod photos;
pub mod search;
