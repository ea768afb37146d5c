//! Course lookup (issue 4): sellers file a book under a course (school, course name,
//! professor) when they list it; students find those books by school + course name or
//! professor at `/courses`.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod types;
