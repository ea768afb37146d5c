//! The 404 page, for unknown routes and for records that do not exist.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="페이지를 찾을 수 없습니다" />
        <section class="empty-state" data-test="not-found">
            <p class="big" aria-hidden="true">"404"</p>
            <h1>"페이지를 찾을 수 없습니다"</h1>
            <p>"주소가 바뀌었거나 삭제된 페이지예요."</p>
            <A href="/" attr:class="button">"홈으로 가기"</A>
        </section>
    }
}
