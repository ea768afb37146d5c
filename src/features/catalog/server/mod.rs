//! The catalog on the server: its SQL (`repo`) and where book facts come from
//! (`sources`: our own catalog, Kakao, Naver).

pub mod demo;
pub mod repo;
pub mod sources;
