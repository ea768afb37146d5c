//! SNS sign-in queries. Times come from the app clock.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use super::{FlowSecrets, ProviderIdentity};
use crate::error::AppResult;
use crate::features::accounts::types::Gender;
use crate::features::accounts::types::sns::{
    PendingSnsSignup, SnsLink, SnsProvider, ValidSnsSignup,
};

/// A started flow, taken (deleted) by its callback.
pub struct Flow {
    pub provider: SnsProvider,
    pub link_member_id: Option<u64>,
    pub secrets: FlowSecrets,
    pub next_path: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_flow(
    pool: &MySqlPool,
    state_hash: &[u8],
    provider: SnsProvider,
    link_member_id: Option<u64>,
    secrets: &FlowSecrets,
    next_path: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "INSERT INTO oauth_flow (state_hash, provider, link_member_id, nonce, pkce_verifier,
                                 next_path, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        state_hash,
        provider.slug(),
        link_member_id,
        secrets.nonce,
        secrets.pkce_verifier,
        next_path,
        now.naive_utc(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The flow under this state, deleted in the same transaction: a state is good once,
/// even when the same callback arrives twice at two app instances.
pub async fn take_flow(pool: &MySqlPool, state_hash: &[u8]) -> AppResult<Option<Flow>> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "SELECT provider AS `provider: String`, link_member_id, nonce, pkce_verifier, next_path,
                created_at
         FROM oauth_flow WHERE state_hash = ? FOR UPDATE",
        state_hash
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let deleted = sqlx::query!("DELETE FROM oauth_flow WHERE state_hash = ?", state_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    if deleted == 0 {
        return Ok(None);
    }
    Ok(SnsProvider::from_slug(&row.provider).map(|provider| Flow {
        provider,
        link_member_id: row.link_member_id,
        secrets: FlowSecrets {
            // The caller has it; the row keeps only its hash.
            state: String::new(),
            nonce: row.nonce,
            pkce_verifier: row.pkce_verifier,
        },
        next_path: row.next_path,
        created_at: row.created_at.and_utc(),
    }))
}

/// The live member this provider account signs in as.
pub async fn member_of(
    pool: &MySqlPool,
    provider: SnsProvider,
    subject: &str,
) -> AppResult<Option<u64>> {
    let id = sqlx::query_scalar!(
        "SELECT m.id FROM member_identity i JOIN member m ON m.id = i.member_id
         WHERE i.provider = ? AND i.subject = ? AND m.withdrawn_at IS NULL",
        provider.slug(),
        subject
    )
    .fetch_optional(pool)
    .await?;
    Ok(id)
}

pub async fn touch(
    pool: &MySqlPool,
    provider: SnsProvider,
    subject: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member_identity SET last_login_at = ? WHERE provider = ? AND subject = ?",
        now.naive_utc(),
        provider.slug(),
        subject
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Links the provider account to the member. False when it already belongs to
/// someone else, or the member already has another account of that provider.
pub async fn link(
    pool: &MySqlPool,
    member_id: u64,
    provider: SnsProvider,
    identity: &ProviderIdentity,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if let Some(owner) = member_of(pool, provider, &identity.subject).await? {
        return Ok(owner == member_id);
    }
    let mut tx = pool.begin().await?;
    match insert_identity(&mut tx, member_id, provider, identity, now).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(true)
        }
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub async fn insert_identity(
    tx: &mut Transaction<'_, MySql>,
    member_id: u64,
    provider: SnsProvider,
    identity: &ProviderIdentity,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO member_identity (member_id, provider, subject, email, created_at,
                                      last_login_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        member_id,
        provider.slug(),
        identity.subject,
        identity.email,
        now.naive_utc(),
        now.naive_utc(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_pending(
    pool: &MySqlPool,
    token_hash: &[u8],
    provider: SnsProvider,
    identity: &ProviderIdentity,
    next_path: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    // What does not fit our columns is left for the member to type.
    let fits = |v: &Option<String>, max: usize| v.clone().filter(|v| v.chars().count() <= max);
    sqlx::query!(
        "INSERT INTO sns_signup (token_hash, provider, subject, email, email_verified, name,
                                 nickname, birth_date, gender, next_path, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        token_hash,
        provider.slug(),
        identity.subject,
        fits(&identity.email, 254),
        identity.email_verified,
        fits(&identity.name, 40),
        fits(&identity.nickname, 40),
        identity.birth_date,
        identity.gender.map(|g| g.as_db()),
        next_path,
        now.naive_utc(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A pending SNS sign-up as the form and its completion need it.
pub struct Pending {
    pub shown: PendingSnsSignup,
    pub subject: String,
    pub created_at: DateTime<Utc>,
}

pub async fn pending(pool: &MySqlPool, token_hash: &[u8]) -> AppResult<Option<Pending>> {
    let row = sqlx::query!(
        "SELECT provider AS `provider: String`, subject, email,
                email_verified AS `email_verified: bool`, name, nickname, birth_date,
                gender AS `gender: String`, next_path, created_at
         FROM sns_signup WHERE token_hash = ?",
        token_hash
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|r| {
        Some(Pending {
            shown: PendingSnsSignup {
                provider: SnsProvider::from_slug(&r.provider)?,
                email: r.email,
                email_verified: r.email_verified,
                name: r.name,
                nickname: r.nickname,
                birth_date: r.birth_date,
                gender: r
                    .gender
                    .and_then(|g| Gender::parse_optional(&g).ok().flatten()),
                next_path: r.next_path,
            },
            subject: r.subject,
            created_at: r.created_at.and_utc(),
        })
    }))
}

/// Deletes the pending sign-up inside the transaction that creates its member: false
/// when another request used it first.
pub async fn spend_pending(
    tx: &mut Transaction<'_, MySql>,
    token_hash: &[u8],
) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!("DELETE FROM sns_signup WHERE token_hash = ?", token_hash)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(deleted == 1)
}

pub async fn links(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<SnsLink>> {
    let rows = sqlx::query!(
        "SELECT provider AS `provider: String`, email, created_at FROM member_identity
         WHERE member_id = ? ORDER BY id",
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(SnsLink {
                provider: SnsProvider::from_slug(&r.provider)?,
                email: r.email,
                linked_at: r.created_at.and_utc(),
            })
        })
        .collect())
}

pub async fn unlink(pool: &MySqlPool, member_id: u64, provider: SnsProvider) -> AppResult<()> {
    sqlx::query!(
        "DELETE FROM member_identity WHERE member_id = ? AND provider = ?",
        member_id,
        provider.slug()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Flows never finished and sign-ups never completed, once they can no longer be used.
pub async fn sweep(pool: &MySqlPool, now: DateTime<Utc>) -> AppResult<u64> {
    let flows = sqlx::query!(
        "DELETE FROM oauth_flow WHERE created_at < ?",
        (now - chrono::Duration::minutes(super::FLOW_MINUTES)).naive_utc()
    )
    .execute(pool)
    .await?
    .rows_affected();
    let pending = sqlx::query!(
        "DELETE FROM sns_signup WHERE created_at < ?",
        (now - chrono::Duration::minutes(super::PENDING_MINUTES)).naive_utc()
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(flows + pending)
}

/// Inserts a member who signed up through a provider: no password, the email proved
/// at `verified_at` when the provider vouched for it, and the sign-up consents.
pub async fn insert_member(
    tx: &mut Transaction<'_, MySql>,
    login_id: &str,
    signup: &ValidSnsSignup,
    verified_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let now = now.naive_utc();
    let id = sqlx::query!(
        "INSERT INTO member (login_id, email, password_hash, name, nickname, birth_date,
                             gender, email_verified_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        login_id,
        signup.email.as_str(),
        crate::server::password::NO_PASSWORD,
        signup.name.as_str(),
        signup.nickname.as_str(),
        signup.birth_date.date(),
        signup.gender.map(|g| g.as_db()),
        verified_at.map(|t| t.naive_utc()),
        now,
        now,
    )
    .execute(&mut **tx)
    .await?
    .last_insert_id();
    crate::features::accounts::server::repo::insert_consents(tx, id, now).await?;
    Ok(id)
}

/// Whether the member can sign in with a password (else only through a provider).
pub async fn has_password(pool: &MySqlPool, member_id: u64) -> AppResult<bool> {
    let hash = sqlx::query_scalar!("SELECT password_hash FROM member WHERE id = ?", member_id)
        .fetch_optional(pool)
        .await?;
    Ok(hash.is_some_and(|h| h != crate::server::password::NO_PASSWORD))
}
