//! SNS sign-in server functions: which providers are offered, the sign-up that a first
//! provider sign-in ends on, and the links in 내 정보. The flow itself is two page
//! routes (`server::sns::http`).

use leptos::prelude::*;

use super::types::Me;
use super::types::sns::{PendingSnsSignup, SnsLinks, SnsProvider, SnsSignupInput};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::api::{field_error, taken_error, taken_field},
    super::server::repo,
    super::server::sns::{self, PENDING_COOKIE, PENDING_MINUTES, repo as sns_repo},
    super::types::UniqueField,
    crate::server::request,
    crate::server::session::token_hash,
};

/// The providers with a sign-in button here.
#[server(endpoint = "accounts/sns/providers")]
pub async fn sns_providers() -> Result<Vec<SnsProvider>, AppError> {
    Ok(request::state()?.sns.offered())
}

/// The pending SNS sign-up of this browser, if one is waiting (and not yet stale).
#[server(endpoint = "accounts/sns/pending")]
pub async fn sns_pending() -> Result<Option<PendingSnsSignup>, AppError> {
    Ok(pending().await?.map(|p| p.shown))
}

#[cfg(feature = "ssr")]
async fn pending() -> Result<Option<sns_repo::Pending>, AppError> {
    let Some(token) = request::cookie(PENDING_COOKIE) else {
        return Ok(None);
    };
    let state = request::state()?;
    let now = state.clock.now();
    Ok(sns_repo::pending(&state.pool, &token_hash(&token))
        .await?
        .filter(|p| now - p.created_at <= chrono::Duration::minutes(PENDING_MINUTES)))
}

/// Completes a first SNS sign-in: the member is made with what the provider gave and
/// the form adds, linked to the provider account and signed in. An address the
/// provider vouched for is proved already; any other gets the usual mailed code.
#[server(endpoint = "accounts/sns/signup")]
pub async fn sns_signup(#[server(default)] input: SnsSignupInput) -> Result<Me, AppError> {
    let state = request::state()?;
    let Some(pending) = pending().await? else {
        return Err(AppError::Rejected(
            "SNS 가입 요청이 만료되었어요. 로그인 화면에서 다시 시도해 주세요.".into(),
        ));
    };
    let vouched = pending
        .shown
        .email
        .as_deref()
        .filter(|_| pending.shown.email_verified);
    let valid = input.validate(state.clock.today_kst(), vouched)?;

    let mut taken = Vec::new();
    if repo::is_taken(&state.pool, UniqueField::Nickname, valid.nickname.as_str()).await? {
        taken.push(taken_error(UniqueField::Nickname));
    }
    if repo::is_taken(&state.pool, UniqueField::Email, valid.email.as_str()).await? {
        // Never linked by address alone: the address's member links it themselves.
        taken.push(field_error(
            "email",
            "이 이메일로 가입한 회원이 있어요. 그 아이디로 로그인한 뒤 내 정보에서 SNS 계정을 연결해 주세요.",
        ));
    }
    if !taken.is_empty() {
        return Err(AppError::Validation(taken));
    }

    let token = request::cookie(PENDING_COOKIE).unwrap_or_default();
    let now = state.clock.now();
    let identity = sns::ProviderIdentity {
        subject: pending.subject.clone(),
        email: pending.shown.email.clone(),
        email_verified: pending.shown.email_verified,
        name: None,
        nickname: None,
        birth_date: None,
        gender: None,
    };
    let provider = pending.shown.provider;
    let id = crate::server::db::retry_conflicts(|| async {
        let mut tx = state.pool.begin().await?;
        if !sns_repo::spend_pending(&mut tx, &token_hash(&token)).await? {
            return Err(AppError::Rejected(
                "이미 가입을 마쳤어요. 다시 로그인해 주세요.".into(),
            ));
        }
        // A generated ID can collide; a few tries find a free one.
        let mut attempt = 0;
        let id = loop {
            let login_id = sns::generated_login_id(provider);
            match sns_repo::insert_member(&mut tx, &login_id, &valid, vouched.map(|_| now), now)
                .await
            {
                Ok(id) => break id,
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    let field = taken_field(db.message());
                    if field == UniqueField::LoginId && attempt < 5 {
                        attempt += 1;
                        continue;
                    }
                    return Err(AppError::Validation(vec![taken_error(field)]));
                }
                Err(e) => return Err(e.into()),
            }
        };
        sns_repo::insert_identity(&mut tx, id, provider, &identity, now).await?;
        tx.commit().await?;
        Ok(id)
    })
    .await?;
    tracing::info!(
        member_id = id,
        provider = provider.slug(),
        "member signed up through SNS"
    );
    request::append_set_cookie(&sns::http::clear_pending_cookie(
        state.config.secure_cookies(),
    ));
    super::api::start_session(id).await?;
    if vouched.is_none() {
        super::verification::send_first_code(id).await;
    }
    repo::me(&state.pool, id).await?.ok_or(AppError::Internal)
}

/// 내 정보 → SNS 연결: the providers offered, the member's links, and whether they have
/// a password. Members only.
#[server(endpoint = "accounts/sns/links")]
pub async fn my_sns_links() -> Result<SnsLinks, AppError> {
    let id = request::require_member_id().await?;
    let state = request::state()?;
    Ok(SnsLinks {
        offered: state.sns.offered(),
        linked: sns_repo::links(&state.pool, id).await?,
        has_password: sns_repo::has_password(&state.pool, id).await?,
    })
}

/// Removes a link. The last way in of a member without a password stays.
#[server(endpoint = "accounts/sns/unlink")]
pub async fn sns_unlink(provider: SnsProvider) -> Result<SnsLinks, AppError> {
    let id = request::require_member_id().await?;
    let state = request::state()?;
    let linked = sns_repo::links(&state.pool, id).await?;
    if !sns_repo::has_password(&state.pool, id).await?
        && linked.iter().all(|l| l.provider == provider)
    {
        return Err(AppError::Rejected(
            "비밀번호가 없는 계정은 마지막 SNS 연결을 끊을 수 없어요. 먼저 비밀번호를 설정해 주세요."
                .into(),
        ));
    }
    sns_repo::unlink(&state.pool, id, provider).await?;
    my_sns_links().await
}
