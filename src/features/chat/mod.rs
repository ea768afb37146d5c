//! 1:1 chat per (listing, buyer) (issue 5): rooms, messages over a WebSocket, read
//! receipts, unread counts, reports, blocks, mutes and the banned-word list.

pub mod api;
pub mod live;
pub mod pages;
/// The server half: SQL, the send use case, the socket, the hub, broker and writers.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
