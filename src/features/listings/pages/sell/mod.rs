//! The sale form (`/sell`) and the edit form (`/listings/{id}/edit`): every field is
//! checked while typing with the same rules the server applies, nothing typed is lost
//! on an error, and a new listing's draft survives a reload.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::error::{AppError, FieldError};
use crate::features::accounts::auth::use_auth;
use crate::features::catalog::api::{category_tree, lookup_isbn};
use crate::features::catalog::scan::IsbnScanner;
use crate::features::catalog::types::{BookInfo, CategoryNode, Isbn13};
use crate::features::courses::api::list_schools;
use crate::features::courses::pages::CourseFields;
use crate::features::courses::types::School;
use crate::features::listings::api::{
    CreateListing, UpdateListing, get_listing, get_price_guide, last_sale_ways,
};
use crate::features::listings::types::{
    Condition, ConditionChecklist, ListingDetail, ListingInput, MAX_DESCRIPTION_CHARS,
};
use crate::features::photos::picker::{PhotoPicker, keys_of, slots_from_keys, still_uploading};
use crate::ui::browser;
use crate::ui::form::{TextField, error_line, focus_first_error};

mod parts;

pub use parts::*;

const DRAFT_KEY: &str = "breadbook.sell-draft";

/// The form's pick lists. Made by the page, outside its `<Transition>`: a resource made
/// inside one is made again each time the server's Suspense walks its children, and the
/// browser then hydrates with other resources' data (README, "Resources are made at the
/// top of a page").
#[derive(Clone, Copy)]
struct FormLookups {
    categories: Resource<Result<Vec<CategoryNode>, AppError>>,
    schools: Resource<Result<Vec<School>, AppError>>,
}

impl FormLookups {
    fn new() -> Self {
        FormLookups {
            categories: Resource::new(|| (), |_| category_tree()),
            schools: Resource::new(|| (), |_| list_schools()),
        }
    }
}

#[component]
pub fn SellPage() -> impl IntoView {
    let auth = use_auth();
    let lookups = FormLookups::new();
    view! {
        <Title text="책 팔기" />
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match auth.me.await {
                    Ok(Some(me)) if !me.email_verified => view! {
                        <div class="empty-state" data-test="verify-first">
                            <p>"책을 팔려면 먼저 가입할 때 받은 메일의 인증 코드를 입력해 주세요."</p>
                            <A href="/verify" attr:class="button">"이메일 인증하기"</A>
                        </div>
                    }
                    .into_any(),
                    Ok(Some(_)) => view! { <SellForm existing=None lookups /> }.into_any(),
                    _ => login_required("/sell"),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn EditListingPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<u64>().ok()));
    let listing = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_listing(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let lookups = FormLookups::new();
    view! {
        <Title text="판매글 수정" />
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(l) if l.can_edit => view! { <SellForm existing=Some(l) lookups /> }.into_any(),
                    Ok(l) => view! {
                        <div class="empty-state">
                            <p>"이 판매글을 수정할 수 있는 사람은 판매자뿐이에요."</p>
                            <A href=format!("/listings/{}", l.id) attr:class="button">"판매글 보기"</A>
                        </div>
                    }
                    .into_any(),
                    Err(AppError::NotFound) => view! { <crate::ui::not_found::NotFound /> }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum BookState {
    Idle,
    Looking,
    Found(BookInfo),
    Missing,
    Failed(String),
}

#[component]
fn SellForm(existing: Option<ListingDetail>, lookups: FormLookups) -> impl IntoView {
    let navigate = use_navigate();
    let editing = existing.as_ref().map(|l| l.id);
    let initial = existing.as_ref().map(input_from).unwrap_or_default();
    let fixed_book = existing.as_ref().map(|l| BookInfo {
        isbn13: l.isbn13.clone(),
        title: l.title.clone(),
        author: l.author.clone(),
        publisher: l.publisher.clone(),
        published_on: l.published_on,
        cover_url: None,
    });

    let isbn = RwSignal::new(initial.isbn.clone());
    let book_title = RwSignal::new(String::new());
    let book_author = RwSignal::new(String::new());
    let book_publisher = RwSignal::new(String::new());
    let category = RwSignal::new(initial.category_id);
    let price = RwSignal::new(initial.price.clone());
    let condition = RwSignal::new(initial.condition);
    let writing = RwSignal::new(initial.checklist.writing);
    let water = RwSignal::new(initial.checklist.water_damage);
    let torn = RwSignal::new(initial.checklist.torn_pages);
    let missing_parts = RwSignal::new(initial.checklist.missing_supplements);
    let parcel = RwSignal::new(initial.parcel);
    let pickup = RwSignal::new(initial.pickup);
    let meet = RwSignal::new(initial.meet);
    let meet_label = RwSignal::new(initial.meet_label.clone());
    let meet_at = RwSignal::new(initial.meet_lat.zip(initial.meet_lng));
    let pay_safe = RwSignal::new(initial.pay_safe);
    let pay_transfer = RwSignal::new(initial.pay_transfer);
    let pay_cash = RwSignal::new(initial.pay_cash);
    let description = RwSignal::new(initial.description.clone());
    let photos = RwSignal::new(slots_from_keys(&initial.photos));
    let course_school = RwSignal::new(initial.course_school_id);
    let course_name = RwSignal::new(initial.course_name.clone());
    let course_professor = RwSignal::new(initial.course_professor.clone());
    let version = initial.version;

    let book = RwSignal::new(match &fixed_book {
        Some(b) => BookState::Found(b.clone()),
        None => BookState::Idle,
    });
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let location_note = RwSignal::new(None::<String>);

    let checklist = move || ConditionChecklist {
        writing: writing.get(),
        water_damage: water.get(),
        torn_pages: torn.get(),
        missing_supplements: missing_parts.get(),
    };
    let current_input = move || ListingInput {
        isbn: isbn.get(),
        book_title: book_title.get(),
        book_author: book_author.get(),
        book_publisher: book_publisher.get(),
        category_id: category.get(),
        price: price.get(),
        condition: condition.get(),
        checklist: checklist(),
        parcel: parcel.get(),
        pickup: pickup.get(),
        meet: meet.get(),
        meet_label: meet_label.get(),
        meet_lat: meet_at.get().map(|p| p.0),
        meet_lng: meet_at.get().map(|p| p.1),
        pay_safe: pay_safe.get(),
        pay_transfer: pay_transfer.get(),
        pay_cash: pay_cash.get(),
        description: description.get(),
        photos: photos.with(|p| keys_of(p)),
        course_school_id: course_school.get(),
        course_name: course_name.get(),
        course_professor: course_professor.get(),
        version,
        create_key: String::new(),
    };
    let checked = Memo::new(move |_| current_input().validate().err());
    // The shared rule's message first, then what the server said about the field.
    let error_of = move |field: &'static str| {
        Signal::derive(move || {
            checked
                .with(|e| e.as_ref().and_then(|e| e.field_message(field)))
                .or_else(|| {
                    server_errors.with(|s| {
                        s.iter()
                            .find(|x| x.field == field)
                            .map(|x| x.message.clone())
                    })
                })
        })
    };
    let shown = move |field: &'static str| {
        let err = error_of(field);
        move || submitted.get().then(|| err.get()).flatten()
    };
    let isbn_error = Signal::derive(move || {
        if editing.is_some() {
            return None;
        }
        match Isbn13::parse(&isbn.get()) {
            Err(m) => Some(m),
            Ok(_) => match book.get() {
                BookState::Failed(m) => Some(m),
                _ => None,
            },
        }
    });
    let book_found_note = Signal::derive(move || match book.get() {
        BookState::Looking => Some("책 정보를 찾는 중…".to_owned()),
        BookState::Found(_) => Some("책 정보를 찾았어요.".to_owned()),
        BookState::Missing => {
            Some("등록된 책 정보가 없어요. 아래에 직접 입력해 주세요.".to_owned())
        }
        _ => None,
    });
    let manual_error = move |field: &'static str, what: &'static str, value: RwSignal<String>| {
        Signal::derive(move || {
            (book.get() == BookState::Missing && value.get().trim().is_empty())
                .then(|| format!("{what}을(를) 입력해 주세요."))
                .or_else(|| {
                    server_errors.with(|s| {
                        s.iter()
                            .find(|x| x.field == field)
                            .map(|x| x.message.clone())
                    })
                })
        })
    };

    // ISBN typed or scanned: look the book up once the checksum is right.
    let lookup_generation = StoredValue::new(0u64);
    let on_isbn = Callback::new(move |raw: String| {
        lookup_generation.update_value(|g| *g += 1);
        let mine = lookup_generation.get_value();
        let Ok(parsed) = Isbn13::parse(&raw) else {
            book.set(BookState::Idle);
            return;
        };
        book.set(BookState::Looking);
        set_timeout(
            move || {
                if lookup_generation.try_get_value() != Some(mine) {
                    return;
                }
                spawn_local(async move {
                    let result = lookup_isbn(parsed.as_str().to_owned()).await;
                    if lookup_generation.try_get_value() != Some(mine) {
                        return;
                    }
                    book.try_set(match result {
                        Ok(Some(b)) => BookState::Found(b),
                        Ok(None) => BookState::Missing,
                        Err(e) => BookState::Failed(e.to_string()),
                    });
                });
            },
            Duration::from_millis(300),
        );
    });

    let valid_isbn = Memo::new(move |_| {
        Isbn13::parse(&isbn.get())
            .ok()
            .map(|i| i.as_str().to_owned())
    });
    // Browser-only: it follows what the seller types, so the server has nothing to show.
    let guide = LocalResource::new(move || {
        let isbn = valid_isbn.get();
        async move {
            match isbn {
                Some(isbn) => get_price_guide(isbn, editing).await.ok(),
                None => None,
            }
        }
    });

    // The category sellers usually file this book under, until the seller picks one.
    Effect::new(move |_| {
        if let Some(usual) = guide.get().flatten().and_then(|g| g.usual_category_id)
            && category.get_untracked().is_none()
        {
            category.set(Some(usual));
        }
    });

    // Checking a defect moves the grade to what it allows; the seller may go lower.
    let on_checklist = move || {
        let suggested = checklist().suggested();
        condition.set(Some(suggested));
    };

    // Draft: restored once on a new listing, then saved on every change.
    Effect::new(move |restored: Option<bool>| {
        if editing.is_some() {
            return true;
        }
        if restored.is_none()
            && let Some(draft) =
                browser::load(DRAFT_KEY).and_then(|d| serde_json::from_str::<ListingInput>(&d).ok())
        {
            isbn.set(draft.isbn.clone());
            book_title.set(draft.book_title);
            book_author.set(draft.book_author);
            book_publisher.set(draft.book_publisher);
            category.set(draft.category_id);
            price.set(draft.price);
            condition.set(draft.condition);
            writing.set(draft.checklist.writing);
            water.set(draft.checklist.water_damage);
            torn.set(draft.checklist.torn_pages);
            missing_parts.set(draft.checklist.missing_supplements);
            parcel.set(draft.parcel);
            pickup.set(draft.pickup);
            meet.set(draft.meet);
            meet_label.set(draft.meet_label);
            meet_at.set(draft.meet_lat.zip(draft.meet_lng));
            pay_safe.set(draft.pay_safe);
            pay_transfer.set(draft.pay_transfer);
            pay_cash.set(draft.pay_cash);
            description.set(draft.description);
            photos.set(slots_from_keys(&draft.photos));
            course_school.set(draft.course_school_id);
            course_name.set(draft.course_name);
            course_professor.set(draft.course_professor);
            on_isbn.run(draft.isbn);
        } else if restored.is_none() {
            // No draft: delivery and payment as on the seller's latest listing.
            spawn_local(async move {
                let fresh = ListingInput::default();
                // (try_: the form may have gone by the time the answer comes.)
                let untouched = move || {
                    parcel.try_get_untracked() == Some(fresh.parcel)
                        && pickup.try_get_untracked() == Some(fresh.pickup)
                        && meet.try_get_untracked() == Some(fresh.meet)
                        && pay_safe.try_get_untracked() == Some(fresh.pay_safe)
                        && pay_transfer.try_get_untracked() == Some(fresh.pay_transfer)
                        && pay_cash.try_get_untracked() == Some(fresh.pay_cash)
                        && meet_label.try_with_untracked(String::is_empty) == Some(true)
                };
                // Only onto what the seller has not set meanwhile.
                if let Ok(Some(ways)) = last_sale_ways().await
                    && untouched()
                {
                    parcel.try_set(ways.parcel);
                    pickup.try_set(ways.pickup);
                    meet.try_set(ways.meet);
                    meet_label.try_set(ways.meet_label.unwrap_or_default());
                    meet_at.try_set(ways.meet_lat.zip(ways.meet_lng));
                    pay_safe.try_set(ways.pay_safe);
                    pay_transfer.try_set(ways.pay_transfer);
                    pay_cash.try_set(ways.pay_cash);
                }
            });
        }
        let snapshot = current_input();
        if restored.is_some()
            && let Ok(json) = serde_json::to_string(&snapshot)
        {
            browser::save(DRAFT_KEY, &json);
        }
        true
    });

    let form_ref = NodeRef::<leptos::html::Form>::new();
    // One key per sale on this page: a double tap, or a retry after a lost answer, finds
    // the listing the first submit made.
    let create_key = StoredValue::new(None::<String>);
    let create = ServerAction::<CreateListing>::new();
    let update = ServerAction::<UpdateListing>::new();
    let pending = move || create.pending().get() || update.pending().get();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_errors.set(Vec::new());
        if photos.with_untracked(|p| still_uploading(p)) {
            form_error.set(Some(
                "사진을 올리는 중이에요. 끝나면 다시 눌러 주세요.".into(),
            ));
            return;
        }
        let input = current_input();
        let book_problem = editing.is_none()
            && (isbn_error.get_untracked().is_some()
                || matches!(book.get_untracked(), BookState::Idle | BookState::Looking)
                || (book.get_untracked() == BookState::Missing
                    && [&input.book_title, &input.book_author, &input.book_publisher]
                        .iter()
                        .any(|v| v.trim().is_empty())));
        if input.validate().is_err() || book_problem {
            form_error.set(Some(
                "입력 내용을 확인해 주세요. 빨간 글씨로 표시된 항목을 고쳐 주세요.".into(),
            ));
            focus_first_error(form_ref);
            return;
        }
        form_error.set(None);
        match editing {
            Some(id) => {
                update.dispatch(UpdateListing { id, input });
            }
            None => {
                let key = create_key.with_value(|k| k.clone()).unwrap_or_else(|| {
                    let k = browser::new_key();
                    create_key.set_value(Some(k.clone()));
                    k
                });
                create.dispatch(CreateListing {
                    input: ListingInput {
                        create_key: key,
                        ..input
                    },
                });
            }
        }
    };
    let after_save = {
        let navigate = navigate.clone();
        move |result: Option<Result<u64, AppError>>| match result {
            Some(Ok(id)) => {
                browser::remove(DRAFT_KEY);
                navigate(&format!("/listings/{id}"), Default::default());
            }
            Some(Err(AppError::Validation(errors))) => {
                server_errors.set(errors);
                form_error.set(Some("입력 내용을 확인해 주세요.".into()));
                focus_first_error(form_ref);
            }
            Some(Err(e)) => form_error.set(Some(e.to_string())),
            None => {}
        }
    };
    {
        let after_save = after_save.clone();
        Effect::new(move |_| after_save(create.value().get()));
    }
    Effect::new(move |_| {
        let result = update
            .value()
            .get()
            .map(|r| r.map(|_| editing.unwrap_or_default()));
        after_save(result)
    });

    let use_location = move |_| {
        location_note.set(Some("위치를 확인하는 중…".into()));
        browser::current_position(move |r| match r {
            Ok(p) => {
                meet_at.try_set(Some(p));
                location_note.try_set(None);
            }
            Err(m) => {
                location_note.try_set(Some(m));
            }
        });
    };
    let description_count = move || description.with(|d| d.chars().count());

    view! {
        <section class="auth-card wide sell-form">
            <h1>{if editing.is_some() { "판매글 수정" } else { "책 팔기" }}</h1>
            <form on:submit=on_submit novalidate data-test="sell-form" node_ref=form_ref>
                {view! {
                    <fieldset class="group">
                        <legend>"어떤 책인가요?"</legend>
                        {match fixed_book.clone() {
                            Some(_) => view! { <p class="muted small">"책 정보는 바꿀 수 없어요."</p> }.into_any(),
                            None => view! {
                                <TextField name="isbn" label="ISBN" value=isbn error=isbn_error ok_message=book_found_note
                                    on_change=on_isbn show_errors=Signal::derive(move || submitted.get()) required=true
                                    placeholder="978로 시작하는 13자리 (10자리도 돼요)" maxlength=20
                                    hint="책 뒷면 바코드 위의 숫자예요" />
                                <IsbnScanner on_found=Callback::new(move |code: String| {
                                    isbn.set(code.clone());
                                    on_isbn.run(code);
                                }) />
                            }.into_any(),
                        }}
                        {move || match book.get() {
                            BookState::Found(b) => view! { <BookCard book=b /> }.into_any(),
                            BookState::Missing => view! {
                                <TextField name="book_title" label="제목" value=book_title
                                    error=manual_error("book_title", "제목", book_title)
                                    show_errors=Signal::derive(move || submitted.get()) required=true maxlength=255 />
                                <TextField name="book_author" label="저자" value=book_author
                                    error=manual_error("book_author", "저자", book_author)
                                    show_errors=Signal::derive(move || submitted.get()) required=true maxlength=255 />
                                <TextField name="book_publisher" label="출판사" value=book_publisher
                                    error=manual_error("book_publisher", "출판사", book_publisher)
                                    show_errors=Signal::derive(move || submitted.get()) required=true maxlength=120 />
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group" data-test="photos">
                        <legend>"사진"</legend>
                        <PhotoPicker slots=photos error=error_of("photos") />
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group">
                        <legend>"분야"</legend>
                        <CategoryPicker value=category tree=lookups.categories />
                        {move || shown("category_id")().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group">
                        <legend>"가격"</legend>
                        <TextField name="price" label="판매 가격 (원)" value=price error=error_of("price")
                            show_errors=Signal::derive(move || submitted.get()) required=true
                            placeholder="예: 12,000 또는 1.2만" maxlength=12 hint="100원 ~ 1,000만 원 (1만원, 1.5만처럼 써도 돼요)" />
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move { guide.await.map(|g| view! { <PriceGuideBox g asking=price /> }) })}
                        </Transition>
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group" data-test="condition">
                        <legend>"책 상태"</legend>
                        <p class="muted small">"해당하는 항목을 모두 체크하면 상태 등급을 추천해 드려요."</p>
                        <Check label="필기·밑줄이 있어요" value=writing on_toggle=on_checklist />
                        <Check label="물 얼룩이 있거나 젖은 적이 있어요" value=water on_toggle=on_checklist />
                        <Check label="찢어지거나 빠진 페이지가 있어요" value=torn on_toggle=on_checklist />
                        <Check label="부록·CD·해설지가 없어요" value=missing_parts on_toggle=on_checklist />
                        <div class="grades" role="radiogroup" aria-label="상태 등급">
                            {[Condition::Good, Condition::Fair, Condition::Poor]
                                .into_iter()
                                .map(|c| view! {
                                    <label class="grade" class:selected=move || condition.get() == Some(c)>
                                        <input type="radio" name="condition" prop:checked=move || condition.get() == Some(c)
                                            on:change=move |_| condition.set(Some(c)) />
                                        <span>{c.label()}</span>
                                    </label>
                                })
                                .collect_view()}
                        </div>
                        <p class="muted small">{move || format!("체크한 항목으로 보면 '{}' 등급이에요.", checklist().suggested().label())}</p>
                        {move || shown("condition")().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group">
                        <legend>"거래 방법"</legend>
                        <Check label="택배" value=parcel />
                        <Check label="직접 픽업 (판매자 집 앞 등)" value=pickup />
                        <Check label="직거래 (만나서)" value=meet />
                        {move || meet.get().then(|| view! {
                            <TextField name="meet_label" label="직거래 장소" value=meet_label error=error_of("meet_label")
                                show_errors=Signal::derive(move || submitted.get()) maxlength=50
                                placeholder="예: 신촌역 2번 출구" />
                            <div class="location-row">
                                <button type="button" class="button secondary small" on:click=use_location>"내 위치 사용"</button>
                                {move || meet_at.get().map(|(lat, lng)| view! {
                                    <span class="muted small">{format!("위치 저장됨 ({lat:.4}, {lng:.4})")}</span>
                                    <button type="button" class="link-button" on:click=move |_| meet_at.set(None)>"지우기"</button>
                                })}
                            </div>
                            {move || location_note.get().map(|m| view! { <p class="muted small">{m}</p> })}
                        })}
                        {move || shown("delivery")().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    </fieldset>
                }.into_any()}

                {view! {
                    <fieldset class="group">
                        <legend>"결제 방법"</legend>
                        <Check label="안전결제 (구매 확정 후 정산)" value=pay_safe />
                        <Check label="계좌이체" value=pay_transfer />
                        <Check label="현금 (직거래)" value=pay_cash />
                        {move || shown("payment")().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    </fieldset>
                }.into_any()}

                {view! {
                    <CourseFields school=course_school schools=lookups.schools name=course_name professor=course_professor
                        school_error=error_of("course_school")
                        name_error=error_of("course_name")
                        professor_error=error_of("course_professor") />
                }.into_any()}

                {view! {
                    <div class="field" class:invalid=move || error_of("description").get().is_some()>
                        <label for="f-description">"설명 (선택)"</label>
                        <textarea id="f-description" rows="5" bind:value=description
                            placeholder="책 상태, 거래 시간 등 구매자에게 알려줄 내용을 적어 주세요."></textarea>
                        <p class="field-msg counter" class:over=move || { description_count() > MAX_DESCRIPTION_CHARS } data-test="description-count">
                            {move || format!("{} / {MAX_DESCRIPTION_CHARS}", description_count())}
                        </p>
                        {move || error_of("description").get().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    </div>
                }.into_any()}

                {move || form_error.get().map(|e| view! { <p class="form-error" role="alert" data-test="form-error">{e}</p> })}
                <button type="submit" class="button block" disabled=pending>
                    {move || match (pending(), editing.is_some()) {
                        (true, _) => "저장하는 중…",
                        (false, true) => "수정 완료",
                        (false, false) => "판매 시작하기",
                    }}
                </button>
            </form>
        </section>
    }
}
