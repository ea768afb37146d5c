//! Browser-only helpers about what is on screen: clicking a link as it scrolls into
//! view (infinite scroll) and scrolling back to where the reader was.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Clicks an element whenever it enters the viewport; stops when dropped.
pub struct ClickWhenVisible {
    observer: Option<web_sys::IntersectionObserver>,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl ClickWhenVisible {
    pub fn new(element: web_sys::HtmlAnchorElement) -> Self {
        let target = element.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|e| {
                e.unchecked_into::<web_sys::IntersectionObserverEntry>()
                    .is_intersecting()
            });
            if visible {
                target.click();
            }
        });
        let observer = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok();
        if let Some(o) = &observer {
            o.observe(&element);
        }
        Self {
            observer,
            _callback: callback,
        }
    }
}

/// Scrolls to `y` once the page is tall enough for it (results arrive after the
/// route renders), trying for up to two seconds.
pub fn scroll_back_to(y: f64) {
    fn attempt(y: f64, tries_left: u32) {
        let window = leptos::prelude::window();
        let tall_enough = window
            .document()
            .and_then(|d| d.document_element())
            .is_some_and(|e| {
                f64::from(e.scroll_height())
                    >= y + window
                        .inner_height()
                        .ok()
                        .and_then(|h| h.as_f64())
                        .unwrap_or(0.0)
            });
        if tall_enough || tries_left == 0 {
            window.scroll_to_with_x_and_y(0.0, y);
        } else {
            leptos::prelude::set_timeout(
                move || attempt(y, tries_left - 1),
                std::time::Duration::from_millis(100),
            );
        }
    }
    attempt(y, 20);
}

impl Drop for ClickWhenVisible {
    fn drop(&mut self) {
        if let Some(o) = &self.observer {
            o.disconnect();
        }
    }
}
