//! argon2id hashing, run on the blocking pool: a hash takes tens of milliseconds of CPU
//! and would otherwise stall every request sharing the async worker.
//!
//! Each hash also takes ~19 MiB, so at most one per core runs at a time: a flood of
//! logins waits in line (and, past a few seconds, is told to come back) instead of
//! growing the process by gigabytes.

use std::sync::LazyLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use crate::error::{AppError, AppResult};

static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// How long a hash may wait for its turn before the caller is asked to retry.
const QUEUE_WAIT: Duration = Duration::from_secs(5);

async fn turn() -> AppResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(QUEUE_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => {
            tracing::warn!("password hashing queue full");
            Err(AppError::RateLimited {
                message: format!(
                    "지금 로그인 요청이 많아요. {}",
                    crate::ui::format::retry_after_ko(5)
                ),
                retry_after_secs: 5,
            })
        }
    }
}

pub async fn hash(password: String) -> AppResult<String> {
    let permit = turn().await?;
    // The permit goes with the hash: a caller that gives up does not free its place
    // while the hash still runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "argon2 hash failed");
                AppError::Internal
            })
    })
    .await?
}

/// The stored "hash" of a member who has no password: one who signed up through Kakao,
/// Naver or Google, or who has withdrawn. No password matches it.
pub const NO_PASSWORD: &str = "!";

pub async fn verify(password: String, stored_hash: String) -> AppResult<bool> {
    if stored_hash == NO_PASSWORD {
        burn_equal_time(password).await?;
        return Ok(false);
    }
    verify_hash(password, stored_hash).await
}

async fn verify_hash(password: String, stored_hash: String) -> AppResult<bool> {
    let permit = turn().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let parsed = PasswordHash::new(&stored_hash).map_err(|e| {
            tracing::error!(error = %e, "stored password hash is malformed");
            AppError::Internal
        })?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

/// A hash of nothing in particular, verified against when the login ID does not exist,
/// so "no such ID" and "wrong password" take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"not-a-real-password", &salt)
        .expect("hashing a constant")
        .to_string()
});

pub async fn burn_equal_time(password: String) -> AppResult<()> {
    verify_hash(password, DUMMY_HASH.clone()).await.map(|_| ())
}
