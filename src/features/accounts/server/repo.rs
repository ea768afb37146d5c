//! Account queries. Times come from the app clock, never from NOW().

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use crate::error::AppResult;
use crate::features::accounts::types::{
    AccountInfo, ConsentRecord, Gender, Me, PRIVACY_VERSION, TERMS_VERSION, UniqueField,
    ValidSignup,
};

/// What login needs to know about a member. Holds the hash: deliberately not Serialize.
pub struct LoginRecord {
    pub id: u64,
    pub password_hash: String,
}

pub async fn is_taken(pool: &MySqlPool, field: UniqueField, value: &str) -> AppResult<bool> {
    // One query per field rather than a dynamic column name: each stays compile-checked.
    let found = match field {
        UniqueField::LoginId => {
            sqlx::query_scalar!("SELECT 1 AS `x: i32` FROM member WHERE login_id = ?", value)
                .fetch_optional(pool)
                .await?
        }
        UniqueField::Email => {
            sqlx::query_scalar!(
                "SELECT 1 AS `x: i32` FROM member WHERE live_email = ?",
                value
            )
            .fetch_optional(pool)
            .await?
        }
        UniqueField::Nickname => {
            sqlx::query_scalar!(
                "SELECT 1 AS `x: i32` FROM member WHERE live_nickname = ?",
                value
            )
            .fetch_optional(pool)
            .await?
        }
    };
    Ok(found.is_some())
}

/// Inserts the member and their consent records in one transaction.
pub async fn insert_member(
    tx: &mut Transaction<'_, MySql>,
    signup: &ValidSignup,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let now = now.naive_utc();
    let id = sqlx::query!(
        "INSERT INTO member (login_id, email, password_hash, name, nickname, birth_date,
                             gender, phone, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        signup.login_id.as_str(),
        signup.email.as_str(),
        password_hash,
        signup.name.as_str(),
        signup.nickname.as_str(),
        signup.birth_date.date(),
        signup.gender.map(|g| g.as_db()),
        signup.phone.as_ref().map(|p| p.as_str()),
        now,
        now,
    )
    .execute(&mut **tx)
    .await?
    .last_insert_id();
    insert_consents(tx, id, now).await?;
    Ok(id)
}

/// The sign-up consents (이용약관, 개인정보) of a new member: every way in records them,
/// in the transaction that makes the member, so there is no account without them.
pub async fn insert_consents(
    tx: &mut Transaction<'_, MySql>,
    member_id: u64,
    now: chrono::NaiveDateTime,
) -> Result<(), sqlx::Error> {
    for (kind, version) in [("terms", TERMS_VERSION), ("privacy", PRIVACY_VERSION)] {
        sqlx::query!(
            "INSERT INTO member_consent (member_id, kind, version, agreed, created_at)
             VALUES (?, ?, ?, TRUE, ?)",
            member_id,
            kind,
            version,
            now,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn login_record(pool: &MySqlPool, login_id: &str) -> AppResult<Option<LoginRecord>> {
    let row = sqlx::query_as!(
        LoginRecord,
        "SELECT id, password_hash FROM member
         WHERE login_id = ? AND withdrawn_at IS NULL",
        login_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

pub enum FailedLogin {
    /// Wrong password; this many tries are left before the ID locks for this address.
    Remaining(u16),
    /// This attempt locked the ID for this address.
    Locked,
}

/// A typed login ID as the ASCII columns keep it: non-ASCII dropped, at most 64 chars.
fn ascii_login_id(login_id: &str) -> String {
    login_id.chars().filter(char::is_ascii).take(64).collect()
}

/// The key the lock-out counts under: case folded, so "Reader01" and "reader01" share
/// one count (IDs themselves are matched exactly).
pub(crate) fn throttle_key(login_id: &str) -> String {
    ascii_login_id(login_id).to_ascii_lowercase()
}

/// Until when this ID is locked for this address, if it is.
pub async fn locked_until(
    pool: &MySqlPool,
    login_id: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let until = sqlx::query_scalar!(
        "SELECT locked_until FROM login_throttle WHERE login_id = ? AND ip = ?",
        throttle_key(login_id),
        ip
    )
    .fetch_optional(pool)
    .await?
    .flatten()
    .map(|t| t.and_utc())
    .filter(|t| *t > now);
    Ok(until)
}

/// Counts a wrong password for (ID, address); the `max`-th in a row locks the pair until
/// `lock_until` and starts the count again. Plain row writes in one transaction (no
/// LOCK TABLES or GET_LOCK), so it holds on Galera too.
pub async fn record_failed_login(
    pool: &MySqlPool,
    login_id: &str,
    ip: &str,
    max: u16,
    now: DateTime<Utc>,
    lock_until: DateTime<Utc>,
) -> AppResult<FailedLogin> {
    let key = throttle_key(login_id);
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO login_throttle (login_id, ip, failures, updated_at) VALUES (?, ?, 1, ?)
         ON DUPLICATE KEY UPDATE failures = failures + 1, updated_at = VALUES(updated_at)",
        key,
        ip,
        now.naive_utc(),
    )
    .execute(&mut *tx)
    .await?;
    let failed = sqlx::query_scalar!(
        "SELECT failures FROM login_throttle WHERE login_id = ? AND ip = ?",
        key,
        ip
    )
    .fetch_one(&mut *tx)
    .await?;
    let outcome = if failed >= max {
        sqlx::query!(
            "UPDATE login_throttle SET locked_until = ?, failures = 0
             WHERE login_id = ? AND ip = ?",
            lock_until.naive_utc(),
            key,
            ip,
        )
        .execute(&mut *tx)
        .await?;
        FailedLogin::Locked
    } else {
        FailedLogin::Remaining(max - failed)
    };
    tx.commit().await?;
    Ok(outcome)
}

pub async fn record_successful_login(pool: &MySqlPool, login_id: &str, ip: &str) -> AppResult<()> {
    sqlx::query!(
        "DELETE FROM login_throttle WHERE login_id = ? AND ip = ?",
        throttle_key(login_id),
        ip
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn log_attempt(
    pool: &MySqlPool,
    login_id: &str,
    member_id: Option<u64>,
    outcome: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let login_id = ascii_login_id(login_id);
    sqlx::query!(
        "INSERT INTO login_attempt (login_id, member_id, outcome, ip, created_at)
         VALUES (?, ?, ?, ?, ?)",
        login_id,
        member_id,
        outcome,
        ip,
        now.naive_utc(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn me(pool: &MySqlPool, member_id: u64) -> AppResult<Option<Me>> {
    let row = sqlx::query!(
        "SELECT id, login_id, nickname, is_admin AS `is_admin: bool`,
                email_verified_at IS NOT NULL AS `email_verified: bool` FROM member
         WHERE id = ? AND withdrawn_at IS NULL",
        member_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Me {
        id: r.id,
        login_id: r.login_id,
        nickname: r.nickname,
        is_admin: r.is_admin,
        email_verified: r.email_verified,
    }))
}

pub async fn account_info(pool: &MySqlPool, member_id: u64) -> AppResult<Option<AccountInfo>> {
    let Some(m) = sqlx::query!(
        "SELECT login_id, name, nickname, email, birth_date, phone,
                email_verified_at IS NOT NULL AS `email_verified: bool`,
                gender AS `gender: String`, created_at FROM member
         WHERE id = ? AND withdrawn_at IS NULL",
        member_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let consents = sqlx::query!(
        "SELECT kind AS `kind: String`, version, created_at FROM member_consent
         WHERE member_id = ? AND agreed ORDER BY id",
        member_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|c| ConsentRecord {
        kind: c.kind,
        version: c.version,
        agreed_at: c.created_at.and_utc(),
    })
    .collect();
    Ok(Some(AccountInfo {
        login_id: m.login_id,
        name: m.name,
        nickname: m.nickname,
        email: m.email,
        email_verified: m.email_verified,
        birth_date: m.birth_date,
        phone: m.phone,
        gender: m
            .gender
            .and_then(|g| Gender::parse_optional(&g).ok().flatten()),
        joined_at: m.created_at.and_utc(),
        consents,
    }))
}

/// Deletes what a member's use of the site left behind that is theirs alone: sessions,
/// mailed codes, wishes, saved searches, notices and SNS links. Withdrawal and the removal of
/// never-verified accounts both start here.
pub async fn forget_activity(
    tx: &mut Transaction<'_, MySql>,
    member_id: u64,
) -> Result<(), sqlx::Error> {
    // Each its own statement: sqlx checks one query per macro.
    sqlx::query!("DELETE FROM session WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!("DELETE FROM account_code WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!("DELETE FROM wish WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!("DELETE FROM wanted WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!("DELETE FROM notification WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "DELETE FROM notification_setting WHERE member_id = ?",
        member_id
    )
    .execute(&mut **tx)
    .await?;
    // The provider accounts are free to sign up afresh.
    sqlx::query!("DELETE FROM member_identity WHERE member_id = ?", member_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
