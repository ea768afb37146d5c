//! 알림 센터 (issue 23): every notice a member gets (chat, trades, reviews, sanctions) in
//! one keyset-paged list with an unread count, read marks, and each kind on or off.
//! Features raise notices through `server::repo::raise`, inside the transaction of the
//! event that causes them, so an event that happened once is told once.

pub mod api;
pub mod pages;
/// The server half: SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
