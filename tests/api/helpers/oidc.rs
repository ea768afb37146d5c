//! A local OpenID provider (Google/Kakao-like) and a Naver-like OAuth 2.0 provider for
//! the SNS sign-in tests. The OpenID one speaks discovery, JWKS and the token endpoint,
//! checks PKCE and the client's secret, and signs real RS256 ID tokens with a test key,
//! or, when told, a tampered one. Authorization is automatic: `/authorize` sends the
//! browser straight back with a code for the account the test chose.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, Audience, AuthorizationCode, EmptyAdditionalClaims, EndUserEmail, EndUserName,
    IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "breadbook-test";
pub const CLIENT_SECRET: &str = "stub-secret";
const KEY_PEM: &str = include_str!("../fixtures/oidc-stub-key.pem");

/// Who signs in at the provider.
#[derive(Clone, Debug)]
pub struct Account {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

impl Account {
    pub fn new(subject: &str, email: &str) -> Self {
        Self {
            subject: subject.into(),
            email: Some(email.into()),
            email_verified: true,
            name: Some("김하늘".into()),
        }
    }
}

/// How the next ID token is spoiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// One byte of the signature changed.
    Signature,
    /// Signed properly, but for another nonce.
    Nonce,
    /// Signed properly, but by another issuer.
    Issuer,
    /// Signed properly, but for another client.
    Audience,
    /// Expired an hour ago.
    Expired,
}

struct Grant {
    account: Account,
    nonce: Option<String>,
    challenge: Option<String>,
    redirect_uri: String,
    state: String,
}

#[derive(Clone)]
pub struct Provider {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    account: Account,
    tamper: Tamper,
    now: DateTime<Utc>,
    grants: HashMap<String, Grant>,
    next_code: u32,
    /// Every token request's form, for the tests to inspect.
    token_requests: Vec<HashMap<String, String>>,
}

impl Provider {
    /// Starts on a loopback port; tokens are stamped with `now` (the app's clock).
    pub async fn start(now: DateTime<Utc>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let provider = Self {
            base: base.clone(),
            inner: Arc::new(Mutex::new(Inner {
                account: Account::new("sub-1", "sky@gmail.test"),
                tamper: Tamper::None,
                now,
                grants: HashMap::new(),
                next_code: 0,
                token_requests: Vec::new(),
            })),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            // Naver's endpoints, on the same server.
            .route("/oauth2.0/authorize", get(authorize))
            .route("/oauth2.0/token", post(naver_token))
            .route("/v1/nid/me", get(naver_me))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        provider
    }

    pub fn sign_in_as(&self, account: Account) {
        self.inner.lock().unwrap().account = account;
    }

    /// Follows the app's clock when a test moves it.
    pub fn set_now(&self, now: DateTime<Utc>) {
        self.inner.lock().unwrap().now = now;
    }

    pub fn tamper(&self, tamper: Tamper) {
        self.inner.lock().unwrap().tamper = tamper;
    }

    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.inner.lock().unwrap().token_requests.clone()
    }

    fn key() -> CoreRsaPrivateSigningKey {
        CoreRsaPrivateSigningKey::from_pem(KEY_PEM, Some(JsonWebKeyId::new("stub-1".into())))
            .unwrap()
    }
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    let b = &p.base;
    Json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "jwks_uri": format!("{b}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        // Like Kakao: the secret goes in the form body.
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks() -> Json<Value> {
    let key = Provider::key().as_verification_key();
    Json(json!({ "keys": [key] }))
}

/// Consent is automatic: straight back to the app with a code.
async fn authorize(
    State(p): State<Provider>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = p.inner.lock().unwrap();
    inner.next_code += 1;
    let code = format!("code-{}", inner.next_code);
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    let grant = Grant {
        account: inner.account.clone(),
        nonce: q.get("nonce").cloned(),
        challenge: q.get("code_challenge").cloned(),
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
    };
    inner.grants.insert(code.clone(), grant);
    Redirect::to(&format!("{redirect_uri}?code={code}&state={state}")).into_response()
}

fn refuse(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

/// Takes the grant for a token request after checking the client and the redirect URI.
fn take_grant(p: &Provider, form: &HashMap<String, String>) -> Result<Grant, Box<Response>> {
    let mut inner = p.inner.lock().unwrap();
    inner.token_requests.push(form.clone());
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return Err(Box::new(refuse("invalid_client")));
    }
    let grant = form
        .get("code")
        .and_then(|c| inner.grants.remove(c))
        .ok_or_else(|| Box::new(refuse("invalid_grant")))?;
    Ok(grant)
}

async fn token(State(p): State<Provider>, Form(form): Form<HashMap<String, String>>) -> Response {
    let grant = match take_grant(&p, &form) {
        Ok(g) => g,
        Err(r) => return *r,
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return refuse("invalid_grant");
    }
    // PKCE (S256): the verifier must hash to the challenge sent to /authorize.
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    if grant.challenge.as_deref() != Some(hashed.as_str()) {
        return refuse("invalid_grant");
    }
    let (tamper, now) = {
        let inner = p.inner.lock().unwrap();
        (inner.tamper, inner.now)
    };
    let access = AccessToken::new(format!("at-{}", grant.account.subject));
    let issuer = if tamper == Tamper::Issuer {
        "https://evil.example".to_owned()
    } else {
        p.base.clone()
    };
    let audience = if tamper == Tamper::Audience {
        "someone-else"
    } else {
        CLIENT_ID
    };
    let (issued, expires) = if tamper == Tamper::Expired {
        (now - Duration::hours(2), now - Duration::hours(1))
    } else {
        (now, now + Duration::minutes(10))
    };
    let nonce = if tamper == Tamper::Nonce {
        Some("not-the-nonce".to_owned())
    } else {
        grant.nonce.clone()
    };
    let account = &grant.account;
    let mut standard = StandardClaims::new(SubjectIdentifier::new(account.subject.clone()))
        .set_email(account.email.clone().map(EndUserEmail::new))
        .set_email_verified(Some(account.email_verified));
    if let Some(name) = &account.name {
        standard = standard.set_name(Some(EndUserName::new(name.clone()).into()));
    }
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.into())],
        expires,
        issued,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_nonce(nonce.map(Nonce::new));
    let id_token = CoreIdToken::new(
        claims,
        &Provider::key(),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&access),
        Some(&AuthorizationCode::new(form["code"].clone())),
    )
    .unwrap();
    let mut jwt = id_token.to_string();
    if tamper == Tamper::Signature {
        // Change one character in the middle of the signature.
        let at = jwt.rfind('.').unwrap() + 10;
        let c = jwt.as_bytes()[at];
        let swapped = if c == b'A' { "B" } else { "A" };
        jwt.replace_range(at..at + 1, swapped);
    }
    Json(json!({
        "access_token": access.secret(),
        "token_type": "Bearer",
        "expires_in": 600,
        "id_token": jwt,
    }))
    .into_response()
}

/// Naver's token endpoint: the state again, `expires_in` as a string.
async fn naver_token(
    State(p): State<Provider>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let grant = match take_grant(&p, &form) {
        Ok(g) => g,
        Err(r) => return *r,
    };
    if form.get("state") != Some(&grant.state)
        || form.get("grant_type").map(String::as_str) != Some("authorization_code")
    {
        return refuse("invalid_request");
    }
    Json(json!({
        "access_token": format!("naver-{}", grant.account.subject),
        "refresh_token": "r",
        "token_type": "bearer",
        "expires_in": "3600",
    }))
    .into_response()
}

async fn naver_me(State(p): State<Provider>, headers: HeaderMap) -> Response {
    let account = p.inner.lock().unwrap().account.clone();
    let expected = format!("Bearer naver-{}", account.subject);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Json(json!({"resultcode": "024", "message": "Authentication failed"}))
            .into_response();
    }
    Json(json!({
        "resultcode": "00",
        "message": "success",
        "response": {
            "id": account.subject,
            "email": account.email,
            "name": account.name,
            "nickname": "책벌레",
            "gender": "F",
            "birthday": "03-15",
            "birthyear": "1999",
        }
    }))
    .into_response()
}
