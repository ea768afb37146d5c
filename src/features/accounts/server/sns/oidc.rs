//! Google and Kakao: OpenID Connect authorization code flow with PKCE. The provider is
//! found by discovery (cached for ten minutes, so rotated signing keys are picked up),
//! and its ID token is checked by `openidconnect`: signature against the provider's
//! published keys, issuer, audience, expiry, nonce and the access-token hash.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AccessTokenHash, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use tokio::sync::Mutex;

use super::settings::ProviderSettings;
use super::{FlowSecrets, ProviderIdentity};
use crate::features::accounts::types::Gender;

const METADATA_TTL: Duration = Duration::from_secs(600);

pub struct Oidc {
    settings: ProviderSettings,
    scopes: &'static [&'static str],
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl Oidc {
    pub fn new(settings: ProviderSettings, scopes: &'static [&'static str]) -> Self {
        Self {
            settings,
            scopes,
            metadata: Mutex::new(None),
        }
    }

    async fn metadata(&self, http: &reqwest::Client) -> anyhow::Result<CoreProviderMetadata> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, metadata)) = cached.as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.base.clone())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .context("OpenID discovery")?;
        *cached = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(
        &self,
        http: &reqwest::Client,
        redirect: &str,
    ) -> anyhow::Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let metadata = self.metadata(http).await?;
        // Send the secret the way the provider says it takes it: Kakao only reads it
        // from the form body; Basic is the spec's default.
        let takes_basic = metadata
            .token_endpoint_auth_methods_supported()
            .is_none_or(|m| m.contains(&CoreClientAuthMethod::ClientSecretBasic));
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned())?)
        .set_auth_type(if takes_basic {
            AuthType::BasicAuth
        } else {
            AuthType::RequestBody
        });
        Ok(client)
    }

    pub async fn authorize_url(
        &self,
        http: &reqwest::Client,
        redirect: &str,
        secrets: &FlowSecrets,
    ) -> anyhow::Result<String> {
        let client = self.client(http, redirect).await?;
        let state = secrets.state.clone();
        let nonce = secrets.nonce.clone();
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            secrets.pkce_verifier.clone(),
        ));
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let (url, _, _) = request.url();
        Ok(url.into())
    }

    pub async fn identify(
        &self,
        http: &reqwest::Client,
        redirect: &str,
        code: String,
        secrets: &FlowSecrets,
        now: DateTime<Utc>,
    ) -> anyhow::Result<ProviderIdentity> {
        let client = self.client(http, redirect).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))?
            .set_pkce_verifier(PkceCodeVerifier::new(secrets.pkce_verifier.clone()))
            .request_async(http)
            .await
            .map_err(|e| anyhow!("token exchange: {e:?}"))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| anyhow!("no ID token in the token response"))?;
        let verifier = client.id_token_verifier().set_time_fn(move || now);
        let claims = id_token
            .claims(&verifier, &Nonce::new(secrets.nonce.clone()))
            .context("ID token")?;
        // The access token must be the one this ID token was issued with.
        if let Some(expected) = claims.access_token_hash() {
            let actual = AccessTokenHash::from_token(
                token.access_token(),
                id_token.signing_alg()?,
                id_token.signing_key(&verifier)?,
            )?;
            if actual != *expected {
                return Err(anyhow!("access token hash does not match"));
            }
        }
        Ok(ProviderIdentity {
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
            name: plain(claims.name()),
            nickname: plain(claims.nickname()),
            birth_date: claims
                .birthdate()
                .and_then(|b| NaiveDate::parse_from_str(b.as_str(), "%Y-%m-%d").ok()),
            gender: claims.gender().and_then(gender_of),
        })
    }
}

/// A claim in its default language.
fn plain<T: std::ops::Deref<Target = String>>(
    claim: Option<&openidconnect::LocalizedClaim<T>>,
) -> Option<String> {
    claim.and_then(|c| c.get(None)).map(|v| String::clone(v))
}

fn gender_of(claim: &CoreGenderClaim) -> Option<Gender> {
    match claim.as_str() {
        "male" => Some(Gender::Male),
        "female" => Some(Gender::Female),
        _ => None,
    }
}
