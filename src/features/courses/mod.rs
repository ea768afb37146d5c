//! Course lookup (issue 4): sellers file a book under a course (school, course name,
//! professor) when they list it; students find those books by school + course name or
//! professor at `/courses`.

pub mod api;
pub mod pages;
/// The server half: use cases and SQL.
#[cfg(feature = "ssr")]
pub mod server;
pub mod types;
