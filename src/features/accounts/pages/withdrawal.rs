//! 회원 탈퇴 (`/me/withdraw`): what leaving does, the trades that must end first, then
//! the terms ticked and the password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::profile::needs_login;
use super::recovery::FormState;
use super::server_error_for;
use crate::error::AppError;
use crate::features::accounts::auth::use_auth;
use crate::features::accounts::types::profile::current_password;
use crate::features::accounts::types::withdrawal::{
    KEEP_YEARS, LiveTrade, WITHDRAWN_NICKNAME, WithdrawInput, check_agreed,
};
use crate::features::accounts::withdrawal::{withdraw, withdrawal_blockers};
use crate::ui::form::{TextField, error_line};

#[component]
pub fn WithdrawPage() -> impl IntoView {
    let auth = use_auth();
    let blockers = Resource::new(|| (), |_| withdrawal_blockers());
    let done = RwSignal::new(false);
    // Owned here, not by the form: the form's last step replaces it with the goodbye.
    let form = FormState::new();
    view! {
        <Title text="회원 탈퇴" />
        <section class="auth-card" data-test="withdraw">
            <h1>"회원 탈퇴"</h1>
            {move || if done.get() {
                view! {
                    <p class="ok-note" role="status" data-test="withdrawn">
                        "탈퇴가 끝났어요. 그동안 책빵을 이용해 주셔서 고마워요."
                    </p>
                    <A href="/" attr:class="button block">"처음으로"</A>
                }
                .into_any()
            } else {
                view! {
                    <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                        {move || Suspend::new(async move {
                            let login_id = match auth.me.await {
                                Ok(Some(me)) => me.login_id,
                                Ok(None) | Err(AppError::Unauthorized) => return needs_login("/me/withdraw"),
                                Err(e) => return error_line(e),
                            };
                            match blockers.await {
                                Ok(trades) if !trades.is_empty() => live_trades(trades),
                                Ok(_) => view! { <WithdrawForm login_id done form /> }.into_any(),
                                Err(AppError::Unauthorized) => needs_login("/me/withdraw"),
                                Err(e) => error_line(e),
                            }
                        })}
                    </Transition>
                }
                .into_any()
            }}
        </section>
    }
}

fn live_trades(trades: Vec<LiveTrade>) -> AnyView {
    view! {
        <div class="form-error" role="alert" data-test="live-trades">
            <p>"진행 중인 거래가 끝나야 탈퇴할 수 있어요. 거래를 마치거나 취소한 뒤 다시 와 주세요."</p>
            <ul>
                {trades.into_iter().map(|t| view! {
                    <li><A href=format!("/orders/{}", t.order_id) attr:class="go-link">{t.describe()}</A></li>
                }).collect_view()}
            </ul>
        </div>
        <A href="/me/trades" attr:class="button secondary block">"거래 내역 보기"</A>
    }
    .into_any()
}

#[component]
fn WithdrawForm(login_id: String, done: RwSignal<bool>, form: FormState) -> impl IntoView {
    let auth = use_auth();
    let password = RwSignal::new(String::new());
    let agree = RwSignal::new(false);
    let password_err = form.error(password, "current_password", current_password);
    let agree_err = Signal::derive(move || {
        check_agreed(agree.get())
            .err()
            .or_else(|| server_error_for(form.server_errors, "agree"))
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.begin(&[password_err, agree_err]) {
            return;
        }
        let input = WithdrawInput {
            current_password: password.get_untracked(),
            agree: agree.get_untracked(),
        };
        form.run(withdraw(input), move |()| {
            done.set(true);
            // Signed out: the header and every member-only part follow.
            auth.refresh.update(|v| *v += 1);
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    view! {
        <ul class="withdraw-terms" data-test="withdraw-terms">
            <li>"이름, 닉네임, 이메일, 생년월일, 휴대폰 번호와 저장한 배송지는 바로 지워져요."</li>
            <li>"판매 중인 책은 내려가고, 찜과 알림 받는 책도 지워져요."</li>
            <li>{format!("지난 거래, 후기와 채팅은 상대방을 위해 남지만 ‘{WITHDRAWN_NICKNAME}’로 보여요.")}</li>
            <li>{format!("아이디 {login_id}는 다시 가입하는 데 쓸 수 없어요.")}</li>
            <li>{format!("분쟁 처리를 위해 거래 기록은 {KEEP_YEARS}년 동안 보관한 뒤 지워요.")}</li>
        </ul>
        <form on:submit=submit novalidate>
            <label class="check" data-test="withdraw-agree">
                <input type="checkbox" bind:checked=agree />
                <span>"위 안내를 모두 읽었고, 탈퇴에 동의합니다."</span>
            </label>
            {move || show.get().then(|| agree_err.get()).flatten().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
            <TextField name="current_password" on_change=form.clears("current_password") label="비밀번호" input_type="password" value=password
                error=password_err show_errors=show autocomplete="current-password" maxlength=20 required=true />
            {form.view_message()}
            <button type="submit" class="button block danger-fill" data-test="withdraw-submit" disabled=move || form.busy.get()>"탈퇴하기"</button>
        </form>
        <A href="/me" attr:class="button secondary block">"취소"</A>
    }
}
