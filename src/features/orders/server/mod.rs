//! Orders on the server: the payment providers and the URLs they return to.

pub mod payments;
