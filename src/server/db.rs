use std::time::Duration;

use sqlx::MySqlPool;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};

use super::config::Config;
use crate::error::{AppError, AppResult};

pub async fn connect(config: &Config) -> anyhow::Result<MySqlPool> {
    let options: MySqlConnectOptions = config.database_url.parse()?;
    // UTC on the wire: every DATETIME we store is UTC.
    let options = options.timezone(Some("+00:00".into())).charset("utf8mb4");
    let pool = MySqlPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    Ok(pool)
}

pub async fn migrate(pool: &MySqlPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// Runs `attempt` (a whole transaction) again when it collided with another one: a
/// deadlock victim (1213, also how Galera reports a certification conflict at commit) or
/// a lock wait timeout (1205), both `AppError::Busy`. Three tries, a short random pause
/// between them so the two do not collide again.
pub async fn retry_conflicts<T, Fut>(mut attempt: impl FnMut() -> Fut) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    const TRIES: u32 = 3;
    let mut tried = 0;
    loop {
        tried += 1;
        match attempt().await {
            Err(AppError::Busy) if tried < TRIES => {
                let pause = 5 + rand::random::<u64>() % (20 * u64::from(tried));
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            outcome => return outcome,
        }
    }
}

/// A database word (an ENUM or SET value) read back as its domain type at the repo
/// boundary. A value the code does not know means the schema and the code disagree:
/// logged with where it came from, answered as an internal error.
pub fn known<T>(parsed: Option<T>, column: &'static str, raw: &str) -> AppResult<T> {
    parsed.ok_or_else(|| {
        tracing::error!(column, value = raw, "unknown value in the database");
        AppError::Internal
    })
}

/// A transaction on the pool.
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::MySql>;

/// DATETIME columns hold UTC without a zone (the connection runs at +00:00).
pub fn naive(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}
