//! 책빵 — a used-book marketplace. One crate: server (feature `ssr`) and browser
//! (feature `hydrate`, wasm) share the app, its types and its validation rules.

// Leptos views are deeply nested static types; release builds (which do not erase
// component types) exceed rustc's default query depth of 128 on the larger pages.
#![recursion_limit = "256"]

pub mod app;
pub mod error;
pub mod features;
pub mod text;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
