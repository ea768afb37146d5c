//! Naver: OAuth 2.0 (no OpenID) and its profile API, per developers.naver.com's 네이버
//! 로그인 API: `/oauth2.0/authorize`, `/oauth2.0/token` (which wants the state again, and
//! gives `expires_in` as a string) and `GET /v1/nid/me` with the access token. Naver does
//! not take PKCE; the state, bound to this browser by a cookie, is what ties the answer
//! to the request.

use std::time::Duration;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, RedirectUrl, RefreshToken, Scope, StandardRevocableToken,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::settings::ProviderSettings;
use super::{FlowSecrets, ProviderIdentity};
use crate::features::accounts::types::Gender;

/// Naver's token answer: the standard fields, `expires_in` as Naver sends it.
#[derive(Debug, Serialize, Deserialize)]
pub struct NaverToken {
    access_token: AccessToken,
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "seconds_as_text_or_number")]
    expires_in: Option<u64>,
    refresh_token: Option<RefreshToken>,
}

fn seconds_as_text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Seconds>::deserialize(d)? {
        Some(Seconds::Number(n)) => Some(n),
        Some(Seconds::Text(t)) => t.parse().ok(),
        None => None,
    })
}

impl TokenResponse for NaverToken {
    type TokenType = BasicTokenType;
    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

type NaverClient = oauth2::Client<
    BasicErrorResponse,
    NaverToken,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// `GET /v1/nid/me`: `resultcode` "00" and the member's profile.
#[derive(Deserialize)]
struct ProfileAnswer {
    resultcode: String,
    message: Option<String>,
    response: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    id: String,
    email: Option<String>,
    name: Option<String>,
    nickname: Option<String>,
    /// "M", "F" or "U".
    gender: Option<String>,
    /// "MM-DD".
    birthday: Option<String>,
    birthyear: Option<String>,
}

pub struct Naver {
    settings: ProviderSettings,
}

impl Naver {
    pub fn new(settings: ProviderSettings) -> Self {
        Self { settings }
    }

    fn client(&self, redirect: &str) -> anyhow::Result<NaverClient> {
        let base = self.settings.base.trim_end_matches('/');
        let mut client = oauth2::Client::new(ClientId::new(self.settings.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{base}/oauth2.0/authorize"))?)
            .set_token_uri(TokenUrl::new(format!("{base}/oauth2.0/token"))?)
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned())?)
            // Naver reads client_id and client_secret from the form.
            .set_auth_type(AuthType::RequestBody);
        if let Some(secret) = &self.settings.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        Ok(client)
    }

    pub fn authorize_url(&self, redirect: &str, secrets: &FlowSecrets) -> anyhow::Result<String> {
        let state = secrets.state.clone();
        let (url, _) = self
            .client(redirect)?
            .authorize_url(move || CsrfToken::new(state))
            .url();
        Ok(url.into())
    }

    pub async fn identify(
        &self,
        http: &reqwest::Client,
        redirect: &str,
        code: String,
        secrets: &FlowSecrets,
    ) -> anyhow::Result<ProviderIdentity> {
        let token = self
            .client(redirect)?
            .exchange_code(AuthorizationCode::new(code))
            .add_extra_param("state", secrets.state.clone())
            .request_async(http)
            .await
            .map_err(|e| anyhow!("token exchange: {e:?}"))?;
        let answer: ProfileAnswer = http
            .get(format!(
                "{}/v1/nid/me",
                self.settings.api_base.trim_end_matches('/')
            ))
            .bearer_auth(token.access_token().secret())
            .send()
            .await
            .context("profile request")?
            .error_for_status()
            .context("profile request")?
            .json()
            .await
            .context("profile answer")?;
        let profile = match (answer.resultcode.as_str(), answer.response) {
            ("00", Some(profile)) => profile,
            (code, _) => {
                return Err(anyhow!(
                    "profile API answered {code}: {}",
                    answer.message.unwrap_or_default()
                ));
            }
        };
        let birth_date = profile
            .birthyear
            .zip(profile.birthday)
            .and_then(|(y, md)| NaiveDate::parse_from_str(&format!("{y}-{md}"), "%Y-%m-%d").ok());
        Ok(ProviderIdentity {
            subject: profile.id,
            email: profile.email,
            // Naver does not say the address was proved; it gets our own code.
            email_verified: false,
            name: profile.name,
            nickname: profile.nickname,
            birth_date,
            gender: match profile.gender.as_deref() {
                Some("M") => Some(Gender::Male),
                Some("F") => Some(Gender::Female),
                _ => None,
            },
        })
    }
}
