//! Admin moderation. So far the chat part of CHAT_004's dashboard: the queue of reported
//! messages (delete or dismiss) and the chat banned-word list. Admins see only the
//! reported message, never the rest of the conversation.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod types;
