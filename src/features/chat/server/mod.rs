//! Chat on the server: its SQL (`repo`), sending a message (`send`, the use case), the
//! WebSocket endpoint that decodes frames and calls it (`ws`), this instance's hub of
//! open sockets, the broker that joins instances and the writers that store messages
//! in batches. Shared rules live in `features::chat::types`.

pub mod broker;
pub mod hub;
pub mod repo;
pub mod send;
pub mod writer;
pub mod ws;
