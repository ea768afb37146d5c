//! Demo marketplace for a fresh database: members, real Korean books, listings, finished
//! trades with reviews, course filings. Each feature seeds its own rows (`server/demo.rs`
//! in the feature); this runs them in order in one transaction, only when the database
//! has no members, so a second run keeps the user's data.

use sqlx::MySqlPool;

use super::clock::Clock;
use crate::features::{accounts, courses, listings, orders, search};

pub use accounts::server::demo::DEMO_PASSWORD;

pub async fn seed_demo_if_empty(pool: &MySqlPool, clock: &dyn Clock) -> anyhow::Result<()> {
    let members: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM member")
        .fetch_one(pool)
        .await?;
    if members > 0 {
        return listings::server::demo::refile_uncategorised_demo_listings(pool).await;
    }
    let now = clock.now();
    let mut tx = pool.begin().await?;
    let member_ids = accounts::server::demo::seed_members(&mut tx, now).await?;
    listings::server::demo::seed_listings(&mut tx, &member_ids, now).await?;
    orders::server::demo::seed_trades(&mut tx, &member_ids, now).await?;
    courses::server::demo::seed_courses(&mut tx, now).await?;
    tx.commit().await?;
    search::server::repo::index_pending(pool).await?;
    let members = accounts::server::demo::DEMO_MEMBERS.len();
    tracing::info!(members, "demo marketplace loaded");
    Ok(())
}
