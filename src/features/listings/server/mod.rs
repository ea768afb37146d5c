//! Listings on the server: selling (`manage`), reading and reacting to listings
//! (`view`) and their SQL (`repo`).

pub mod demo;
pub mod manage;
pub mod repo;
pub mod view;
