//! An order's steps. Each step is one conditional UPDATE (did it happen?), what it does
//! to the listing and to both members' records, and its line in the audit trail, all in
//! the caller's transaction: use cases say which step, never how it is recorded.

use chrono::{DateTime, Utc};

use super::repo::{self, Event, ListingMove, OrderRow, Tx, transitions};
use crate::error::AppResult;
use crate::features::orders::types::{EventKind, OrderStatus, ProviderKind};
use crate::features::reviews::server::repo as reviews;
use crate::server::AppState;
use crate::server::db::retry_conflicts;

#[derive(Clone, Copy)]
pub enum Step<'a> {
    /// The provider approved the payment.
    Pay {
        provider: ProviderKind,
    },
    Ship {
        carrier: &'a str,
        tracking_no: &'a str,
        auto_confirm_at: DateTime<Utc>,
    },
    /// 구매 확정 by the buyer, from `from` (shipped, or paid for a hand-over in person).
    Receive {
        from: OrderStatus,
    },
    /// The sweeper confirms a shipped order nobody confirmed in time.
    AutoReceive,
    /// An admin ends a dispute in the seller's favour.
    Release {
        from: OrderStatus,
    },
    /// The seller marks a cash trade complete.
    Complete,
    Cancel {
        from: OrderStatus,
        reason: &'a str,
    },
    /// The payment window passed.
    Expire,
    Dispute {
        reason: &'a str,
    },
    /// The seller is paid out.
    Settle,
}

/// Takes `step` on `order` if its state still allows it; false if it did not happen
/// (someone else moved the order first, or it was never allowed).
pub async fn apply(
    tx: &mut Tx<'_>,
    order: &OrderRow,
    step: Step<'_>,
    actor: Option<u64>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    use OrderStatus as S;
    let id = order.id;
    let (happened, kind, from, to, detail) = match step {
        Step::Pay { provider } => (
            transitions::mark_paid(tx, id, now).await?,
            EventKind::Paid,
            Some(S::Pending),
            Some(S::Paid),
            provider.label().to_owned(),
        ),
        Step::Ship {
            carrier,
            tracking_no,
            auto_confirm_at,
        } => (
            transitions::mark_shipped(tx, id, carrier, tracking_no, auto_confirm_at, now).await?,
            EventKind::Shipped,
            Some(S::Paid),
            Some(S::Shipped),
            format!("{carrier} {tracking_no}"),
        ),
        Step::Receive { from } => (
            transitions::mark_received(tx, id, now).await?,
            EventKind::Received,
            Some(from),
            Some(S::Received),
            String::new(),
        ),
        Step::AutoReceive => (
            transitions::mark_auto_received(tx, id, now).await?,
            EventKind::AutoReceived,
            Some(S::Shipped),
            Some(S::Received),
            String::new(),
        ),
        Step::Release { from } => (
            transitions::mark_released(tx, id, now).await?,
            EventKind::Released,
            Some(from),
            Some(S::Received),
            String::new(),
        ),
        Step::Complete => (
            transitions::mark_completed(tx, id, now).await?,
            EventKind::Completed,
            Some(S::Agreed),
            Some(S::Completed),
            String::new(),
        ),
        Step::Cancel { from, reason } => (
            transitions::mark_cancelled(tx, id, from, reason, now).await?,
            EventKind::Cancelled,
            Some(from),
            Some(S::Cancelled),
            reason.to_owned(),
        ),
        Step::Expire => (
            transitions::mark_expired(tx, id, now).await?,
            EventKind::Expired,
            Some(S::Pending),
            Some(S::Expired),
            String::new(),
        ),
        Step::Dispute { reason } => (
            transitions::mark_disputed(tx, id, reason, now).await?,
            EventKind::Disputed,
            None,
            None,
            reason.to_owned(),
        ),
        Step::Settle => (
            transitions::mark_settled(tx, id, now).await?,
            EventKind::Settled,
            Some(S::Received),
            Some(S::Settled),
            String::new(),
        ),
    };
    if !happened {
        return Ok(false);
    }
    match kind {
        EventKind::Paid => {
            repo::move_listing(tx, order.listing_id, ListingMove::Reserve, now).await?;
        }
        // The book changed hands: listing sold, both sides get a completed trade.
        EventKind::Received
        | EventKind::AutoReceived
        | EventKind::Released
        | EventKind::Completed => {
            repo::move_listing(tx, order.listing_id, ListingMove::Sell, now).await?;
            reviews::count_trade(tx, order.buyer_id, order.seller_id).await?;
        }
        EventKind::Cancelled if matches!(from, Some(S::Agreed | S::Paid | S::Shipped)) => {
            repo::move_listing(tx, order.listing_id, ListingMove::Release, now).await?;
        }
        EventKind::Expired => repo::attempts::expire_attempts(tx, id, now).await?,
        _ => {}
    }
    let event = Event {
        kind,
        from,
        to,
        actor,
        detail: &detail,
    };
    repo::event(tx, id, &event, now).await?;
    super::notices::raise_for(tx, order, kind, actor, now).await?;
    Ok(true)
}

/// `apply` in a transaction of its own, committed when the step happened; run again
/// whole when it collided with another (the step's conditional UPDATE decides again).
pub async fn run(
    state: &AppState,
    order: &OrderRow,
    step: Step<'_>,
    actor: Option<u64>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    retry_conflicts(|| run_once(state, order, step, actor, now)).await
}

async fn run_once(
    state: &AppState,
    order: &OrderRow,
    step: Step<'_>,
    actor: Option<u64>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut tx = state.pool.begin().await?;
    let happened = apply(&mut tx, order, step, actor, now).await?;
    if happened {
        tx.commit().await?;
        announce(state, order);
    }
    Ok(happened)
}

/// After a step is committed: both sides' open pages hear of it over the live socket
/// (on every instance), so an order page or the bell changes without a reload. Its
/// notices are already stored; a member with no socket finds them in the list.
/// Those who wished the listing are nudged too (a step may have moved it).
pub fn announce(state: &AppState, order: &OrderRow) {
    announce_parts(
        state,
        order.id,
        order.listing_id,
        [order.buyer_id, order.seller_id],
    );
}

/// The same for an order known by its parts (just placed).
pub fn announce_parts(state: &AppState, order: u64, listing: u64, members: [u64; 2]) {
    use crate::features::chat::types::ServerFrame;
    state
        .chat
        .publish(&members, &ServerFrame::Trade { order }, None);
    crate::features::notifications::server::live::nudge_wishers(state, listing);
}
