//! The signed-in member as every page sees it.

use leptos::prelude::*;

use super::api::Logout;
use super::types::Me;
use crate::error::AppError;

/// Who is signed in, and the actions that change it. Provided once by `App` so the
/// header refreshes after any page logs in or out.
#[derive(Clone, Copy)]
pub struct Auth {
    pub logout: ServerAction<Logout>,
    /// Bumped by a page after it signs the member in.
    pub refresh: RwSignal<u32>,
    pub me: Resource<Result<Option<Me>, AppError>>,
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
