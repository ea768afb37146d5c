//! 아이디 찾기 (`/find/id`) and 비밀번호 재설정 (`/find/password`): each proves the
//! mailbox with a mailed six-digit code. What was typed stays through every error.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::server_error_for;
use crate::error::{AppError, FieldError};
use crate::features::accounts::auth::use_auth;
use crate::features::accounts::recovery::{
    confirm_find_id, find_id, reset_password, send_find_id_code, send_reset_code,
};
use crate::features::accounts::types::recovery::{
    FindIdInput, ResetPasswordInput, ResetRequestInput, parse_code,
};
use crate::features::accounts::types::{
    Email, LoginId, Password, PersonName, check_password_confirm,
};
use crate::ui::form::TextField;

/// A form's shared state: errors from the server per field, one message for the rest,
/// and whether a call is on its way.
#[derive(Clone, Copy)]
pub(super) struct FormState {
    pub(super) server_errors: RwSignal<Vec<FieldError>>,
    pub(super) message: RwSignal<Option<String>>,
    pub(super) busy: RwSignal<bool>,
    pub(super) submitted: RwSignal<bool>,
}

impl FormState {
    pub(super) fn new() -> Self {
        Self {
            server_errors: RwSignal::new(Vec::new()),
            message: RwSignal::new(None),
            busy: RwSignal::new(false),
            submitted: RwSignal::new(false),
        }
    }

    /// A submit: show every field's error, forget what the server said about the last
    /// one (the fields may have been fixed since), and say whether `fields` all pass
    /// their own rules, i.e. whether to send.
    pub(super) fn begin(self, fields: &[Signal<Option<String>>]) -> bool {
        self.submitted.set(true);
        self.server_errors.set(Vec::new());
        fields.iter().all(|e| e.get_untracked().is_none())
    }

    /// For a field's `on_change`: what the server said about it goes once it is edited.
    pub(super) fn clears(self, field: &'static str) -> Callback<String> {
        Callback::new(move |_| super::clear_server_error(self.server_errors, field))
    }

    /// The field's own rule first, then what the server said about it.
    pub(super) fn error(
        self,
        value: RwSignal<String>,
        field: &'static str,
        rule: fn(&str) -> Result<(), String>,
    ) -> Signal<Option<String>> {
        Signal::derive(move || {
            rule(&value.get())
                .err()
                .or_else(|| server_error_for(self.server_errors, field))
        })
    }

    /// Runs `call` and hands its answer to `done`; errors land in the form.
    pub(super) fn run<T: 'static>(
        self,
        call: impl std::future::Future<Output = Result<T, AppError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.busy.set(true);
        self.message.set(None);
        self.server_errors.set(Vec::new());
        // `try_`: `done` may replace the view that owns this form (a page's last step),
        // after which its signals are gone.
        spawn_local(async move {
            match call.await {
                Ok(v) => done(v),
                Err(AppError::Validation(errors)) => {
                    self.server_errors.try_set(errors);
                }
                Err(e) => {
                    self.message.try_set(Some(e.to_string()));
                }
            }
            self.busy.try_set(false);
        });
    }

    pub(super) fn view_message(self) -> impl IntoView {
        move || {
            self.message.get().map(
                |m| view! { <p class="form-error" role="alert" data-test="recovery-error">{m}</p> },
            )
        }
    }
}

fn name_rule(v: &str) -> Result<(), String> {
    PersonName::parse(v).map(|_| ())
}
fn email_rule(v: &str) -> Result<(), String> {
    Email::parse(v).map(|_| ())
}
fn id_rule(v: &str) -> Result<(), String> {
    LoginId::parse(v).map(|_| ())
}
pub(super) fn code_rule(v: &str) -> Result<(), String> {
    parse_code(v).map(|_| ())
}
pub(super) fn password_rule(v: &str) -> Result<(), String> {
    Password::parse(v).map(|_| ())
}

#[derive(Clone, PartialEq)]
enum FindStep {
    Ask,
    Masked(String),
    CodeSent(String),
    Whole(String),
}

#[component]
pub fn FindIdPage() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let step = RwSignal::new(FindStep::Ask);
    let form = FormState::new();
    let name_err = form.error(name, "name", name_rule);
    let email_err = form.error(email, "email", email_rule);
    let code_err = form.error(code, "code", code_rule);
    let input = move || FindIdInput {
        name: name.get_untracked(),
        email: email.get_untracked(),
        code: code.get_untracked(),
    };
    let ask = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[name_err, email_err]) {
            return;
        }
        form.run(find_id(input()), move |found| {
            step.set(FindStep::Masked(found.login_id))
        });
    };
    let send = move |_| {
        let masked = match step.get_untracked() {
            FindStep::Masked(m) | FindStep::CodeSent(m) => m,
            _ => return,
        };
        form.run(send_find_id_code(input()), move |()| {
            step.set(FindStep::CodeSent(masked))
        });
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[code_err]) {
            return;
        }
        form.run(confirm_find_id(input()), move |found| {
            step.set(FindStep::Whole(found.login_id))
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    view! {
        <Title text="아이디 찾기" />
        <section class="auth-card" data-test="find-id">
            <h1>"아이디 찾기"</h1>
            {move || match step.get() {
                FindStep::Ask => view! {
                    <p class="muted small">"가입할 때 적은 이름과 이메일을 입력해 주세요."</p>
                    <form on:submit=ask novalidate>
                        <TextField name="name" on_change=form.clears("name") label="이름" value=name error=name_err show_errors=show autocomplete="name" maxlength=20 required=true />
                        <TextField name="email" on_change=form.clears("email") label="이메일" input_type="email" value=email error=email_err show_errors=show autocomplete="email" maxlength=254 required=true />
                        {form.view_message()}
                        <button type="submit" class="button block" data-test="find-id-submit" disabled=move || form.busy.get()>"아이디 찾기"</button>
                    </form>
                }.into_any(),
                FindStep::Masked(masked) => view! {
                    <p data-test="masked-id">"가입한 아이디는 " <strong>{masked}</strong> " 입니다."</p>
                    <p class="muted small">"전체 아이디는 가입한 이메일로 받은 인증 코드를 넣으면 보여 드려요."</p>
                    {form.view_message()}
                    <button type="button" class="button block" data-test="find-id-send" on:click=send disabled=move || form.busy.get()>"인증 코드 받기"</button>
                    <p class="switch"><A href="/login">"로그인"</A> " · " <A href="/find/password">"비밀번호 재설정"</A></p>
                }.into_any(),
                FindStep::CodeSent(masked) => view! {
                    <p>"가입한 아이디는 " <strong>{masked}</strong> " 입니다."</p>
                    <p class="ok-note" role="status" data-test="code-sent">{format!("{}(으)로 인증 코드를 보냈어요. 10분 안에 입력해 주세요.", email.get_untracked())}</p>
                    <form on:submit=confirm novalidate>
                        <TextField name="code" on_change=form.clears("code") label="인증 코드" value=code error=code_err show_errors=show autocomplete="one-time-code" inputmode="numeric" maxlength=7 required=true />
                        {form.view_message()}
                        <button type="submit" class="button block" data-test="find-id-confirm" disabled=move || form.busy.get()>"확인"</button>
                    </form>
                    <button type="button" class="button secondary block" on:click=send disabled=move || form.busy.get()>"코드 다시 받기"</button>
                }.into_any(),
                FindStep::Whole(id) => view! {
                    <p data-test="whole-id">"아이디는 " <strong>{id}</strong> " 입니다."</p>
                    <A href="/login" attr:class="button block">"로그인하기"</A>
                    <p class="switch"><A href="/find/password">"비밀번호도 잊으셨나요?"</A></p>
                }.into_any(),
            }}
        </section>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum ResetStep {
    Ask,
    Reset,
    Done,
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    // The mailed link carries the ID and the code, so a tap lands on the last step.
    let (id_from_link, code_from_link) = query.with_untracked(|q| (q.get("id"), q.get("code")));
    let from_link = id_from_link.is_some() && code_from_link.is_some();
    let login_id = RwSignal::new(id_from_link.unwrap_or_default());
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(code_from_link.unwrap_or_default());
    let password = RwSignal::new(String::new());
    let password_confirm = RwSignal::new(String::new());
    let step = RwSignal::new(if from_link {
        ResetStep::Reset
    } else {
        ResetStep::Ask
    });
    let form = FormState::new();
    let id_err = form.error(login_id, "login_id", id_rule);
    let email_err = form.error(email, "email", email_rule);
    let code_err = form.error(code, "code", code_rule);
    let password_err = form.error(password, "password", password_rule);
    let confirm_err = Signal::derive(move || {
        check_password_confirm(&password.get(), &password_confirm.get())
            .err()
            .or_else(|| server_error_for(form.server_errors, "password_confirm"))
    });
    let ask = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[id_err, email_err]) {
            return;
        }
        let input = ResetRequestInput {
            login_id: login_id.get_untracked(),
            email: email.get_untracked(),
        };
        form.run(send_reset_code(input), move |()| {
            form.submitted.set(false);
            step.set(ResetStep::Reset);
        });
    };
    let reset = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[id_err, code_err, password_err, confirm_err]) {
            return;
        }
        let input = ResetPasswordInput {
            login_id: login_id.get_untracked(),
            code: code.get_untracked(),
            password: password.get_untracked(),
            password_confirm: password_confirm.get_untracked(),
        };
        form.run(reset_password(input), move |_| {
            auth.refresh.update(|v| *v += 1);
            step.set(ResetStep::Done);
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    view! {
        <Title text="비밀번호 재설정" />
        <section class="auth-card" data-test="reset-password">
            <h1>"비밀번호 재설정"</h1>
            {move || match step.get() {
                ResetStep::Ask => view! {
                    <p class="muted small">"아이디와 가입한 이메일을 입력하면 인증 코드를 보내 드려요."</p>
                    <form on:submit=ask novalidate>
                        <TextField name="login_id" on_change=form.clears("login_id") label="아이디" value=login_id error=id_err show_errors=show autocomplete="username" maxlength=20 required=true />
                        <TextField name="email" on_change=form.clears("email") label="이메일" input_type="email" value=email error=email_err show_errors=show autocomplete="email" maxlength=254 required=true />
                        {form.view_message()}
                        <button type="submit" class="button block" data-test="reset-send" disabled=move || form.busy.get()>"인증 코드 받기"</button>
                    </form>
                    <p class="switch"><A href="/find/id">"아이디를 잊으셨나요?"</A></p>
                }.into_any(),
                ResetStep::Reset => view! {
                    {(!from_link).then(|| view! {
                        <p class="ok-note" role="status" data-test="code-sent">
                            {format!("아이디와 이메일이 맞다면 {}(으)로 인증 코드를 보냈어요. 10분 안에 입력해 주세요.", email.get_untracked())}
                        </p>
                    })}
                    <form on:submit=reset novalidate>
                        <TextField name="login_id" on_change=form.clears("login_id") label="아이디" value=login_id error=id_err show_errors=show autocomplete="username" maxlength=20 required=true />
                        <TextField name="code" on_change=form.clears("code") label="인증 코드" value=code error=code_err show_errors=show autocomplete="one-time-code" inputmode="numeric" maxlength=7 required=true />
                        <TextField name="password" on_change=form.clears("password") label="새 비밀번호" input_type="password" value=password error=password_err show_errors=show
                            autocomplete="new-password" maxlength=20 required=true hint="8~20자, 영문 대문자·소문자·숫자 포함" />
                        <TextField name="password_confirm" on_change=form.clears("password_confirm") label="새 비밀번호 확인" input_type="password" value=password_confirm error=confirm_err
                            show_errors=show autocomplete="new-password" maxlength=20 required=true />
                        {form.view_message()}
                        <button type="submit" class="button block" data-test="reset-submit" disabled=move || form.busy.get()>"비밀번호 바꾸기"</button>
                    </form>
                    <button type="button" class="button secondary block" on:click=move |_| step.set(ResetStep::Ask)>"코드 다시 받기"</button>
                }.into_any(),
                ResetStep::Done => view! {
                    <p class="ok-note" role="status" data-test="reset-done">"비밀번호를 바꿨어요. 다른 기기의 로그인은 모두 끝났고, 이 기기로 로그인되었어요."</p>
                    <A href="/" attr:class="button block">"홈으로"</A>
                }.into_any(),
            }}
        </section>
    }
}
