//! 내 정보 수정 (`/me/edit`) and 비밀번호 변경 (`/me/password`), members only. Both ask
//! for the current password; what was typed stays through every error.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::recovery::{FormState, password_rule};
use super::{GenderSelect, server_error_for};
use crate::error::AppError;
use crate::features::accounts::api::my_account;
use crate::features::accounts::auth::use_auth;
use crate::features::accounts::profile::{
    change_password, confirm_email_change, send_email_change_code, update_profile,
};
use crate::features::accounts::types::profile::{
    ChangeEmailInput, ChangePasswordInput, ProfileInput, current_password,
};
use crate::features::accounts::types::recovery::parse_code;
use crate::features::accounts::types::{
    AccountInfo, BirthDate, Email, Nickname, PersonName, Phone, check_password_confirm,
};
use crate::ui::form::{TextField, error_line};
use crate::ui::format::today_kst;

pub(super) fn needs_login(next: &str) -> AnyView {
    let href = format!("/login?next={}", crate::ui::format::percent_encode(next));
    view! {
        <div class="empty-state" data-test="login-required">
            <p>"로그인이 필요한 페이지예요."</p>
            <A href=href attr:class="button">"로그인"</A>
        </div>
    }
    .into_any()
}

#[component]
pub fn ProfileEditPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| my_account());
    view! {
        <Title text="내 정보 수정" />
        <section class="auth-card" data-test="profile-edit">
            <h1>"내 정보 수정"</h1>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(a) => view! { <ProfileForm account=a /> }.into_any(),
                        Err(AppError::Unauthorized) => needs_login("/me/edit"),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProfileForm(account: AccountInfo) -> impl IntoView {
    let auth = use_auth();
    let name = RwSignal::new(account.name);
    let nickname = RwSignal::new(account.nickname);
    let birth_date = RwSignal::new(account.birth_date.format("%Y-%m-%d").to_string());
    let phone = RwSignal::new(account.phone.unwrap_or_default());
    let gender = RwSignal::new(
        account
            .gender
            .map(|g| g.as_db().to_owned())
            .unwrap_or_default(),
    );
    let current = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    let form = FormState::new();
    let name_err = form.error(name, "name", |v| PersonName::parse(v).map(drop));
    let nickname_err = form.error(nickname, "nickname", |v| Nickname::parse(v).map(drop));
    let birth_err = form.error(birth_date, "birth_date", |v| {
        BirthDate::parse(v, today_kst()).map(drop)
    });
    let phone_err = form.error(phone, "phone", |v| Phone::parse_optional(v).map(drop));
    let current_err = form.error(current, "current_password", current_password);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        if !form.begin(&[name_err, nickname_err, birth_err, phone_err, current_err]) {
            return;
        }
        let input = ProfileInput {
            name: name.get_untracked(),
            nickname: nickname.get_untracked(),
            birth_date: birth_date.get_untracked(),
            phone: phone.get_untracked(),
            gender: gender.get_untracked(),
            current_password: current.get_untracked(),
        };
        form.run(update_profile(input), move |_| {
            form.submitted.set(false);
            saved.set(true);
            auth.refresh.update(|v| *v += 1);
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    view! {
        <dl class="info">
            <dt>"아이디"</dt><dd>{account.login_id}</dd>
            <dt>"이메일"</dt><dd>{account.email}</dd>
        </dl>
        <form on:submit=submit novalidate>
            <TextField name="name" on_change=form.clears("name") label="이름" value=name error=name_err show_errors=show autocomplete="name" maxlength=20 required=true />
            <TextField name="nickname" on_change=form.clears("nickname") label="닉네임" value=nickname error=nickname_err show_errors=show autocomplete="nickname" maxlength=12 required=true
                hint="한글·영문·숫자·밑줄 2~12자, 거래할 때 보이는 이름이에요" />
            <TextField name="birth_date" on_change=form.clears("birth_date") label="생년월일" input_type="date" value=birth_date error=birth_err show_errors=show autocomplete="bday" required=true />
            <TextField name="phone" on_change=form.clears("phone") label="휴대폰 번호 (선택)" input_type="tel" value=phone error=phone_err show_errors=show autocomplete="tel"
                placeholder="010-1234-5678" />
            <GenderSelect value=gender />
            <TextField name="current_password" on_change=form.clears("current_password") label="지금 비밀번호" input_type="password" value=current error=current_err
                show_errors=show autocomplete="current-password" maxlength=20 required=true hint="바꾸려면 비밀번호를 한 번 더 확인해요" />
            {form.view_message()}
            {move || saved.get().then(|| view! { <p class="ok-note" role="status" data-test="profile-saved">"저장했어요."</p> })}
            <button type="submit" class="button block" data-test="profile-save" disabled=move || form.busy.get()>"저장"</button>
        </form>
        <p class="switch"><A href="/me">"내 정보로"</A></p>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let auth = use_auth();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let form = FormState::new();
    let current_err = form.error(current, "current_password", current_password);
    let password_err = form.error(password, "password", password_rule);
    let confirm_err = Signal::derive(move || {
        check_password_confirm(&password.get(), &confirm.get())
            .err()
            .or_else(|| server_error_for(form.server_errors, "password_confirm"))
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[current_err, password_err, confirm_err]) {
            return;
        }
        let input = ChangePasswordInput {
            current_password: current.get_untracked(),
            password: password.get_untracked(),
            password_confirm: confirm.get_untracked(),
        };
        form.run(change_password(input), move |()| done.set(true));
    };
    let show = Signal::derive(move || form.submitted.get());
    let page = move || {
        if done.get() {
            return view! {
                <p class="ok-note" role="status" data-test="password-changed">"비밀번호를 바꿨어요. 다른 기기의 로그인은 모두 끝났어요."</p>
                <A href="/me" attr:class="button block">"내 정보로"</A>
            }
            .into_any();
        }
        view! {
            <form on:submit=submit novalidate>
                <TextField name="current_password" on_change=form.clears("current_password") label="지금 비밀번호" input_type="password" value=current error=current_err
                    show_errors=show autocomplete="current-password" maxlength=20 required=true />
                <TextField name="password" on_change=form.clears("password") label="새 비밀번호" input_type="password" value=password error=password_err
                    show_errors=show autocomplete="new-password" maxlength=20 required=true hint="8~20자, 영문 대문자·소문자·숫자 포함" />
                <TextField name="password_confirm" on_change=form.clears("password_confirm") label="새 비밀번호 확인" input_type="password" value=confirm error=confirm_err
                    show_errors=show autocomplete="new-password" maxlength=20 required=true />
                {form.view_message()}
                <button type="submit" class="button block" data-test="password-save" disabled=move || form.busy.get()>"비밀번호 바꾸기"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <Title text="비밀번호 변경" />
        <section class="auth-card" data-test="change-password">
            <h1>"비밀번호 변경"</h1>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match auth.me.await {
                        Ok(Some(_)) => page().into_any(),
                        Ok(None) | Err(AppError::Unauthorized) => needs_login("/me/password"),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn ChangeEmailPage() -> impl IntoView {
    let auth = use_auth();
    let email = RwSignal::new(String::new());
    let current = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // None: asking; Some(false): code sent; Some(true): changed.
    let stage = RwSignal::new(None::<bool>);
    let form = FormState::new();
    let email_err = form.error(email, "email", |v| Email::parse(v).map(drop));
    let current_err = form.error(current, "current_password", current_password);
    let code_err = form.error(code, "code", |v| parse_code(v).map(drop));
    let input = move || ChangeEmailInput {
        email: email.get_untracked(),
        current_password: current.get_untracked(),
        code: code.get_untracked(),
    };
    let send = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[email_err, current_err]) {
            return;
        }
        form.run(send_email_change_code(input()), move |()| {
            form.submitted.set(false);
            stage.set(Some(false));
        });
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[code_err]) {
            return;
        }
        form.run(confirm_email_change(input()), move |_| {
            stage.set(Some(true))
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    let page = move || {
        match stage.get() {
        None => view! {
            <p class="muted small">"새 이메일로 인증 코드를 보내요. 코드를 넣어야 바뀌어요."</p>
            <form on:submit=send novalidate>
                <TextField name="email" on_change=form.clears("email") label="새 이메일" input_type="email" value=email error=email_err
                    show_errors=show autocomplete="email" maxlength=254 required=true />
                <TextField name="current_password" on_change=form.clears("current_password") label="지금 비밀번호" input_type="password"
                    value=current error=current_err show_errors=show autocomplete="current-password" maxlength=20 required=true />
                {form.view_message()}
                <button type="submit" class="button block" data-test="email-send" disabled=move || form.busy.get()>"인증 코드 받기"</button>
            </form>
        }
        .into_any(),
        Some(false) => view! {
            <p class="ok-note" role="status" data-test="code-sent">
                {format!("{}(으)로 인증 코드를 보냈어요. 10분 안에 입력해 주세요.", email.get_untracked())}
            </p>
            <form on:submit=confirm novalidate>
                <TextField name="code" on_change=form.clears("code") label="인증 코드" value=code error=code_err show_errors=show
                    autocomplete="one-time-code" inputmode="numeric" maxlength=7 required=true />
                {form.view_message()}
                <button type="submit" class="button block" data-test="email-confirm" disabled=move || form.busy.get()>"이메일 바꾸기"</button>
            </form>
            <button type="button" class="button secondary block" on:click=move |_| stage.set(None)>"다른 주소 입력하기"</button>
        }
        .into_any(),
        Some(true) => view! {
            <p class="ok-note" role="status" data-test="email-changed">
                {format!("이메일을 {}(으)로 바꿨어요. 예전 주소로도 알려 드렸어요.", email.get_untracked())}
            </p>
            <A href="/me" attr:class="button block">"내 정보로"</A>
        }
        .into_any(),
    }
    };
    view! {
        <Title text="이메일 변경" />
        <section class="auth-card" data-test="change-email">
            <h1>"이메일 변경"</h1>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match auth.me.await {
                        Ok(Some(_)) => page().into_any(),
                        Ok(None) | Err(AppError::Unauthorized) => needs_login("/me/email"),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}
