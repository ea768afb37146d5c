//! Keyset "더 보기": the next page appended under the ones shown.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// A click handler that fetches the page after `next` and appends it to `more`; it does
/// nothing when there is no next page. `fetch` answers (items, the cursor after them), or
/// None when the page could not be read (the button stays, to try again).
pub fn more_loader<C, T, F, Fut>(
    more: RwSignal<Vec<T>>,
    next: RwSignal<Option<C>>,
    fetch: F,
) -> impl Fn(leptos::ev::MouseEvent) + Copy + 'static
where
    C: Clone + Send + Sync + 'static,
    T: Send + Sync + 'static,
    F: Fn(C) -> Fut + Copy + 'static,
    Fut: Future<Output = Option<(Vec<T>, Option<C>)>> + 'static,
{
    move |_| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        spawn_local(async move {
            if let Some((items, after)) = fetch(cursor).await {
                more.try_update(|m| m.extend(items));
                next.try_set(after);
            }
        });
    }
}
