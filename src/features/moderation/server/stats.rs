//! The dashboard's daily counts: sign-ups, listings, orders and 거래액 per KST day for the
//! last `STATS_DAYS` days, every day present (zeros too), oldest first. Each count is one
//! index range grouped by day.

use std::collections::HashMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use sqlx::MySqlPool;

use crate::error::AppResult;
use crate::features::moderation::types::{DayStats, STATS_DAYS};

fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("a valid offset")
}

pub async fn daily(pool: &MySqlPool, now: DateTime<Utc>) -> AppResult<Vec<DayStats>> {
    let today = now.with_timezone(&kst()).date_naive();
    let first = today - Duration::days(i64::from(STATS_DAYS) - 1);
    let since = first
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(kst())
        .single()
        .expect("KST has no gaps")
        .naive_utc();
    let signups = sqlx::query!(
        "SELECT DATE(created_at + INTERVAL 9 HOUR) AS `day!: NaiveDate`, COUNT(*) AS `n!: i64`
         FROM member WHERE created_at >= ? GROUP BY 1",
        since
    )
    .fetch_all(pool)
    .await?;
    let listings = sqlx::query!(
        "SELECT DATE(created_at + INTERVAL 9 HOUR) AS `day!: NaiveDate`, COUNT(*) AS `n!: i64`
         FROM listing
         WHERE status IN ('on_sale', 'reserved', 'sold', 'deleted') AND created_at >= ?
         GROUP BY 1",
        since
    )
    .fetch_all(pool)
    .await?;
    let orders = sqlx::query!(
        "SELECT DATE(created_at + INTERVAL 9 HOUR) AS `day!: NaiveDate`, COUNT(*) AS `n!: i64`,
                CAST(COALESCE(SUM(IF(status IN ('pending', 'cancelled', 'expired'), 0, amount)), 0)
                     AS SIGNED) AS `gmv!: i64`
         FROM trade_order WHERE created_at >= ? GROUP BY 1",
        since
    )
    .fetch_all(pool)
    .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut days: HashMap<NaiveDate, DayStats> = HashMap::new();
    for r in signups {
        days.entry(r.day).or_insert_with(|| empty(r.day)).signups = count(r.n);
    }
    for r in listings {
        days.entry(r.day).or_insert_with(|| empty(r.day)).listings = count(r.n);
    }
    for r in orders {
        let d = days.entry(r.day).or_insert_with(|| empty(r.day));
        d.orders = count(r.n);
        d.gmv = r.gmv;
    }
    Ok((0..i64::from(STATS_DAYS))
        .map(|i| {
            let d = first + Duration::days(i);
            days.get(&d).copied().unwrap_or_else(|| empty(d))
        })
        .collect())
}

fn empty(day: NaiveDate) -> DayStats {
    DayStats {
        day,
        signups: 0,
        listings: 0,
        orders: 0,
        gmv: 0,
    }
}
