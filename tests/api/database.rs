//! What the app does when the database says "not now": a real deadlock becomes
//! `AppError::Busy` (503, a Korean "try again"), the retry helper runs the whole
//! transaction again and counts it, and a lost connection is retried only where the
//! write is keyed.

use std::sync::atomic::{AtomicU32, Ordering};

use bread_book::error::AppError;
use bread_book::server::db::{retry_conflicts, retry_keyed, retry_read};
use bread_book::server::metrics::Metrics;
use sqlx::{Connection, MySqlPool};

/// Two transactions that lock two rows in opposite orders: MariaDB kills one (1213).
async fn real_deadlock(pool: &MySqlPool) -> sqlx::Error {
    sqlx::query("CREATE TABLE pair (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO pair VALUES (1, 0), (2, 0)")
        .execute(pool)
        .await
        .unwrap();
    let (mut a, mut b) = (pool.acquire().await.unwrap(), pool.acquire().await.unwrap());
    let mut ta = a.begin().await.unwrap();
    let mut tb = b.begin().await.unwrap();
    sqlx::query("UPDATE pair SET v = 1 WHERE id = 1")
        .execute(&mut *ta)
        .await
        .unwrap();
    sqlx::query("UPDATE pair SET v = 1 WHERE id = 2")
        .execute(&mut *tb)
        .await
        .unwrap();
    let (ra, rb) = tokio::join!(
        sqlx::query("UPDATE pair SET v = 2 WHERE id = 2").execute(&mut *ta),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            sqlx::query("UPDATE pair SET v = 2 WHERE id = 1")
                .execute(&mut *tb)
                .await
        }
    );
    match (ra, rb) {
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => e,
        other => panic!("expected exactly one deadlock victim, got {other:?}"),
    }
}

#[sqlx::test]
async fn a_deadlock_is_busy_and_answers_503_not_500(pool: MySqlPool) {
    let e = real_deadlock(&pool).await;
    let code = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .map(|m| m.number());
    assert_eq!(code, Some(1213), "{e}");
    let app_error = AppError::from(e);
    assert_eq!(app_error, AppError::Busy);
    assert_eq!(app_error.status_code(), 503);
    assert!(app_error.to_string().contains("잠시 후 다시 시도"));
}

#[tokio::test]
async fn conflicts_are_retried_whole_and_counted() {
    let metrics = Metrics::new();
    let retried_before = retries(&metrics, "retried");
    let runs = AtomicU32::new(0);
    let outcome = retry_conflicts(|| async {
        // Fails twice as a collision, then commits.
        if runs.fetch_add(1, Ordering::SeqCst) < 2 {
            Err(AppError::Busy)
        } else {
            Ok("committed")
        }
    })
    .await;
    assert_eq!(outcome, Ok("committed"));
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert!(retries(&metrics, "retried") >= retried_before + 2);

    // A request that keeps colliding is given up on with Busy, not looped forever.
    let runs = AtomicU32::new(0);
    let outcome: Result<(), _> = retry_conflicts(|| async {
        runs.fetch_add(1, Ordering::SeqCst);
        Err(AppError::Busy)
    })
    .await;
    assert_eq!(outcome, Err(AppError::Busy));
    assert_eq!(runs.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_lost_connection_is_retried_only_for_keyed_writes_and_reads() {
    let runs = AtomicU32::new(0);
    let unkeyed: Result<(), _> = retry_conflicts(|| async {
        runs.fetch_add(1, Ordering::SeqCst);
        Err(AppError::Unavailable)
    })
    .await;
    assert_eq!(unkeyed, Err(AppError::Unavailable));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        1,
        "maybe committed: not run twice"
    );

    let runs = AtomicU32::new(0);
    let keyed = retry_keyed(|| async {
        if runs.fetch_add(1, Ordering::SeqCst) == 0 {
            Err(AppError::Unavailable)
        } else {
            Ok(())
        }
    })
    .await;
    assert_eq!(keyed, Ok(()));
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // A read changes nothing: lost connections and collisions alike run it again.
    let runs = AtomicU32::new(0);
    let read = retry_read(|| async {
        match runs.fetch_add(1, Ordering::SeqCst) {
            0 => Err(AppError::Unavailable),
            1 => Err(AppError::Busy),
            _ => Ok("rows"),
        }
    })
    .await;
    assert_eq!(read, Ok("rows"));
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

/// `breadbook_db_retries_total{outcome=…}` as the scrape shows it.
fn retries(metrics: &Metrics, outcome: &str) -> u64 {
    let text = metrics.encode();
    let prefix = format!("breadbook_db_retries_total{{outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// Four instances starting together on an empty database: each migration runs once and
/// every instance starts.
#[sqlx::test(migrations = false)]
async fn instances_starting_together_migrate_once(pool: MySqlPool) {
    let runs = (0..4).map(|_| bread_book::server::db::migrate(&pool));
    for outcome in futures_util::future::join_all(runs).await {
        outcome.unwrap();
    }
    let applied: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version HAVING COUNT(*) > 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(applied.is_empty(), "{applied:?}");
    let files = std::fs::read_dir("migrations").unwrap().count() as i64;
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, files);
    let (locks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM schema_migration_lock")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(locks, 0, "the lock is given back");
}

/// A payment attempt that cannot be stored is an error, not a quiet "nothing inserted":
/// under INSERT IGNORE the failover run saw two buyers sent to a checkout whose attempt
/// did not exist. Here the order it names does not exist (a foreign-key failure).
#[sqlx::test]
async fn a_payment_attempt_that_cannot_be_stored_is_an_error(pool: MySqlPool) {
    use bread_book::features::orders::server::repo::attempts;
    use bread_book::features::orders::types::ProviderKind;
    let key = "00000000-0000-4000-8000-000000000001";
    let stored = attempts::insert_attempt(
        &pool,
        999_999,
        key,
        ProviderKind::Sandbox,
        9000,
        chrono::Utc::now(),
    )
    .await;
    assert_eq!(stored, Err(AppError::Internal));
    assert!(attempts::attempt(&pool, key).await.unwrap().is_none());
}
