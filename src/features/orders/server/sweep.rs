//! The sweeper: whatever is due at a moment, done once even with several instances
//! running it, because every step is a conditional UPDATE.

use chrono::{DateTime, Utc};

use super::payment::refund;
use super::repo::{self, transitions};
use super::transition::{self, Step};
use crate::error::AppResult;
use crate::features::reviews::server::repo as reviews;
use crate::server::AppState;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub expired: u32,
    pub auto_confirmed: u32,
    pub settled: u32,
    pub reviews_counted: u32,
    pub refunds_retried: u32,
}

/// Does whatever is due at `now`: expires unpaid orders, confirms long-shipped ones
/// (unless disputed), settles confirmed ones, counts reviews whose blind period ended,
/// and retries refunds.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> AppResult<Swept> {
    let due = transitions::due(&state.pool, now, 500).await?;
    let mut swept = Swept::default();
    for id in due.expired {
        swept.expired += u32::from(step_due(state, id, Step::Expire, now).await?);
    }
    for id in due.auto_confirm {
        swept.auto_confirmed += u32::from(step_due(state, id, Step::AutoReceive, now).await?);
    }
    // Asked after auto-confirm, so the orders it just confirmed settle in this sweep.
    for id in transitions::to_settle(&state.pool, 500).await? {
        swept.settled += u32::from(step_due(state, id, Step::Settle, now).await?);
    }
    for review in due.reviews {
        let mut tx = state.pool.begin().await?;
        reviews::count_review(&mut tx, review, now).await?;
        tx.commit().await?;
        swept.reviews_counted += 1;
    }
    for id in due.refunds {
        if refund(state, id).await? {
            swept.refunds_retried += 1;
        }
    }
    Ok(swept)
}

/// Takes a step the sweeper found due; false if another instance took it first.
async fn step_due(
    state: &AppState,
    id: u64,
    step: Step<'_>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(order) = repo::order(&state.pool, id).await? else {
        return Ok(false);
    };
    transition::run(state, &order, step, None, now).await
}

/// Runs the sweeper every 30 seconds for the life of the server.
pub async fn sweep_forever(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        match sweep(&state, state.clock.now()).await {
            Ok(s) if s != Swept::default() => tracing::info!(?s, "order sweep"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "order sweep failed"),
        }
    }
}
