//! Server-side sessions. The browser holds a random 256-bit token in an HttpOnly,
//! SameSite=Lax cookie (Secure over https); the database holds its SHA-256.

use axum::http::HeaderMap;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};
use cookie::{Cookie, SameSite};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::MySqlPool;

use crate::error::AppResult;

pub const COOKIE_NAME: &str = "bb_session";

pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What the database keeps of a secret token (sessions, SNS flows): its SHA-256.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// 256 random bits, URL-safe: session tokens and the secrets of an SNS sign-in.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub async fn create(
    pool: &MySqlPool,
    member_id: u64,
    now: DateTime<Utc>,
    ttl: std::time::Duration,
    user_agent: Option<&str>,
) -> AppResult<NewSession> {
    // Every way in (password, SNS, a reset) ends here: a banned member gets no session.
    if let Some(reason) =
        crate::features::moderation::server::sanctions::ban_reason(pool, member_id, now).await?
    {
        return Err(crate::error::AppError::Rejected(
            crate::features::moderation::types::banned_message(&reason),
        ));
    }
    let token = random_token();
    let expires_at = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(30));
    let user_agent = user_agent.map(|ua| ua.chars().take(255).collect::<String>());
    sqlx::query!(
        "INSERT INTO session (token_hash, member_id, created_at, expires_at, user_agent)
         VALUES (?, ?, ?, ?, ?)",
        token_hash(&token),
        member_id,
        now.naive_utc(),
        expires_at.naive_utc(),
        user_agent,
    )
    .execute(pool)
    .await?;
    Ok(NewSession { token, expires_at })
}

/// Who is calling: a signed-in member, whether they are an admin, and whether they
/// have proved their mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub id: u64,
    pub is_admin: bool,
    pub email_verified: bool,
    /// An admin suspended the member until then: no selling, buying or chatting.
    pub suspended_until: Option<DateTime<Utc>>,
}

impl Caller {
    /// Selling, chatting and buying wait until the member has proved their email
    /// (USER_SIGNUP_002); browsing, wishes and the account pages do not.
    /// A suspended member may not either, until the suspension ends.
    pub fn verified(self) -> crate::error::AppResult<Self> {
        if let Some(until) = self.suspended_until {
            return Err(crate::error::AppError::Rejected(
                crate::features::moderation::types::suspended_message(until),
            ));
        }
        if self.email_verified {
            Ok(self)
        } else {
            Err(crate::error::AppError::Unverified)
        }
    }

    /// Owners may change their own things; admins may change anyone's.
    pub fn may_manage(&self, owner_id: u64) -> bool {
        self.is_admin || self.id == owner_id
    }
}

/// The member a session token belongs to, if the session is live and the member active.
pub async fn caller_for_token(
    pool: &MySqlPool,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Caller>> {
    // Every signed-in request starts here: a connection lost to a dying node must not
    // turn into an error page.
    let hash = token_hash(token);
    let row = super::db::retry_read(|| async {
        Ok(sqlx::query!(
            "SELECT s.member_id, m.is_admin AS `is_admin: bool`,
                m.email_verified_at IS NOT NULL AS `email_verified: bool`,
                (SELECT MAX(x.ends_at) FROM sanction x
                  WHERE x.member_id = s.member_id AND x.ends_at > ? AND x.lifted_at IS NULL
                    AND x.kind = 'suspend') AS `suspended_until: NaiveDateTime`
         FROM session s JOIN member m ON m.id = s.member_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND m.withdrawn_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM sanction b
                           WHERE b.member_id = s.member_id AND b.ends_at > ?
                             AND b.lifted_at IS NULL AND b.kind = 'ban')",
            now.naive_utc(),
            &hash[..],
            now.naive_utc(),
            now.naive_utc(),
        )
        .fetch_optional(pool)
        .await?)
    })
    .await?;
    Ok(row.map(|r| Caller {
        id: r.member_id,
        is_admin: r.is_admin,
        email_verified: r.email_verified,
        suspended_until: r.suspended_until.map(|at| at.and_utc()),
    }))
}

pub async fn delete(pool: &MySqlPool, token: &str) -> AppResult<()> {
    sqlx::query!(
        "DELETE FROM session WHERE token_hash = ?",
        token_hash(token)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends every session of the member but this browser's (after a password change).
pub async fn delete_others(pool: &MySqlPool, member_id: u64, keep_token: &str) -> AppResult<()> {
    sqlx::query!(
        "DELETE FROM session WHERE member_id = ? AND token_hash <> ?",
        member_id,
        token_hash(keep_token)
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The session token from the request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_from_headers(headers, COOKIE_NAME)
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie_from_headers(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

pub fn set_cookie(token: &str, max_age: std::time::Duration, secure: bool) -> String {
    http_only_cookie(COOKIE_NAME, token, "/", max_age.as_secs() as i64, secure)
}

pub fn clear_cookie(secure: bool) -> String {
    http_only_cookie(COOKIE_NAME, "", "/", 0, secure)
}

/// A `Set-Cookie` value scripts cannot read, for `path`, `max_age_secs` long (0 clears
/// it). Lax: it still travels with a top-level GET from another site, as a provider's
/// redirect back after an SNS sign-in is.
pub fn http_only_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
    secure: bool,
) -> String {
    Cookie::build((name.to_owned(), value.to_owned()))
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
        .to_string()
}
