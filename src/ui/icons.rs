//! Inline SVG icons (no icon font: phones without emoji fonts showed boxes).

use leptos::prelude::*;

#[component]
pub fn CameraIcon(#[prop(default = 18)] size: u32) -> impl IntoView {
    view! {
        <svg class="icon" width=size height=size viewBox="0 0 24 24" aria-hidden="true">
            <path d="M4 8h3l2-3h6l2 3h3v11H4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
            <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}
