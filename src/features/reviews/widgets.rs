//! The bread grade and reviews as seller cards, listing cards and seller pages show them.

use leptos::prelude::*;

use super::types::{BreadGrade, ReviewView};
use crate::ui::format::kst;

/// 빵등급: five loaves, as many filled as the grade, and its name.
#[component]
pub fn BreadBadge(score: u16) -> impl IntoView {
    let grade = BreadGrade::from_score(score);
    let label = format!(
        "빵등급 {}단계 {} (신뢰 점수 {score})",
        grade.0,
        grade.name()
    );
    let title = label.clone();
    view! {
        <span class="bread-grade" title=title data-test="bread-grade" data-grade=grade.0>
            <span class="sr-only">{label}</span>
            <span class="loaves" aria-hidden="true">
                {(1..=5u8).map(|i| view! {
                    <svg class:on=i <= grade.0 width="16" height="14" viewBox="0 0 16 14">
                        <path d="M3 6C1 6 1 1 5 1h6c4 0 4 5 2 5v6.5a.5.5 0 0 1-.5.5h-9a.5.5 0 0 1-.5-.5z" />
                    </svg>
                }).collect_view()}
            </span>
            <span class="grade-name" aria-hidden="true">{grade.name()}</span>
        </span>
    }
}

/// The grade in a word, for listing cards (the full badge is on seller cards).
#[component]
pub fn GradeChip(score: u16) -> impl IntoView {
    let grade = BreadGrade::from_score(score);
    view! {
        <span class=format!("grade-chip g{}", grade.0) data-test="grade-chip" data-grade=grade.0
            title=format!("빵등급 {}단계", grade.0)>
            {grade.name()}
        </span>
    }
}

#[component]
pub fn ReviewList(reviews: Vec<ReviewView>) -> impl IntoView {
    view! {
        <section class="review-list" aria-label="받은 후기" data-test="review-list">
            <h2>{format!("받은 후기 {}", reviews.len())}</h2>
            {reviews.is_empty().then(|| view! { <p class="muted">"아직 받은 후기가 없어요."</p> })}
            <ul>
                {reviews.into_iter().map(|r| view! {
                    <li class="review">
                        <p>
                            <span class="stars-text" aria-label=format!("{}점", r.stars)>{"★".repeat(r.stars.into())}</span>
                            " " <strong>{r.reviewer_nickname}</strong>
                            " " <time class="muted small" datetime=r.created_at.to_rfc3339()>{kst(r.created_at).format("%Y.%m.%d").to_string()}</time>
                        </p>
                        {(!r.body.is_empty()).then(|| view! { <p>{r.body}</p> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
