//! What a page shows a visitor who must sign in first.

use leptos::prelude::*;
use leptos_router::components::A;

use super::format::percent_encode;

/// "로그인이 필요합니다" with a way back to `next` after logging in.
pub fn login_needed(next: String) -> AnyView {
    view! {
        <section class="empty-state">
            <p>"로그인하고 이용해 주세요."</p>
            <A href=format!("/login?next={}", percent_encode(&next)) attr:class="button">"로그인"</A>
        </section>
    }
    .into_any()
}
