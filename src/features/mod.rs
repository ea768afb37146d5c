pub mod accounts;
pub mod alerts;
pub mod catalog;
pub mod courses;
pub mod listings;
pub mod orders;
pub mod photos;
pub mod search;
