//! Admin moderation (CHAT_004, PRODUCT_10). `/admin`: the last 30 days in numbers,
//! reported listings (take down or dismiss; warn, suspend or ban the seller) and the
//! append-only audit log of every admin action. `/admin/chat`: the queue
//! of reported messages (delete or dismiss), the members the report rule restricted
//! (lift), and the chat banned-word list. Admins see only the reported message, never the rest of the
//! conversation. The report rule itself (`types::AUTO_RESTRICT_REPORTERS`) runs in the
//! transaction that stores a report.

pub mod api;
pub mod dashboard;
pub mod pages;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
