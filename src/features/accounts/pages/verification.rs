//! 이메일 인증 (`/verify`): the code mailed at sign-up, typed or filled in by the mail's
//! link (`?code=`), activates the account.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::profile::needs_login;
use super::recovery::{FormState, code_rule};
use crate::error::AppError;
use crate::features::accounts::api::my_account;
use crate::features::accounts::auth::use_auth;
use crate::features::accounts::verification::{send_verification_code, verify_email};
use crate::ui::form::{TextField, error_line};

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let account = Resource::new(move || auth.refresh.get(), |_| my_account());
    let code = RwSignal::new(
        query
            .read_untracked()
            .get("code")
            .unwrap_or_default()
            .chars()
            .take(7)
            .collect::<String>(),
    );
    let resent = RwSignal::new(None::<String>);
    let form = FormState::new();
    let code_err = form.error(code, "code", code_rule);

    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        resent.set(None);
        if !form.begin(&[code_err]) {
            return;
        }
        form.run(verify_email(code.get_untracked()), move |_| {
            // Every part of the page that knows the member learns they are verified.
            auth.refresh.update(|v| *v += 1);
        });
    };
    let resend = move |_| {
        resent.set(None);
        form.run(send_verification_code(), move |()| {
            code.set(String::new());
            form.submitted.set(false);
            resent.set(Some(
                "새 인증 코드를 보냈어요. 이전 코드는 더 이상 쓸 수 없어요.".into(),
            ));
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    let unverified = move |email: String| {
        view! {
            <p data-test="verify-to">
                <strong>{email}</strong>
                "(으)로 보낸 6자리 인증 코드를 입력해 주세요. 코드는 10분 동안 쓸 수 있어요."
            </p>
            <p class="muted small">"인증을 마치면 책을 팔고, 채팅하고, 살 수 있어요. 둘러보기와 찜은 지금도 돼요."</p>
            <form on:submit=confirm novalidate>
                <TextField name="code" on_change=form.clears("code") label="인증 코드" value=code error=code_err
                    show_errors=show autocomplete="one-time-code" inputmode="numeric" maxlength=7 required=true />
                {form.view_message()}
                {move || resent.get().map(|m| view! { <p class="ok-note" role="status" data-test="code-resent">{m}</p> })}
                <button type="submit" class="button block" data-test="verify-submit" disabled=move || form.busy.get()>"인증하기"</button>
            </form>
            <button type="button" class="button secondary block" data-test="verify-resend"
                disabled=move || form.busy.get() on:click=resend>"코드 다시 받기"</button>
            <p class="switch">"메일이 오지 않았나요? 스팸함을 확인하거나, 주소가 틀렸다면 "
                <A href="/me/email">"이메일 변경"</A></p>
        }
        .into_any()
    };
    view! {
        <Title text="이메일 인증" />
        <section class="auth-card" data-test="verify-email">
            <h1>"이메일 인증"</h1>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(a) if a.email_verified => view! {
                            <p class="ok-note" role="status" data-test="verified">
                                {format!("{} 인증을 마쳤어요. 이제 책을 팔고, 채팅하고, 살 수 있어요.", a.email)}
                            </p>
                            <A href="/sell" attr:class="button block">"책 팔기"</A>
                            <A href="/" attr:class="button secondary block">"둘러보기"</A>
                        }
                        .into_any(),
                        Ok(a) => unverified(a.email),
                        Err(AppError::Unauthorized) => {
                            let code = code.get_untracked();
                            let next = if code.is_empty() { "/verify".to_owned() } else { format!("/verify?code={code}") };
                            needs_login(&next)
                        }
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}
