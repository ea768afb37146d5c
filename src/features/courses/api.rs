use leptos::prelude::*;

use super::types::{CourseLookup, School};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {super::server::repo, super::types::lookup_text, crate::server::request};

/// Every school a course can be filed under, by name. Public.
#[server(endpoint = "courses/schools")]
pub async fn list_schools() -> Result<Vec<School>, AppError> {
    repo::schools(&request::state()?.pool).await
}

/// Books filed under a school's courses whose name or professor contains `q`
/// (every course of the school when `q` is empty). Public.
#[server(endpoint = "courses/find")]
pub async fn find_courses(
    school: u32,
    #[server(default)] q: String,
) -> Result<CourseLookup, AppError> {
    let pool = &request::state()?.pool;
    let school = repo::school(pool, school)
        .await?
        .ok_or_else(|| AppError::field("school", "학교를 다시 골라 주세요."))?;
    let (courses, more) = repo::lookup(pool, school.id, &lookup_text(&q)).await?;
    Ok(CourseLookup {
        school,
        courses,
        more,
    })
}
