//! SNS sign-in in the UI: the provider buttons on 로그인 and 회원가입, the sign-up form a
//! first provider sign-in ends on (`/signup/sns`), and the links in 내 정보.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::GenderSelect;
use super::recovery::FormState;
use crate::error::AppError;
use crate::features::accounts::auth::use_auth;
use crate::features::accounts::sns::{
    my_sns_links, sns_pending, sns_providers, sns_signup, sns_unlink,
};
use crate::features::accounts::types::sns::{
    PendingSnsSignup, SnsFailure, SnsLinks, SnsProvider, SnsSignupInput,
};
use crate::features::accounts::types::{
    BirthDate, Email, Nickname, PRIVACY_VERSION, PersonName, TERMS_VERSION, check_consent,
    safe_next_path,
};
use crate::ui::form::{TextField, error_line};
use crate::ui::format::today_kst;

/// "카카오로 계속하기" and the others, for the providers this site offers. Plain links:
/// the sign-in leaves the app for the provider and comes back as a page load.
#[component]
pub fn SnsButtons() -> impl IntoView {
    let query = use_query_map();
    let providers = Resource::new(|| (), |_| sns_providers());
    let next = move || {
        query
            .read_untracked()
            .get("next")
            .filter(|n| safe_next_path(n).is_some())
    };
    let failure = move || {
        query
            .read()
            .get("sns_error")
            .and_then(|c| SnsFailure::from_code(&c))
    };
    view! {
        {move || failure().map(|f| view! {
            <p class="form-error" role="alert" data-test="sns-error">{f.message()}</p>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let offered = providers.await.unwrap_or_default();
                (!offered.is_empty()).then(|| {
                    let next = next();
                    view! {
                        <div class="sns-buttons" data-test="sns-buttons">
                            <p class="or"><span>"또는"</span></p>
                            {offered.into_iter().map(|p| {
                                let href = match &next {
                                    Some(n) => format!("{}?next={}", p.start_path(), urlencoding(n)),
                                    None => p.start_path(),
                                };
                                view! {
                                    <a href=href rel="external" class=format!("button block sns sns-{}", p.slug())
                                        data-test=format!("sns-{}", p.slug())>
                                        {format!("{}로 계속하기", p.label())}
                                    </a>
                                }
                            }).collect_view()}
                        </div>
                    }
                })
            })}
        </Transition>
    }
}

/// `next` as a query value: the few characters a path may hold that a query may not.
fn urlencoding(path: &str) -> String {
    path.replace('%', "%25")
        .replace('&', "%26")
        .replace('#', "%23")
        .replace('+', "%2B")
        .replace('?', "%3F")
}

#[component]
pub fn SnsSignupPage() -> impl IntoView {
    let pending = Resource::new(|| (), |_| sns_pending());
    view! {
        <Title text="SNS 회원가입" />
        <section class="auth-card wide">
            <Transition fallback=|| view! { <p class="muted">"불러오는 중…"</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(Some(p)) => view! { <SnsSignupForm pending=p /> }.into_any(),
                        Ok(None) => view! {
                            <div class="empty-state" data-test="sns-expired">
                                <h1>"SNS 회원가입"</h1>
                                <p>"가입 요청이 없거나 30분이 지나 만료되었어요."</p>
                                <A href="/login" attr:class="button">"로그인 화면으로"</A>
                            </div>
                        }.into_any(),
                        Err(e) => error_line(e),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SnsSignupForm(pending: PendingSnsSignup) -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let provider = pending.provider;
    let vouched = pending.email.clone().filter(|_| pending.email_verified);
    let name = RwSignal::new(pending.name.clone().unwrap_or_default());
    let nickname = RwSignal::new(
        pending
            .nickname
            .clone()
            .filter(|n| Nickname::parse(n).is_ok())
            .unwrap_or_default(),
    );
    // What the provider calls an email is offered only if it is one.
    let email = RwSignal::new(
        pending
            .email
            .clone()
            .filter(|e| Email::parse(e).is_ok())
            .unwrap_or_default(),
    );
    let birth_date = RwSignal::new(
        pending
            .birth_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    );
    let gender = RwSignal::new(
        pending
            .gender
            .map(|g| g.as_db().to_owned())
            .unwrap_or_default(),
    );
    let agree_terms = RwSignal::new(false);
    let agree_privacy = RwSignal::new(false);
    let form = FormState::new();

    let name_err = form.error(name, "name", |v| PersonName::parse(v).map(drop));
    let nickname_err = form.error(nickname, "nickname", |v| Nickname::parse(v).map(drop));
    let email_err = if vouched.is_some() {
        Signal::derive(move || super::server_error_for(form.server_errors, "email"))
    } else {
        form.error(email, "email", |v| Email::parse(v).map(drop))
    };
    let birth_err = form.error(birth_date, "birth_date", |v| {
        BirthDate::parse(v, today_kst()).map(drop)
    });
    let consent_err = move |agreed: RwSignal<bool>, field: &'static str, what: &'static str| {
        move || {
            form.submitted
                .get()
                .then(|| check_consent(agreed.get(), what).err())
                .flatten()
                .or_else(|| super::server_error_for(form.server_errors, field))
        }
    };
    let terms_err = consent_err(agree_terms, "agree_terms", "이용약관");
    let privacy_err = consent_err(agree_privacy, "agree_privacy", "개인정보 수집·이용");

    let next = pending.next_path.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let consents = agree_terms.get_untracked() && agree_privacy.get_untracked();
        if !form.begin(&[name_err, nickname_err, email_err, birth_err]) || !consents {
            return;
        }
        let input = SnsSignupInput {
            name: name.get_untracked(),
            nickname: nickname.get_untracked(),
            email: email.get_untracked(),
            birth_date: birth_date.get_untracked(),
            gender: gender.get_untracked(),
            agree_terms: true,
            agree_privacy: true,
        };
        let navigate = navigate.clone();
        let next = next.clone();
        form.run(sns_signup(input), move |me| {
            auth.refresh.update(|v| *v += 1);
            let to = if me.email_verified {
                next.unwrap_or_else(|| "/".into())
            } else {
                // The code is on its way to the address just given.
                "/verify".into()
            };
            navigate(&to, Default::default());
        });
    };
    let show = Signal::derive(move || form.submitted.get());
    let clears = move |f: &'static str| form.clears(f);

    view! {
        <h1>{format!("{}로 가입하기", provider.label())}</h1>
        <p class="muted">{format!("{} 계정을 확인했어요. 책빵에서 쓸 정보를 확인하고 약관에 동의하면 가입이 끝나요.", provider.label())}</p>
        <form on:submit=submit novalidate data-test="sns-signup-form">
            <TextField name="name" label="이름" value=name error=name_err on_change=clears("name")
                show_errors=show required=true autocomplete="name" maxlength=20 />
            <TextField name="nickname" label="닉네임" value=nickname error=nickname_err on_change=clears("nickname")
                show_errors=show required=true autocomplete="nickname" maxlength=12
                hint="한글·영문·숫자·밑줄 2~12자, 거래할 때 보이는 이름이에요" />
            {match vouched.clone() {
                Some(address) => view! {
                    <div class="field" data-test="sns-email">
                        <span class="label">"이메일"</span>
                        <p>{address} " " <span class="badge">{format!("{} 인증됨", provider.label())}</span></p>
                        {move || email_err.get().map(|e| view! { <p class="field-msg"><span class="err" data-test="sns-email-error">{e}</span></p> })}
                    </div>
                }.into_any(),
                None => view! {
                    <TextField name="email" label="이메일" input_type="email" value=email error=email_err
                        on_change=clears("email") show_errors=show required=true autocomplete="email"
                        hint="가입 후 이 주소로 인증 코드를 보내 드려요" />
                }.into_any(),
            }}
            <TextField name="birth_date" label="생년월일" input_type="date" value=birth_date error=birth_err
                on_change=clears("birth_date") show_errors=show required=true autocomplete="bday"
                hint="만 14세 이상 가입할 수 있어요" />
            <GenderSelect value=gender />
            <fieldset class="consents">
                <legend>"약관 동의"</legend>
                <label class="check" data-test="agree-terms">
                    <input type="checkbox" bind:checked=agree_terms />
                    <span>"[필수] 이용약관 동의 (" {TERMS_VERSION} ")"</span>
                </label>
                {move || terms_err().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
                <label class="check" data-test="agree-privacy">
                    <input type="checkbox" bind:checked=agree_privacy />
                    <span>"[필수] 개인정보 수집·이용 동의 (" {PRIVACY_VERSION} ")"</span>
                </label>
                {move || privacy_err().map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
            </fieldset>
            {form.view_message()}
            <button type="submit" class="button block" disabled=move || form.busy.get()>
                {move || if form.busy.get() { "가입하는 중…" } else { "가입하기" }}
            </button>
        </form>
    }
}

/// 내 정보 → SNS 연결: link a provider account (through that provider's own sign-in) or
/// remove a link.
/// The links the SNS section shows. Made by the page, outside its `<Transition>`, so
/// the server and the browser number the resource alike.
pub fn sns_links_resource() -> Resource<Result<SnsLinks, AppError>> {
    let auth = use_auth();
    Resource::new(
        move || (auth.refresh.get(), auth.logout.version().get()),
        |_| my_sns_links(),
    )
}

#[component]
pub fn SnsLinksSection(links: Resource<Result<SnsLinks, AppError>>) -> impl IntoView {
    let query = use_query_map();
    let changed = RwSignal::new(None::<Result<SnsLinks, AppError>>);
    let unlink = Action::new(move |p: &SnsProvider| {
        let p = *p;
        async move {
            changed.try_set(Some(sns_unlink(p).await));
        }
    });
    let note = move || {
        let q = query.read();
        if q.get("sns").as_deref() == Some("linked") {
            Some(("success-note", "SNS 계정을 연결했어요.".to_owned()))
        } else {
            q.get("sns_error")
                .and_then(|c| SnsFailure::from_code(&c))
                .map(|f| ("form-error", f.message().to_owned()))
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let first = links.await;
                // `try_`: signing out on this page replaces the section while the page's
                // resource still answers; its signals may be gone by then.
                let shown = move || match changed.try_get().flatten() {
                    Some(Ok(l)) => Ok(l),
                    _ => first.clone(),
                };
                let unlink_error = move || match changed.try_get().flatten() {
                    Some(Err(e)) => Some(e.to_string()),
                    _ => None,
                };
                move || match shown() {
                    Ok(l) if !l.offered.is_empty() || !l.linked.is_empty() => {
                        let has_password = l.has_password;
                        view! {
                            <h2>"SNS 연결"</h2>
                            {note().map(|(class, text)| view! { <p class=class role="status" data-test="sns-note">{text}</p> })}
                            {unlink_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            <ul class="sns-links" data-test="sns-links">
                                {SnsProvider::ALL.into_iter().filter(|p| l.offered.contains(p) || l.linked.iter().any(|x| x.provider == *p)).map(|p| {
                                    let link = l.linked.iter().find(|x| x.provider == p).cloned();
                                    view! {
                                        <li data-test=format!("sns-link-{}", p.slug())>
                                            <span class="name">{p.label()}</span>
                                            {match link {
                                                Some(x) => view! {
                                                    <span class="muted">{x.email.unwrap_or_else(|| "연결됨".into())}</span>
                                                    <button type="button" class="button secondary small"
                                                        on:click=move |_| { unlink.dispatch(p); }
                                                        data-test="sns-unlink">"연결 해제"</button>
                                                }.into_any(),
                                                None => view! {
                                                    <span class="muted">"연결 안 됨"</span>
                                                    <a href=format!("{}?link=1", p.start_path()) rel="external"
                                                        class="button secondary small" data-test="sns-link">"연결하기"</a>
                                                }.into_any(),
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(!has_password).then(|| view! {
                                <p class="muted small" data-test="no-password">
                                    "SNS로 가입해 비밀번호가 없어요. 정보 수정·탈퇴에는 비밀번호가 필요해요: "
                                    <A href="/find/password">"비밀번호 만들기"</A>
                                </p>
                            })}
                        }.into_any()
                    }
                    Ok(_) => ().into_any(),
                    Err(e) => error_line(e),
                }
            })}
        </Transition>
    }
}
