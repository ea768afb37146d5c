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

/// Set once anything panicked in the browser (hydration included).
pub static PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Log the panic to the console (the end-to-end suite fails on it) and take back the
    // "hydrated" mark, which effects that still run after a panic might have set.
    std::panic::set_hook(Box::new(|info| {
        PANICKED.store(true, std::sync::atomic::Ordering::Relaxed);
        console_error_panic_hook::hook(info);
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.remove_attribute("data-hydrated");
        }
    }));
    leptos::mount::hydrate_body(app::App);
}
