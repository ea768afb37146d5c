//! Six-digit codes mailed to prove a mailbox: one live code per member and purpose,
//! kept only as a salted SHA-256, dead after `CODE_MINUTES` or `CODE_ATTEMPTS` wrong
//! tries, used once. Sends are spaced and capped per hour in the database, so the caps
//! hold across app instances.

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use sqlx::MySqlPool;

use crate::error::{AppError, AppResult};
use crate::features::accounts::types::recovery::{
    CODE_ATTEMPTS, CODE_MINUTES, CodePurpose, RESEND_SECONDS, SENDS_PER_HOUR,
};
use crate::server::db;

fn digest(salt: &[u8], code: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(code.as_bytes());
    h.finalize().to_vec()
}

/// Equal-time comparison: how much of a guess matched must not show in the timing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn too_soon(retry_after_secs: i64, message: &str) -> AppError {
    AppError::RateLimited {
        message: message.to_owned(),
        retry_after_secs: retry_after_secs.clamp(1, 3600) as u32,
    }
}

/// A new code for `purpose`, replacing any earlier one; refused while the last was sent
/// under `RESEND_SECONDS` ago or after `SENDS_PER_HOUR` in the hour. `new_email` is the
/// address an email change waits to prove.
pub async fn issue(
    pool: &MySqlPool,
    member_id: u64,
    purpose: CodePurpose,
    new_email: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let hash = digest(&salt, &code);
    db::retry_conflicts(|| async {
        let mut tx = pool.begin().await?;
        let last = sqlx::query!(
            "SELECT sent_at, window_start, window_sends FROM account_code
             WHERE member_id = ? AND purpose = ? FOR UPDATE",
            member_id,
            purpose.as_db()
        )
        .fetch_optional(&mut *tx)
        .await?;
        let (window_start, sends) = match &last {
            Some(row) => {
                let waited = (now.naive_utc() - row.sent_at).num_seconds();
                if waited < RESEND_SECONDS {
                    return Err(too_soon(
                        RESEND_SECONDS - waited,
                        &format!("{}초 후에 다시 받을 수 있어요.", RESEND_SECONDS - waited),
                    ));
                }
                if now.naive_utc() - row.window_start < Duration::hours(1) {
                    if row.window_sends >= SENDS_PER_HOUR {
                        let left = 3600 - (now.naive_utc() - row.window_start).num_seconds();
                        return Err(too_soon(
                            left,
                            "인증 코드를 너무 많이 요청했어요. 1시간 뒤에 다시 시도해 주세요.",
                        ));
                    }
                    (row.window_start, row.window_sends + 1)
                } else {
                    (now.naive_utc(), 1)
                }
            }
            None => (now.naive_utc(), 1),
        };
        sqlx::query!(
            "INSERT INTO account_code (member_id, purpose, new_email, code_hash, salt, attempts,
                                       sent_at, expires_at, window_start, window_sends)
             VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
             ON DUPLICATE KEY UPDATE new_email = VALUES(new_email),
               code_hash = VALUES(code_hash), salt = VALUES(salt),
               attempts = 0, sent_at = VALUES(sent_at), expires_at = VALUES(expires_at),
               window_start = VALUES(window_start), window_sends = VALUES(window_sends)",
            member_id,
            purpose.as_db(),
            new_email,
            &hash[..],
            &salt[..],
            now.naive_utc(),
            (now + Duration::minutes(CODE_MINUTES)).naive_utc(),
            window_start,
            sends,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    Ok(code)
}

/// How a wrong code went.
pub enum Refused {
    /// Wrong; this many tries are left.
    Wrong(u8),
    /// Wrong, and that was the last try: the code is dead (the owner should hear of it).
    Exhausted,
    /// No live code: never sent, used, expired or already dead.
    NoCode,
}

impl Refused {
    pub fn into_error(self) -> AppError {
        match self {
            Refused::Wrong(left) => AppError::field(
                "code",
                format!("인증 코드가 맞지 않아요. (남은 기회 {left}번)"),
            ),
            Refused::Exhausted => AppError::field(
                "code",
                "인증 코드를 너무 많이 틀렸어요. 새 코드를 받아 주세요.",
            ),
            Refused::NoCode => AppError::field(
                "code",
                "인증 코드가 만료되었거나 이미 사용되었어요. 새 코드를 받아 주세요.",
            ),
        }
    }
}

/// Uses the member's code for `purpose` if `code` is it: the code is gone afterwards
/// (single use), and what it was issued with (`new_email`) comes back. A wrong guess is
/// counted and committed before the refusal returns.
pub async fn redeem(
    pool: &MySqlPool,
    member_id: u64,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<Option<String>, Refused>> {
    db::retry_conflicts(|| async {
        let mut tx = pool.begin().await?;
        let Some(row) = sqlx::query!(
            "SELECT code_hash, salt, attempts, new_email FROM account_code
             WHERE member_id = ? AND purpose = ? AND expires_at > ? FOR UPDATE",
            member_id,
            purpose.as_db(),
            now.naive_utc(),
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(Err(Refused::NoCode));
        };
        if row.attempts >= CODE_ATTEMPTS {
            return Ok(Err(Refused::NoCode));
        }
        if same(&digest(&row.salt, code), &row.code_hash) {
            // Spent, but the row stays so the resend spacing and hourly cap still count.
            sqlx::query!(
                "UPDATE account_code SET expires_at = ? WHERE member_id = ? AND purpose = ?",
                now.naive_utc(),
                member_id,
                purpose.as_db()
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Ok(row.new_email));
        }
        let attempts = row.attempts + 1;
        sqlx::query!(
            "UPDATE account_code SET attempts = ? WHERE member_id = ? AND purpose = ?",
            attempts,
            member_id,
            purpose.as_db()
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Err(if attempts >= CODE_ATTEMPTS {
            Refused::Exhausted
        } else {
            Refused::Wrong(CODE_ATTEMPTS - attempts)
        }))
    })
    .await
}
