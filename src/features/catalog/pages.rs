use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{category_children, category_listings, category_trail};
use super::types::Category;
use crate::error::AppError;
use crate::features::listings::pages::ListingGrid;
use crate::ui::form::error_line;

/// Browse by subject or course, one level at a time; `/categories/{id}` shows the
/// level below and every listing anywhere under it.
#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<u32>().ok()));
    let children = Resource::new(move || id.get(), category_children);
    let trail = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => category_trail(id).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let listings = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => category_listings(id).await.map(Some),
                None => Ok(None),
            }
        },
    );

    view! {
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match (trail.await, children.await) {
                    (Err(AppError::NotFound), _) => view! { <crate::ui::not_found::NotFound /> }.into_any(),
                    (Ok(trail), Ok(children)) => category_header(trail, children),
                    (Err(e), _) | (_, Err(e)) => error_line(e),
                }
            })}
            {move || Suspend::new(async move {
                match listings.await {
                    Ok(Some(items)) if items.is_empty() => {
                        view! { <p class="empty-state">"이 분야에는 아직 판매 중인 책이 없어요."</p> }.into_any()
                    }
                    Ok(Some(items)) => view! {
                        <h2 class="sr-only">"판매 중인 책"</h2>
                        <ListingGrid items />
                    }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(AppError::NotFound) => ().into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

fn category_header(trail: Vec<Category>, children: Vec<Category>) -> AnyView {
    let title = trail
        .last()
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "분야별 보기".into());
    view! {
        <Title text=title.clone() />
        <nav class="breadcrumb" aria-label="분야 경로">
            <A href="/categories">"전체 분야"</A>
            {trail
                .into_iter()
                .map(|c| view! { <span aria-hidden="true">" › "</span><A href=format!("/categories/{}", c.id)>{c.name}</A> })
                .collect_view()}
        </nav>
        <h1 class="section-title" data-test="category-title">{title}</h1>
        <p><A href="/courses" attr:class="go-link">"학교 수업으로 교재 찾기 ›"</A></p>
        {(!children.is_empty()).then(|| view! {
            <ul class="chips" data-test="category-children">
                {children
                    .into_iter()
                    .map(|c| view! {
                        <li>
                            <A href=format!("/categories/{}", c.id) attr:class="chip">
                                {c.name}
                                {c.has_children.then_some(" ›")}
                            </A>
                        </li>
                    })
                    .collect_view()}
            </ul>
        })}
    }
    .into_any()
}
