//! SNS sign-in on the server: the provider clients, and the flow from the button to a
//! session, a pending sign-up or a new link.
//!
//! `GET /auth/{provider}` makes fresh secrets (state, nonce, PKCE verifier), keeps them
//! in `oauth_flow` under the state's hash, puts the state in a cookie scoped to `/auth`
//! and sends the browser to the provider. The callback needs the same state in its
//! query and in that cookie (so nobody can finish a flow in someone else's browser),
//! takes the row once, and has the provider's answer checked before anything is
//! believed. A known provider account signs its member in; an unknown one becomes a
//! pending sign-up (`/signup/sns`); a flow started from 내 정보 links the account to
//! the member who started it.

pub mod http;
pub mod naver;
pub mod oidc;
pub mod repo;
pub mod settings;

use chrono::{DateTime, NaiveDate, Utc};

use self::naver::Naver;
use self::oidc::Oidc;
use self::settings::SnsSettings;
use crate::error::{AppError, AppResult};
use crate::features::accounts::types::safe_next_path;
use crate::features::accounts::types::sns::{SnsFailure, SnsProvider};
use crate::features::accounts::types::{Email, Gender};
use crate::server::AppState;
use crate::server::session::{random_token, token_hash};

/// How long a started sign-in may take at the provider.
pub const FLOW_MINUTES: i64 = 10;
/// How long a proved provider account waits for the sign-up form.
pub const PENDING_MINUTES: i64 = 30;
/// The cookie holding a flow's state (path `/auth`).
pub const FLOW_COOKIE: &str = "bb_oauth";
/// The cookie holding a pending SNS sign-up's token.
pub const PENDING_COOKIE: &str = "bb_sns";

/// The per-flow secrets: the state (CSRF), the OpenID nonce and the PKCE verifier.
pub struct FlowSecrets {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl FlowSecrets {
    fn new() -> Self {
        Self {
            state: random_token(),
            nonce: random_token(),
            // 43 URL-safe characters: RFC 7636's shortest verifier, 256 bits.
            pkce_verifier: random_token(),
        }
    }
}

/// Who the provider says signed in, once its answer has been checked.
#[derive(Debug, Clone)]
pub struct ProviderIdentity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
}

/// The configured providers' clients. One HTTP client that never follows redirects
/// (a provider endpoint that redirects is not followed anywhere).
pub struct Sns {
    http: reqwest::Client,
    kakao: Option<Oidc>,
    google: Option<Oidc>,
    naver: Option<Naver>,
}

impl Sns {
    pub fn new(settings: &SnsSettings) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()?,
            kakao: settings
                .kakao
                .clone()
                .map(|s| Oidc::new(s, &["account_email", "profile_nickname"])),
            google: settings
                .google
                .clone()
                .map(|s| Oidc::new(s, &["email", "profile"])),
            naver: settings.naver.clone().map(Naver::new),
        })
    }

    /// The providers with a client registration, in button order.
    pub fn offered(&self) -> Vec<SnsProvider> {
        SnsProvider::ALL
            .into_iter()
            .filter(|p| match p {
                SnsProvider::Kakao => self.kakao.is_some(),
                SnsProvider::Naver => self.naver.is_some(),
                SnsProvider::Google => self.google.is_some(),
            })
            .collect()
    }

    fn oidc(&self, provider: SnsProvider) -> Option<&Oidc> {
        match provider {
            SnsProvider::Kakao => self.kakao.as_ref(),
            SnsProvider::Google => self.google.as_ref(),
            SnsProvider::Naver => None,
        }
    }

    async fn authorize_url(
        &self,
        provider: SnsProvider,
        redirect: &str,
        secrets: &FlowSecrets,
    ) -> anyhow::Result<String> {
        match (provider, &self.naver) {
            (SnsProvider::Naver, Some(naver)) => naver.authorize_url(redirect, secrets),
            _ => match self.oidc(provider) {
                Some(oidc) => oidc.authorize_url(&self.http, redirect, secrets).await,
                None => Err(anyhow::anyhow!("{provider:?} is not configured")),
            },
        }
    }

    async fn identify(
        &self,
        provider: SnsProvider,
        redirect: &str,
        code: String,
        secrets: &FlowSecrets,
        now: DateTime<Utc>,
    ) -> anyhow::Result<ProviderIdentity> {
        match (provider, &self.naver) {
            (SnsProvider::Naver, Some(naver)) => {
                naver.identify(&self.http, redirect, code, secrets).await
            }
            _ => match self.oidc(provider) {
                Some(oidc) => {
                    oidc.identify(&self.http, redirect, code, secrets, now)
                        .await
                }
                None => Err(anyhow::anyhow!("{provider:?} is not configured")),
            },
        }
    }
}

/// Where the provider sends the browser back: registered with the provider as is.
pub fn redirect_uri(state: &AppState, provider: SnsProvider) -> String {
    format!(
        "{}/auth/{}/callback",
        state.config.public_url.trim_end_matches('/'),
        provider.slug()
    )
}

/// Starts a sign-in (or, with `link_member`, a link) and answers the provider URL to
/// send the browser to and the state for its cookie.
pub async fn start(
    state: &AppState,
    provider: SnsProvider,
    link_member: Option<u64>,
    next: Option<&str>,
) -> AppResult<(String, String)> {
    if !state.sns.offered().contains(&provider) {
        return Err(AppError::NotFound);
    }
    let secrets = FlowSecrets::new();
    let url = state
        .sns
        .authorize_url(provider, &redirect_uri(state, provider), &secrets)
        .await
        .map_err(|e| {
            tracing::warn!(provider = provider.slug(), error = %e, "SNS provider unreachable");
            AppError::Unavailable
        })?;
    let next = next.and_then(safe_next_path);
    repo::insert_flow(
        &state.pool,
        &token_hash(&secrets.state),
        provider,
        link_member,
        &secrets,
        next,
        state.clock.now(),
    )
    .await?;
    Ok((url, secrets.state))
}

/// What the provider sent back in the callback's query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// How a callback ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Finished {
    SignedIn {
        member_id: u64,
        next: Option<String>,
    },
    /// A provider account new to us: its sign-up waits under this token.
    NeedsSignup {
        token: String,
    },
    Linked,
}

pub async fn finish(
    state: &AppState,
    provider: SnsProvider,
    cookie_state: Option<&str>,
    query: CallbackQuery,
) -> Result<Finished, SnsFailure> {
    let internal = |e: AppError| {
        tracing::error!(error = ?e, "SNS callback failed");
        SnsFailure::Provider
    };
    // The person said no at the provider. Some providers leave the state off a refusal;
    // either way nobody is signed in, so it is told as what it was.
    let unusable = if query.error.is_some() {
        SnsFailure::Cancelled
    } else {
        SnsFailure::Expired
    };
    let (Some(state_param), Some(cookie_state)) = (query.state.as_deref(), cookie_state) else {
        return Err(unusable);
    };
    let hash = token_hash(state_param);
    // Compared as hashes, so the comparison says nothing about the secret.
    if hash != token_hash(cookie_state) {
        tracing::warn!(
            provider = provider.slug(),
            "SNS callback state is not this browser's"
        );
        return Err(unusable);
    }
    let now = state.clock.now();
    let mut flow = repo::take_flow(&state.pool, &hash)
        .await
        .map_err(internal)?
        .filter(|f| {
            f.provider == provider && now - f.created_at <= chrono::Duration::minutes(FLOW_MINUTES)
        })
        .ok_or(unusable)?;
    // Kept as a hash only; Naver wants the state itself again.
    flow.secrets.state = state_param.to_owned();
    if query.error.is_some() {
        return Err(SnsFailure::Cancelled);
    }
    let code = query.code.ok_or(SnsFailure::Provider)?;
    let mut identity = state
        .sns
        .identify(provider, &redirect_uri(state, provider), code, &flow.secrets, now)
        .await
        .map_err(|e| {
            tracing::warn!(provider = provider.slug(), error = %format!("{e:#}"), "SNS answer refused");
            SnsFailure::Provider
        })?;
    // Only a real address is kept (some providers put a user name in `email`).
    identity.email = identity
        .email
        .and_then(|e| Email::parse(&e).ok())
        .map(|e| e.as_str().to_owned());

    if let Some(member_id) = flow.link_member_id {
        return match repo::link(&state.pool, member_id, provider, &identity, now)
            .await
            .map_err(internal)?
        {
            true => Ok(Finished::Linked),
            false => Err(SnsFailure::LinkedElsewhere),
        };
    }
    match repo::member_of(&state.pool, provider, &identity.subject)
        .await
        .map_err(internal)?
    {
        Some(member_id) => {
            repo::touch(&state.pool, provider, &identity.subject, now)
                .await
                .map_err(internal)?;
            Ok(Finished::SignedIn {
                member_id,
                next: flow.next_path,
            })
        }
        None => {
            let token = random_token();
            repo::insert_pending(
                &state.pool,
                &token_hash(&token),
                provider,
                &identity,
                flow.next_path.as_deref(),
                now,
            )
            .await
            .map_err(internal)?;
            Ok(Finished::NeedsSignup { token })
        }
    }
}

/// A login ID for a member who signed up through a provider and never chose one:
/// the provider's name and eight random letters or digits ("kakao7f3k2m9q").
pub fn generated_login_id(provider: SnsProvider) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}{tail}", provider.slug())
}
