mod profile;
mod recovery;
mod sns;
mod verification;
mod withdrawal;

pub use profile::{ChangeEmailPage, ChangePasswordPage, ProfileEditPage};
pub use recovery::{FindIdPage, ResetPasswordPage};
pub use sns::SnsSignupPage;
pub use verification::VerifyEmailPage;
pub use withdrawal::WithdrawPage;

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::api::{Login, Signup, check_available, my_account};
use super::types::{
    BirthDate, Email, LoginId, LoginInput, Nickname, Password, PersonName, Phone, SignupInput,
    UniqueField, check_consent, check_password_confirm, safe_next_path,
};
use crate::error::{AppError, FieldError};
use crate::features::accounts::auth::use_auth;
use crate::ui::form::{TextField, error_line};
use crate::ui::format::{korean_date, kst, today_kst};

/// Debounced "is this taken?" check for one unique field, run while the user types.
#[derive(Clone, Copy)]
struct Availability {
    field: UniqueField,
    generation: StoredValue<u64>,
    /// (value checked, message if unusable)
    result: RwSignal<Option<(String, Option<String>)>>,
}

impl Availability {
    fn new(field: UniqueField) -> Self {
        Self {
            field,
            generation: StoredValue::new(0),
            result: RwSignal::new(None),
        }
    }

    fn schedule(self, value: String, locally_valid: bool) {
        self.generation.update_value(|g| *g += 1);
        let mine = self.generation.get_value();
        if !locally_valid {
            return;
        }
        set_timeout(
            move || {
                // `try_`: the page may have been left (and its state disposed) meanwhile.
                if self.generation.try_get_value() != Some(mine) {
                    return;
                }
                spawn_local(async move {
                    // A network failure just leaves the field unchecked; the server
                    // checks again on submit.
                    if let Ok(message) = check_available(self.field, value.clone()).await
                        && self.generation.try_get_value() == Some(mine)
                    {
                        self.result.try_set(Some((value, message)));
                    }
                });
            },
            Duration::from_millis(350),
        );
    }

    /// The message for `current` if the server said it is unusable.
    fn problem(self, current: &str) -> Option<String> {
        self.result
            .get()
            .filter(|(v, _)| v == current.trim())
            .and_then(|(_, m)| m)
    }

    fn confirmed_free(self, current: &str) -> bool {
        self.result
            .get()
            .is_some_and(|(v, m)| v == current.trim() && m.is_none())
    }
}

pub(super) fn server_error_for(errors: RwSignal<Vec<FieldError>>, field: &str) -> Option<String> {
    errors.with(|e| {
        e.iter()
            .find(|x| x.field == field)
            .map(|x| x.message.clone())
    })
}

fn clear_server_error(errors: RwSignal<Vec<FieldError>>, field: &'static str) {
    errors.update(|e| e.retain(|x| x.field != field));
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let auth = use_auth();
    let action = ServerAction::<Signup>::new();
    let navigate = use_navigate();

    let login_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password_confirm = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let birth_date = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let gender = RwSignal::new(String::new());
    let agree_terms = RwSignal::new(false);
    let agree_privacy = RwSignal::new(false);

    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let submitted = RwSignal::new(false);
    let form_error = RwSignal::new(None::<String>);
    let id_check = Availability::new(UniqueField::LoginId);
    let email_check = Availability::new(UniqueField::Email);
    let nick_check = Availability::new(UniqueField::Nickname);

    // Each field's error: the shared rule first, then what the server said.
    let field_error = move |field: &'static str,
                            rule: Result<(), String>,
                            check: Option<Availability>,
                            value: &str| {
        rule.err()
            .or_else(|| server_error_for(server_errors, field))
            .or_else(|| check.and_then(|c| c.problem(value)))
    };
    let login_id_err = Signal::derive(move || {
        let v = login_id.get();
        field_error("login_id", LoginId::parse(&v).map(drop), Some(id_check), &v)
    });
    let password_err = Signal::derive(move || {
        field_error(
            "password",
            Password::parse(&password.get()).map(drop),
            None,
            "",
        )
    });
    let confirm_err = Signal::derive(move || {
        field_error(
            "password_confirm",
            check_password_confirm(&password.get(), &password_confirm.get()),
            None,
            "",
        )
    });
    let name_err = Signal::derive(move || {
        field_error("name", PersonName::parse(&name.get()).map(drop), None, "")
    });
    let nickname_err = Signal::derive(move || {
        let v = nickname.get();
        field_error(
            "nickname",
            Nickname::parse(&v).map(drop),
            Some(nick_check),
            &v,
        )
    });
    let email_err = Signal::derive(move || {
        let v = email.get();
        let normalized = v.trim().to_ascii_lowercase();
        field_error(
            "email",
            Email::parse(&v).map(drop),
            Some(email_check),
            &normalized,
        )
    });
    let birth_err = Signal::derive(move || {
        field_error(
            "birth_date",
            BirthDate::parse(&birth_date.get(), today_kst()).map(drop),
            None,
            "",
        )
    });
    let phone_err = Signal::derive(move || {
        field_error(
            "phone",
            Phone::parse_optional(&phone.get()).map(drop),
            None,
            "",
        )
    });
    let terms_err = move || {
        submitted
            .get()
            .then(|| check_consent(agree_terms.get(), "이용약관").err())
            .flatten()
    };
    let privacy_err = move || {
        submitted
            .get()
            .then(|| check_consent(agree_privacy.get(), "개인정보 수집·이용").err())
            .flatten()
    };

    let ok_if_free = |check: Availability, value: RwSignal<String>, text: &'static str| {
        Signal::derive(move || check.confirmed_free(&value.get()).then(|| text.to_owned()))
    };
    let login_id_ok = ok_if_free(id_check, login_id, "사용할 수 있는 아이디입니다.");
    let nickname_ok = ok_if_free(nick_check, nickname, "사용할 수 있는 닉네임입니다.");
    let email_ok = ok_if_free(email_check, email, "사용할 수 있는 이메일입니다.");

    let on_login_id = Callback::new(move |v: String| {
        clear_server_error(server_errors, "login_id");
        id_check.schedule(v.trim().to_owned(), LoginId::parse(&v).is_ok());
    });
    let on_nickname = Callback::new(move |v: String| {
        clear_server_error(server_errors, "nickname");
        nick_check.schedule(v.trim().to_owned(), Nickname::parse(&v).is_ok());
    });
    let on_email = Callback::new(move |v: String| {
        clear_server_error(server_errors, "email");
        let normalized = v.trim().to_ascii_lowercase();
        email_check.schedule(normalized, Email::parse(&v).is_ok());
    });
    let clears = |field: &'static str| {
        Callback::new(move |_: String| clear_server_error(server_errors, field))
    };

    let all_agreed = move || agree_terms.get() && agree_privacy.get();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let input = SignupInput {
            login_id: login_id.get_untracked(),
            password: password.get_untracked(),
            password_confirm: password_confirm.get_untracked(),
            name: name.get_untracked(),
            nickname: nickname.get_untracked(),
            email: email.get_untracked(),
            birth_date: birth_date.get_untracked(),
            phone: phone.get_untracked(),
            gender: gender.get_untracked(),
            agree_terms: agree_terms.get_untracked(),
            agree_privacy: agree_privacy.get_untracked(),
        };
        let taken = [login_id_err, nickname_err, email_err]
            .iter()
            .any(|e| e.get_untracked().is_some());
        if input.validate(today_kst()).is_err() || taken {
            form_error.set(Some(
                "입력 내용을 확인해 주세요. 빨간 글씨로 표시된 항목을 고쳐 주세요.".into(),
            ));
            return;
        }
        form_error.set(None);
        action.dispatch(Signup { input });
    };

    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
            auth.refresh.update(|v| *v += 1);
            // The code is on its way to the address just given.
            navigate("/verify", Default::default());
        }
        Some(Err(AppError::Validation(errors))) => {
            server_errors.set(errors);
            form_error.set(Some("입력 내용을 확인해 주세요.".into()));
        }
        Some(Err(e)) => form_error.set(Some(e.to_string())),
        None => {}
    });

    let show = Signal::derive(move || submitted.get());
    let signup_path = <Signup as ServerFn>::PATH;
    view! {
        <Title text="회원가입" />
        <section class="auth-card wide">
            <h1>"회원가입"</h1>
            <p class="muted">"책빵에서 안 읽는 책은 팔고, 필요한 책은 싸게 구하세요."</p>
            <form
                method="post"
                action=signup_path
                on:submit=on_submit
                novalidate
                data-test="signup-form"
            >
                <TextField name="login_id" form_name="input[login_id]" label="아이디" value=login_id error=login_id_err
                    ok_message=login_id_ok on_change=on_login_id show_errors=show required=true
                    autocomplete="username" maxlength=20 hint="영문 대소문자와 숫자 6~20자" />
                <TextField name="password" form_name="input[password]" label="비밀번호" input_type="password" value=password
                    error=password_err on_change=clears("password") show_errors=show required=true
                    autocomplete="new-password" maxlength=20 hint="8~20자, 영문 대문자·소문자·숫자 포함" />
                <TextField name="password_confirm" form_name="input[password_confirm]" label="비밀번호 확인" input_type="password"
                    value=password_confirm error=confirm_err show_errors=show required=true
                    autocomplete="new-password" maxlength=20 />
                <TextField name="name" form_name="input[name]" label="이름" value=name error=name_err
                    on_change=clears("name") show_errors=show required=true autocomplete="name" maxlength=20 />
                <TextField name="nickname" form_name="input[nickname]" label="닉네임" value=nickname error=nickname_err
                    ok_message=nickname_ok on_change=on_nickname show_errors=show required=true
                    autocomplete="nickname" maxlength=12 hint="한글·영문·숫자·밑줄 2~12자, 거래할 때 보이는 이름이에요" />
                <TextField name="email" form_name="input[email]" label="이메일" input_type="email" value=email error=email_err
                    ok_message=email_ok on_change=on_email show_errors=show required=true
                    autocomplete="email" placeholder="name@example.com" />
                <TextField name="birth_date" form_name="input[birth_date]" label="생년월일" input_type="date" value=birth_date
                    error=birth_err on_change=clears("birth_date") show_errors=show required=true
                    autocomplete="bday" hint="만 14세 이상 가입할 수 있어요" />
                <TextField name="phone" form_name="input[phone]" label="휴대폰 번호 (선택)" input_type="tel" value=phone
                    error=phone_err on_change=clears("phone") show_errors=show autocomplete="tel"
                    placeholder="010-1234-5678" />
                <GenderSelect value=gender />

                <fieldset class="consents">
                    <legend>"약관 동의"</legend>
                    <label class="check all">
                        <input
                            type="checkbox"
                            prop:checked=all_agreed
                            on:change:target=move |ev| {
                                let on = ev.target().checked();
                                agree_terms.set(on);
                                agree_privacy.set(on);
                            }
                        />
                        <span>"전체 동의"</span>
                    </label>
                    <label class="check" data-test="agree-terms">
                        <input type="checkbox" name="input[agree_terms]" value="true" bind:checked=agree_terms />
                        <span>"[필수] 이용약관 동의 (" {super::types::TERMS_VERSION} ")"</span>
                    </label>
                    <details class="terms">
                        <summary>"이용약관 보기"</summary>
                        <p>"책빵은 회원 간 중고책 거래를 중개합니다. 거래 당사자는 책의 상태를 사실대로 알려야 하며, 불법 복제물(제본·스캔본)은 판매할 수 없습니다. 안전결제를 이용하면 구매자가 수령을 확인할 때까지 대금이 보관됩니다."</p>
                    </details>
                    {move || terms_err().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                    <label class="check" data-test="agree-privacy">
                        <input type="checkbox" name="input[agree_privacy]" value="true" bind:checked=agree_privacy />
                        <span>"[필수] 개인정보 수집·이용 동의 (" {super::types::PRIVACY_VERSION} ")"</span>
                    </label>
                    <details class="terms">
                        <summary>"수집 항목 보기"</summary>
                        <p>"수집 항목: 아이디, 비밀번호(암호화 저장), 이름, 닉네임, 이메일, 생년월일, 휴대폰 번호·성별(선택). 이용 목적: 회원 식별, 거래 및 분쟁 처리. 보관 기간: 탈퇴 후 2년."</p>
                    </details>
                    {move || privacy_err().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                </fieldset>

                {move || form_error.get().map(|e| view! { <p class="form-error" role="alert" data-test="form-error">{e}</p> })}
                <button type="submit" class="button block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "가입하는 중…" } else { "가입하기" }}
                </button>
            </form>
            <sns::SnsButtons />
            <p class="switch">"이미 회원이신가요? " <A href="/login">"로그인"</A></p>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let action = ServerAction::<Login>::new();
    let navigate = use_navigate();
    let query = use_query_map();
    let login_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);

    let required = |value: RwSignal<String>, field: &'static str, message: &'static str| {
        Signal::derive(move || {
            if value.get().trim().is_empty() {
                Some(message.to_owned())
            } else {
                server_error_for(server_errors, field)
            }
        })
    };
    let login_id_err = required(login_id, "login_id", "아이디를 입력해 주세요.");
    let password_err = required(password, "password", "비밀번호를 입력해 주세요.");

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_errors.set(Vec::new());
        if login_id_err.get_untracked().is_some() || password_err.get_untracked().is_some() {
            return;
        }
        form_error.set(None);
        action.dispatch(Login {
            input: LoginInput {
                login_id: login_id.get_untracked(),
                password: password.get_untracked(),
            },
        });
    };

    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => {
            auth.refresh.update(|v| *v += 1);
            // Only paths on this site: never bounce to another origin.
            let next = query
                .read_untracked()
                .get("next")
                .filter(|n| safe_next_path(n).is_some())
                .unwrap_or_else(|| "/".to_owned());
            navigate(&next, Default::default());
        }
        Some(Err(AppError::Validation(errors))) => server_errors.set(errors),
        // Everything typed stays, so a typo can be fixed rather than retyped.
        Some(Err(e)) => form_error.set(Some(e.to_string())),
        None => {}
    });

    let show = Signal::derive(move || submitted.get());
    let login_path = <Login as ServerFn>::PATH;
    view! {
        <Title text="로그인" />
        <section class="auth-card">
            <h1>"로그인"</h1>
            <form method="post" action=login_path on:submit=on_submit novalidate data-test="login-form">
                <TextField name="login_id" form_name="input[login_id]" label="아이디" value=login_id error=login_id_err
                    show_errors=show autocomplete="username" maxlength=20 required=true />
                <TextField name="password" form_name="input[password]" label="비밀번호" input_type="password" value=password
                    error=password_err show_errors=show autocomplete="current-password" maxlength=64 required=true />
                {move || form_error.get().map(|e| view! { <p class="form-error" role="alert" data-test="login-error">{e}</p> })}
                <button type="submit" class="button block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "로그인하는 중…" } else { "로그인" }}
                </button>
            </form>
            <p class="muted small">"비밀번호를 5회 잘못 입력하면 5분 동안 로그인할 수 없어요."</p>
            <sns::SnsButtons />
            <p class="switch" data-test="recovery-links">
                <A href="/find/id">"아이디 찾기"</A> " · " <A href="/find/password">"비밀번호 재설정"</A>
            </p>
            <p class="switch">"아직 회원이 아니신가요? " <A href="/signup">"회원가입"</A></p>
        </section>
    }
}

/// 성별 (optional), as sign-up and 내 정보 수정 ask it.
#[component]
pub(super) fn GenderSelect(value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="f-gender">"성별 (선택)"</label>
            <select
                id="f-gender"
                name="input[gender]"
                prop:value=move || value.get()
                on:change:target=move |ev| value.set(ev.target().value())
            >
                <option value="">"선택 안 함"</option>
                <option value="female">"여성"</option>
                <option value="male">"남성"</option>
            </select>
        </div>
    }
}

fn consent_label(kind: &str) -> &'static str {
    match kind {
        "terms" => "이용약관",
        "privacy" => "개인정보 수집·이용",
        "marketing" => "마케팅 정보 수신",
        _ => "기타",
    }
}

#[component]
pub fn MyPage() -> impl IntoView {
    let auth = use_auth();
    let account = Resource::new(
        move || (auth.refresh.get(), auth.logout.version().get()),
        |_| my_account(),
    );
    let sns_links = sns::sns_links_resource();
    view! {
        <Title text="내 정보" />
        <section class="auth-card wide">
            <h1>"내 정보"</h1>
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(a) => {
                            let is_admin = matches!(auth.me.await, Ok(Some(ref me)) if me.is_admin);
                            view! {
                                <dl class="info" data-test="account-info">
                                    <dt>"아이디"</dt><dd>{a.login_id}</dd>
                                    <dt>"닉네임"</dt><dd data-test="my-nickname">{a.nickname}</dd>
                                    <dt>"이름"</dt><dd>{a.name}</dd>
                                    <dt>"이메일"</dt><dd>{a.email}
                                        {(!a.email_verified).then(|| view! { " " <span class="badge warn" data-test="email-unverified">"인증 전"</span> })}</dd>
                                    <dt>"생년월일"</dt><dd>{korean_date(a.birth_date)}</dd>
                                    <dt>"휴대폰"</dt><dd>{a.phone.unwrap_or_else(|| "등록 안 함".into())}</dd>
                                    <dt>"가입일"</dt><dd>{kst(a.joined_at).format("%Y.%m.%d").to_string()}</dd>
                                </dl>
                                <A href="/me/edit" attr:class="button secondary block" attr:data-test="edit-profile-link">"내 정보 수정"</A>
                                <A href="/me/email" attr:class="button secondary block">"이메일 변경"</A>
                                <A href="/me/password" attr:class="button secondary block">"비밀번호 변경"</A>
                                <A href="/me/listings" attr:class="button secondary block">"내 판매글"</A>
                                <A href="/me/wishes" attr:class="button secondary block">"찜 목록"</A>
                                <A href="/me/trades" attr:class="button secondary block">"거래 내역"</A>
                                <A href="/me/alerts" attr:class="button secondary block">"알림 받는 책"</A>
                                {is_admin.then(|| view! {
                                    <A href="/admin" attr:class="button secondary block" attr:data-test="admin-link">"관리자 페이지"</A>
                                })}
                                <sns::SnsLinksSection links=sns_links />
                                <h2>"동의 내역"</h2>
                                <ul class="consent-list">
                                    {a.consents.into_iter().map(|c| view! {
                                        <li>
                                            {consent_label(&c.kind)} " · " {c.version} " 버전 · "
                                            {kst(c.agreed_at).format("%Y.%m.%d %H:%M").to_string()} " 동의"
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=auth.logout>
                                    <button type="submit" class="button secondary block" data-test="me-logout">"로그아웃"</button>
                                </ActionForm>
                                <p class="switch"><A href="/me/withdraw" attr:data-test="withdraw-link">"회원 탈퇴"</A></p>
                            }
                                .into_any()
                        }
                        Err(AppError::Unauthorized) => {
                            view! {
                                <div class="empty-state" data-test="login-required">
                                    <p>"로그인이 필요한 페이지예요."</p>
                                    <A href="/login?next=/me" attr:class="button">"로그인"</A>
                                    <p class="switch">"처음이신가요? " <A href="/signup">"회원가입"</A></p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}
