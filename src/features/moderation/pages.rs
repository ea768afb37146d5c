use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{CloseChatReports, LiftChatRestriction, chat_reports, chat_restrictions};
use super::types::{
    AUTO_RESTRICT_REPORTERS, AUTO_RESTRICT_WINDOW_DAYS, ChatRestriction, FIRST_RESTRICTION_HOURS,
    REPEAT_RESTRICTION_HOURS, REPEAT_WINDOW_DAYS, ReportOutcome, ReportQueue, ReportedMessage,
    RestrictionKind, SENDER_REPORT_WINDOW_DAYS, SanctionSource,
};
use crate::error::AppError;
use crate::features::chat::api::{SetBannedWord, banned_words};
use crate::features::chat::types::{MAX_BANNED_WORD_CHARS, validate_banned_word};
use crate::ui::form::error_line;
use crate::ui::format::{korean_datetime, now_utc, relative_time};
use crate::ui::login_needed::login_needed;
use crate::ui::paging::more_loader;

/// `/admin/chat`: the chat part of the moderation dashboard. Admins only; the server
/// functions check, and this page shows their answer.
#[component]
pub fn AdminChatPage() -> impl IntoView {
    // Asked once, for the gate; each section then keeps its own data, so acting in one
    // never re-creates the other (or a half-typed word).
    let gate = Resource::new(|| (), |_| banned_words());
    // Every resource is made here, outside the gate's <Transition> (README: resources at
    // the top of a page), and handed to the sections.
    let close = ServerAction::<CloseChatReports>::new();
    let lift = ServerAction::<LiftChatRestriction>::new();
    let add = ServerAction::<SetBannedWord>::new();
    let remove = ServerAction::<SetBannedWord>::new();
    let reports = Resource::new(move || close.version().get(), |_| chat_reports(0));
    // Dismissing a report can lift a restriction, so the list follows both actions.
    let restrictions = Resource::new(
        move || (close.version().get(), lift.version().get()),
        |_| chat_restrictions(),
    );
    let words = Resource::new(
        move || (add.version().get(), remove.version().get()),
        |_| banned_words(),
    );
    view! {
        <Title text="채팅 관리" />
        <h1 class="page-title">"채팅 관리"</h1>
        <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
            {move || Suspend::new(async move {
                match gate.await {
                    Ok(_) => view! {
                        <ReportQueueSection close first=reports />
                        <RestrictionsSection lift list=restrictions />
                        <BannedWordsSection add remove words />
                    }.into_any(),
                    Err(AppError::Unauthorized) => login_needed("/admin/chat".into()),
                    Err(AppError::Forbidden) => view! {
                        <section class="empty-state" data-test="admin-only">
                            <p>"관리자만 볼 수 있는 페이지예요."</p>
                        </section>
                    }.into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}

/// The words chat refuses, and a form to add one. What was typed stays after an error.
#[component]
fn BannedWordsSection(
    add: ServerAction<SetBannedWord>,
    remove: ServerAction<SetBannedWord>,
    words: Resource<Result<Vec<String>, AppError>>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    // The server's answer is about the word that was sent; editing it hides the answer.
    let sent = RwSignal::new(String::new());
    let local_error = move || {
        let text = draft.get();
        (tried.get() || !text.is_empty())
            .then(|| validate_banned_word(&text).err())
            .flatten()
    };
    let server_error = move || {
        if add.pending().get() || draft.get() != sent.get() {
            return None;
        }
        add.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.field_message("word").unwrap_or_else(|| e.to_string()))
    };
    // A word the server took clears the box; a refused one stays for fixing.
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(()))) {
            draft.set(String::new());
            tried.set(false);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let word = draft.get_untracked();
        if validate_banned_word(&word).is_ok() {
            sent.set(word.clone());
            add.dispatch(SetBannedWord { word, on: true });
        }
    };
    let error = move || local_error().or_else(server_error);
    view! {
        <section class="admin-section" data-test="banned-words" aria-labelledby="banned-title">
            <h2 class="section-title" id="banned-title">"금지어"</h2>
            <p class="muted small">"채팅에서 이 낱말이 들어간 메시지는 보내지지 않아요. 띄어쓰기, 점 같은 기호와 대소문자는 무시하고, 풀어 쓴 자모(ㅅㅣㅂㅏㄹ)도 걸러요."</p>
            <form class="word-form" on:submit=on_submit novalidate>
                <label class="sr-only" for="f-word">"새 금지어"</label>
                <input id="f-word" name="word" type="text" autocomplete="off" placeholder="새 금지어"
                    maxlength=MAX_BANNED_WORD_CHARS * 2
                    aria-invalid=move || if error().is_some() { "true" } else { "false" }
                    aria-describedby="f-word-msg"
                    data-test="banned-word-input"
                    bind:value=draft />
                <button type="submit" class="button small" data-test="banned-word-add"
                    disabled=move || add.pending().get()>"추가"</button>
                <p id="f-word-msg" class="form-error" role="alert" hidden=move || error().is_none()>
                    {error}
                </p>
            </form>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match words.await {
                        Ok(list) => view! {
                            <p class="muted small" data-test="banned-word-count">{list.len()} "개"</p>
                            <ul class="chips word-chips" data-test="banned-word-list">
                                {list.into_iter().map(|word| view! { <WordChip word remove /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn WordChip(word: String, remove: ServerAction<SetBannedWord>) -> impl IntoView {
    let label = format!("‘{word}’ 금지어에서 빼기");
    let target = word.clone();
    view! {
        <li class="chip word-chip" data-test="banned-word">
            <span>{word}</span>
            <button type="button" class="chip-remove" aria-label=label title="빼기"
                disabled=move || remove.pending().get()
                on:click=move |_| { remove.dispatch(SetBannedWord { word: target.clone(), on: false }); }>
                "×"
            </button>
        </li>
    }
}

/// Reported messages, newest first, with "더 보기" for older ones.
#[component]
fn ReportQueueSection(
    close: ServerAction<CloseChatReports>,
    first: Resource<Result<ReportQueue, AppError>>,
) -> impl IntoView {
    let more = RwSignal::new(Vec::<ReportedMessage>::new());
    let next = RwSignal::new(None::<u64>);
    let load_more = more_loader(more, next, |before| async move {
        let page = chat_reports(before).await.ok()?;
        Some((page.items, page.next))
    });
    view! {
        <section class="admin-section" data-test="chat-reports" aria-labelledby="reports-title">
            <h2 class="section-title" id="reports-title">"신고된 메시지"</h2>
            {move || close.value().get().and_then(Result::err).map(error_line)}
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) => {
                            more.set(Vec::new());
                            next.set(page.next);
                            if page.items.is_empty() {
                                return view! {
                                    <p class="empty-state small" data-test="reports-empty">"처리할 신고가 없어요."</p>
                                }.into_any();
                            }
                            view! {
                                <ul class="report-list">
                                    {page.items.into_iter().map(|m| view! { <ReportCard message=m close /> }).collect_view()}
                                    <For each=move || more.get() key=|m| m.message_id let:message>
                                        <ReportCard message close />
                                    </For>
                                </ul>
                                <Show when=move || next.get().is_some()>
                                    <button type="button" class="button secondary block" on:click=load_more>"더 보기"</button>
                                </Show>
                            }.into_any()
                        }
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Members who may not send chat messages now, with "제한 해제".
#[component]
fn RestrictionsSection(
    lift: ServerAction<LiftChatRestriction>,
    list: Resource<Result<Vec<ChatRestriction>, AppError>>,
) -> impl IntoView {
    let rule = format!(
        "{AUTO_RESTRICT_WINDOW_DAYS}일 안에 서로 다른 {AUTO_RESTRICT_REPORTERS}명에게 신고받으면 자동으로 제한돼요(처음 {}일, {REPEAT_WINDOW_DAYS}일 안에 다시면 {}일). 기각된 신고와 기각이 잦은 신고자의 신고는 세지 않고, 신고를 기각해 기준 아래로 내려가면 풀려요.",
        FIRST_RESTRICTION_HOURS / 24,
        REPEAT_RESTRICTION_HOURS / 24,
    );
    view! {
        <section class="admin-section" data-test="chat-restrictions" aria-labelledby="restrictions-title">
            <h2 class="section-title" id="restrictions-title">"제한 중인 회원"</h2>
            <p class="muted small">{rule}</p>
            {move || lift.value().get().and_then(Result::err).map(error_line)}
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="empty-state small" data-test="restrictions-empty">"제한 중인 회원이 없어요."</p>
                        }.into_any(),
                        Ok(items) => view! {
                            <ul class="report-list">
                                {items.into_iter().map(|r| view! { <RestrictionCard restriction=r lift /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RestrictionCard(
    restriction: ChatRestriction,
    lift: ServerAction<LiftChatRestriction>,
) -> impl IntoView {
    let id = restriction.id;
    let why = match restriction.source {
        SanctionSource::Reports => format!("신고 {}명 · 자동", restriction.reporters),
        SanctionSource::Admin if restriction.reason.is_empty() => "관리자".to_owned(),
        SanctionSource::Admin => format!("관리자 · {}", restriction.reason),
    };
    let kind = restriction.kind;
    let until = if kind == RestrictionKind::Ban {
        format!("{}부터", korean_datetime(restriction.starts_at))
    } else {
        format!(
            "{}부터 {}까지",
            korean_datetime(restriction.starts_at),
            korean_datetime(restriction.ends_at)
        )
    };
    view! {
        <li class="report-card" data-test="restricted-member">
            <p class="report-head">
                <span class="badge reason" data-test="restriction-kind">{kind.label()}</span>
                " " <strong data-test="restricted-nickname">{restriction.nickname}</strong>
                <span class="muted small">" · " {why}</span>
            </p>
            <p class="small" data-test="restricted-until">{until}</p>
            <div class="report-actions">
                <button type="button" class="button small secondary" data-test="restriction-lift"
                    disabled=move || lift.pending().get()
                    on:click=move |_| { lift.dispatch(LiftChatRestriction { id }); }>"제한 해제"</button>
            </div>
        </li>
    }
}

/// One reported message. Deleting cannot be undone, so it asks once more.
#[component]
fn ReportCard(message: ReportedMessage, close: ServerAction<CloseChatReports>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let id = message.message_id;
    let decide = move |outcome: ReportOutcome| {
        close.dispatch(CloseChatReports {
            message: id,
            outcome: outcome.as_str().to_owned(),
        });
    };
    let now = now_utc();
    let repeat_offender = message.sender_recent_reports >= 3;
    view! {
        <li class="report-card" data-test="reported-message">
            <p class="report-head">
                <span class="badge reason">{message.reason.label()}</span>
                " " <strong data-test="reported-sender">{message.sender_nickname.clone()}</strong>
                <span class="muted small">" · " {relative_time(message.sent_at, now)} " 보냄"</span>
            </p>
            // The text as it was when reported, kept with the report.
            <blockquote class="report-body" data-test="reported-body">{message.body.clone()}</blockquote>
            {if message.room_gone {
                Some(view! { <p class="muted small" data-test="reported-room-gone">"두 사람 모두 대화방을 나가 대화방은 없어졌어요."</p> })
            } else if message.deleted {
                Some(view! { <p class="muted small" data-test="reported-deleted">"보낸 사람이 이미 지운 메시지예요."</p> })
            } else {
                None
            }}
            <ul class="report-facts small">
                <li class:warn=repeat_offender data-test="sender-recent-reports">
                    {format!("{}님이 최근 {SENDER_REPORT_WINDOW_DAYS}일 받은 신고 {}건", message.sender_nickname, message.sender_recent_reports)}
                </li>
                <li>
                    {format!("신고한 사람: {} · {}", message.reporter_nickname, relative_time(message.reported_at, now))}
                    {(message.reporter_dismissed > 0).then(|| format!(" · 기각된 신고 {}건", message.reporter_dismissed))}
                </li>
            </ul>
            <div class="report-actions">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="button small danger-fill" data-test="report-delete"
                            disabled=move || close.pending().get() || message.deleted || message.room_gone
                            on:click=move |_| confirming.set(true)>"메시지 삭제"</button>
                        <button type="button" class="button small secondary" data-test="report-dismiss"
                            disabled=move || close.pending().get()
                            on:click=move |_| decide(ReportOutcome::Dismissed)>"문제없음"</button>
                    }
                >
                    <span class="small">"두 사람 모두에게 ‘삭제됨’으로 보이고 되돌릴 수 없어요."</span>
                    <button type="button" class="button small danger-fill" data-test="report-delete-confirm"
                        disabled=move || close.pending().get()
                        on:click=move |_| decide(ReportOutcome::Deleted)>"삭제"</button>
                    <button type="button" class="button small secondary"
                        on:click=move |_| confirming.set(false)>"취소"</button>
                </Show>
            </div>
        </li>
    }
}
