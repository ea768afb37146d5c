//! `/courses?school=…&q=…`: a student picks their school and types the course name or
//! the professor; the books sellers filed under matching courses are listed with what
//! is on sale now. A plain GET form on a page rendered whole (`SsrMode::Async`), so it
//! works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{find_courses, list_schools};
use super::types::{
    CourseLookup, CourseResult, MAX_COURSE_NAME_CHARS, MAX_PROFESSOR_CHARS, School,
};
use crate::error::AppError;
use crate::ui::form::error_line;
use crate::ui::format::percent_encode;
use crate::ui::format::won;

#[component]
pub fn CoursesPage() -> impl IntoView {
    let query = use_query_map();
    let school =
        Memo::new(move |_| query.with(|q| q.get("school").and_then(|v| v.parse::<u32>().ok())));
    let text = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default().trim().to_owned()));
    let found = Resource::new(
        move || (school.get(), text.get()),
        |(school, q)| async move {
            match school {
                Some(school) => find_courses(school, q).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let schools = Resource::new(|| (), |_| list_schools());
    view! {
        <Title text="수업으로 교재 찾기" />
        <h1 class="section-title">"수업으로 교재 찾기"</h1>
        <p class="muted">"학교를 고르고 수업 이름이나 교수님 이름을 입력하면, 그 수업 교재로 올라온 책을 보여 드려요."</p>
        <form class="course-search" method="get" action="/courses" data-test="course-search">
            <label>
                <span>"학교"</span>
                <SchoolSelect schools selected=school name="school" required=true test_id="course-school" />
            </label>
            <label>
                <span>"수업 또는 교수님"</span>
                <input type="search" name="q" prop:value=move || text.get() maxlength=MAX_COURSE_NAME_CHARS
                    placeholder="예: 자료구조, 김민수 교수님" data-test="course-q" />
            </label>
            <button type="submit" class="button">"찾기"</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">"찾는 중…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(None) => view! { <p class="muted" data-test="course-pick-school">"먼저 학교를 골라 주세요."</p> }.into_any(),
                    Ok(Some(lookup)) => view! { <CourseResults lookup text=text.get_untracked() /> }.into_any(),
                    Err(AppError::Validation(errors)) => view! {
                        <p class="form-error" role="alert">
                            {errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")}
                        </p>
                    }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

#[component]
fn CourseResults(lookup: CourseLookup, text: String) -> impl IntoView {
    if lookup.courses.is_empty() {
        let what = if text.is_empty() {
            format!("{}에 등록된 수업 교재가 아직 없어요.", lookup.school.name)
        } else {
            format!(
                "{}에서 '{text}'에 맞는 수업을 찾지 못했어요.",
                lookup.school.name
            )
        };
        return view! {
            <div class="empty-state" data-test="course-none">
                <p>{what}</p>
                <p class="muted small">"책을 팔 때 '수업 교재로 등록'에 수업을 적으면 여기에서 찾을 수 있어요."</p>
            </div>
        }
        .into_any();
    }
    let more = lookup.more.then(|| {
        view! { <p class="muted small">"더 많은 수업이 있어요. 수업 이름이나 교수님 이름을 더 자세히 입력해 보세요."</p> }
    });
    view! {
        <p class="muted small" data-test="course-count">
            {format!("{} · 수업 {}개", lookup.school.name, lookup.courses.len())}
        </p>
        <ul class="course-list">
            {lookup.courses.into_iter().map(|c| view! { <CourseItem course=c /> }).collect_view()}
        </ul>
        {more}
    }
    .into_any()
}

#[component]
fn CourseItem(course: CourseResult) -> impl IntoView {
    let professor = (!course.professor.is_empty()).then(|| format!("{} 교수", course.professor));
    view! {
        <li class="course" data-test="course">
            <h2 class="course-name">
                {course.name}
                {professor.map(|p| view! { <span class="muted small">" · " {p}</span> })}
            </h2>
            <ul class="course-books">
                {course.books.into_iter().map(|b| {
                    let href = format!("/search?q={}", percent_encode(&b.isbn13));
                    let offer = match (b.on_sale, b.lowest_price) {
                        (0, _) | (_, None) => "판매 중인 책 없음".to_owned(),
                        (n, Some(p)) => format!("{n}권 판매 중 · 최저 {}", won(p)),
                    };
                    view! {
                        <li data-test="course-book">
                            <a href=href>
                                <strong>{b.title}</strong>
                                <span class="muted small">{format!(" {} · {}", b.author, b.publisher)}</span>
                            </a>
                            <span class="course-offer" class:none=b.on_sale == 0>{offer}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }
}

/// The school `<select>` of the lookup form (a plain GET field) and of the sale form
/// (which takes each pick through `on_pick`). The page makes `schools`, outside any
/// `<Transition>` (README, "Resources are made at the top of a page").
#[component]
fn SchoolSelect(
    schools: Resource<Result<Vec<School>, AppError>>,
    #[prop(into)] selected: Signal<Option<u32>>,
    test_id: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] name: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] on_pick: Option<Callback<Option<u32>>>,
) -> impl IntoView {
    view! {
        <Transition fallback=move || view! { <select id=id name=name disabled=true><option>"학교 선택"</option></select> }>
            {move || Suspend::new(async move {
                let list = schools.await.unwrap_or_default();
                view! {
                    <select id=id name=name required=required data-test=test_id
                        on:change=move |ev| {
                            if let Some(pick) = on_pick {
                                pick.run(event_target_value(&ev).parse().ok());
                            }
                        }>
                        <option value="" selected=move || selected.get().is_none()>"학교 선택"</option>
                        {list.into_iter().map(|s| {
                            let id = s.id;
                            view! { <option value=id.to_string() selected=move || selected.get() == Some(id)>{s.name}</option> }
                        }).collect_view()}
                    </select>
                }
            })}
        </Transition>
    }
}

/// The sale form's optional "수업 교재로 등록": school, course name, professor.
#[component]
pub fn CourseFields(
    school: RwSignal<Option<u32>>,
    schools: Resource<Result<Vec<School>, AppError>>,
    name: RwSignal<String>,
    professor: RwSignal<String>,
    #[prop(into)] school_error: Signal<Option<String>>,
    #[prop(into)] name_error: Signal<Option<String>>,
    #[prop(into)] professor_error: Signal<Option<String>>,
) -> impl IntoView {
    // Open once asked, or as soon as anything is filled in (an edit, a restored draft).
    let opened = RwSignal::new(false);
    let open = move || opened.get() || school.get().is_some() || name.with(|n| !n.is_empty());
    let err = |e: Signal<Option<String>>| {
        move || {
            e.get()
                .map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })
        }
    };
    view! {
        <fieldset class="group" data-test="course-fields">
            <legend>"수업 교재로 등록 (선택)"</legend>
            <p class="muted small">"대학 수업 교재라면 수업을 적어 주세요. 같은 수업을 듣는 학생이 '수업으로 교재 찾기'에서 이 책을 찾아요."</p>
            {move || (!open()).then(|| view! {
                <button type="button" class="button secondary small" data-test="course-open" on:click=move |_| opened.set(true)>"수업 적기"</button>
            })}
            <div class="course-inputs" class:hidden=move || !open()>
                <div class="field" class:invalid=move || school_error.get().is_some()>
                    <label for="f-course-school">"학교"</label>
                    <SchoolSelect schools selected=school id="f-course-school" test_id="course-school-pick"
                        on_pick=Callback::new(move |picked| school.set(picked)) />
                    {err(school_error)}
                </div>
                <div class="field" class:invalid=move || name_error.get().is_some()>
                    <label for="f-course-name">"수업 이름"</label>
                    <input id="f-course-name" bind:value=name maxlength=MAX_COURSE_NAME_CHARS placeholder="예: 자료구조" data-test="course-name" />
                    {err(name_error)}
                </div>
                <div class="field" class:invalid=move || professor_error.get().is_some()>
                    <label for="f-course-professor">"교수님 (선택)"</label>
                    <input id="f-course-professor" bind:value=professor maxlength=MAX_PROFESSOR_CHARS placeholder="예: 김민수" data-test="course-professor" />
                    {err(professor_error)}
                </div>
            </div>
        </fieldset>
    }
}
