//! argon2id hashing, run on the blocking pool: a hash takes tens of milliseconds of CPU
//! and would otherwise stall every request sharing the async worker.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use crate::error::{AppError, AppResult};

pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
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

pub async fn verify(password: String, stored_hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
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
    verify(password, DUMMY_HASH.clone()).await.map(|_| ())
}
