use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPoolOptions};
use sqlx::{Connection, MySqlPool};

use super::config::Config;
use super::metrics::{DB_FAILOVERS, DB_RETRIES, RetryLabels};
use crate::error::{AppError, AppResult};

/// How long an address may take to accept a connection before it counts as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// How often the address in use is checked, when there is another to fail over to.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The pool, on the first of the configured addresses that answers. With a second
/// address (`DATABASE_FAILOVER_URL`, e.g. the other HAProxy) a watcher moves new
/// connections to whichever answers when the one in use stops: sqlx takes one address
/// per pool, and the balancers are peers, so either will do.
pub async fn connect(config: &Config) -> anyhow::Result<MySqlPool> {
    let addresses = config
        .database_urls()
        .map(|url| -> anyhow::Result<MySqlConnectOptions> {
            let options: MySqlConnectOptions = url.parse()?;
            // UTC on the wire: every DATETIME we store is UTC.
            Ok(options.timezone(Some("+00:00".into())).charset("utf8mb4"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut current = 0;
    if addresses.len() > 1 {
        for (i, options) in addresses.iter().enumerate() {
            if answers(options).await {
                current = i;
                break;
            }
        }
    }
    let pool = MySqlPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // On Galera, a read first waits until this node has applied everything
                // the cluster committed before it (causal reads), so a page never shows
                // less than the write that led to it — also just after a failover to a
                // node that was still applying. Where wsrep is off this changes nothing.
                sqlx::query("SET SESSION wsrep_sync_wait = IF(@@wsrep_on, 1, 0)")
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .connect_with(addresses[current].clone())
        .await?;
    if addresses.len() > 1 {
        tokio::spawn(watch_addresses(pool.clone(), addresses, current));
    }
    Ok(pool)
}

/// Whether a new connection to `options` opens and answers a ping in time.
async fn answers(options: &MySqlConnectOptions) -> bool {
    let attempt = async {
        let mut conn = MySqlConnection::connect_with(options).await?;
        conn.ping().await?;
        conn.close().await
    };
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, attempt).await,
        Ok(Ok(()))
    )
}

async fn watch_addresses(pool: MySqlPool, addresses: Vec<MySqlConnectOptions>, mut current: usize) {
    while !pool.is_closed() {
        tokio::time::sleep(WATCH_EVERY).await;
        if answers(&addresses[current]).await {
            continue;
        }
        let others = (1..addresses.len()).map(|step| (current + step) % addresses.len());
        for next in others {
            if answers(&addresses[next]).await {
                tracing::warn!(
                    from = current,
                    to = next,
                    "database address down; failing over"
                );
                // New connections go to the other address; the broken ones are dropped
                // by the pool's ping before they are handed out.
                pool.set_connect_options(addresses[next].clone());
                DB_FAILOVERS.inc();
                current = next;
                break;
            }
        }
    }
}

/// Brings the schema up to date, once, however many app instances start together.
///
/// sqlx's own migration lock is `GET_LOCK`, which Galera does not replicate: two
/// instances on two nodes would both run a migration and one would fail on the other's
/// table. So the instances first claim a row that the whole cluster certifies (a
/// competing claim on another node loses as a conflict), and the others wait for it.
pub async fn migrate(pool: &MySqlPool) -> anyhow::Result<()> {
    // DDL on Galera runs in total order on every node; IF NOT EXISTS makes it idempotent.
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migration_lock (
            id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
            holder CHAR(32) CHARACTER SET ascii NOT NULL,
            expires_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB",
    )
    .execute(pool)
    .await?;
    let me = uuid::Uuid::new_v4().simple().to_string();
    let mut waited = Duration::ZERO;
    loop {
        // Taken over only once expired: an instance that died mid-migration does not
        // block the others for ever.
        let claimed = retry_conflicts(|| async {
            sqlx::query(
                "INSERT INTO schema_migration_lock (id, holder, expires_at)
                 VALUES (1, ?, NOW(6) + INTERVAL 10 MINUTE)
                 ON DUPLICATE KEY UPDATE
                   holder = IF(expires_at < NOW(6), VALUES(holder), holder),
                   expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)",
            )
            .bind(&me)
            .execute(pool)
            .await?;
            let holder: Option<String> =
                sqlx::query_scalar("SELECT holder FROM schema_migration_lock WHERE id = 1")
                    .fetch_optional(pool)
                    .await?;
            Ok(holder.as_deref() == Some(me.as_str()))
        })
        .await
        .map_err(|e| anyhow::anyhow!("claiming the migration lock: {e:?}"))?;
        if claimed {
            break;
        }
        if waited.is_zero() {
            tracing::info!("another instance is migrating; waiting");
        }
        let pause = Duration::from_millis(250);
        tokio::time::sleep(pause).await;
        waited += pause;
    }
    let migrated = sqlx::migrate!("./migrations").run(pool).await;
    sqlx::query("DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?")
        .bind(&me)
        .execute(pool)
        .await?;
    migrated?;
    Ok(())
}

/// Why a statement failed without anything committing, as `AppError::Busy` reports it:
/// 1213 deadlock (also how Galera reports a certification conflict at COMMIT), 1205
/// lock wait timeout, 1047 the node is not (or no longer) in the Primary component, 1180
/// COMMIT refused and rolled back. `None` for anything else.
pub fn uncommitted_kind(e: &sqlx::Error) -> Option<&'static str> {
    let number = e
        .as_database_error()?
        .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()?
        .number();
    match number {
        1213 => Some("deadlock"),
        1205 => Some("lock_wait"),
        1047 => Some("node_not_ready"),
        1180 => Some("commit_failed"),
        _ => None,
    }
}

/// The connection itself failed (not the statement): whether the statement committed
/// is unknown, and the connection is not to be used again.
pub fn is_connection_lost(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_)
    )
}

const TRIES: u32 = 4;

/// Jittered and growing. A collision clears in milliseconds: 5–25 ms, then up to 45 and
/// 65 ms. A lost connection means a node or balancer went away, which takes the cluster
/// seconds to settle (DESIGN.md: ~6 s): 0.25–0.5 s, then up to 1 and 2 s.
pub fn pause_after(e: &AppError, tried: u32) -> Duration {
    let jitter = rand::random::<u64>();
    let ms = match e {
        AppError::Unavailable => (250 << (tried - 1)) + jitter % (250 << (tried - 1)),
        _ => 5 + jitter % (20 * u64::from(tried)),
    };
    Duration::from_millis(ms)
}

/// Runs `attempt` (a whole transaction) again when it failed without committing: it
/// collided with another (1213 deadlock, also how Galera reports a certification
/// conflict at commit; 1205 lock wait timeout), the node left the cluster (1047), the
/// commit was refused (1180) or no connection came free in time — all `AppError::Busy`.
/// A short random pause grows between tries, so two colliding requests part ways.
pub async fn retry_conflicts<T, Fut>(attempt: impl FnMut() -> Fut) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    retry(attempt, |e| matches!(e, AppError::Busy)).await
}

/// As `retry_conflicts`, and also when the connection was lost so the outcome is unknown
/// (`AppError::Unavailable`): only for writes keyed so that a repeat of one that had
/// committed is recognised (a unique key answering 1062, which `attempt` turns into
/// "already done") and never done twice.
pub async fn retry_keyed<T, Fut>(attempt: impl FnMut() -> Fut) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    retry(attempt, |e| {
        matches!(e, AppError::Busy | AppError::Unavailable)
    })
    .await
}

/// For reads: they change nothing, so any transient failure - a collision, a pool
/// time-out, a connection lost mid-query when a node dies - simply runs them again.
pub async fn retry_read<T, Fut>(attempt: impl FnMut() -> Fut) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    retry_keyed(attempt).await
}

async fn retry<T, Fut>(
    mut attempt: impl FnMut() -> Fut,
    again: impl Fn(&AppError) -> bool,
) -> AppResult<T>
where
    Fut: Future<Output = AppResult<T>>,
{
    let mut tried = 0;
    loop {
        tried += 1;
        match attempt().await {
            Err(e) if again(&e) => {
                let outcome = if tried < TRIES { "retried" } else { "gave_up" };
                DB_RETRIES.get_or_create(&RetryLabels { outcome }).inc();
                if tried == TRIES {
                    return Err(e);
                }
                tokio::time::sleep(pause_after(&e, tried)).await;
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
