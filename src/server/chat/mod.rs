//! Live chat: the WebSocket endpoint, this instance's hub of open sockets, and the
//! broker that joins instances. Storage and rules live in `features::chat`.

pub mod broker;
pub mod hub;
pub mod writer;
pub mod ws;
