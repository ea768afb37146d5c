//! SQL for orders, payments, payouts and reviews. Every state change is a conditional
//! UPDATE whose affected-row count says whether it happened (`bool`): that is what keeps
//! replays, double clicks and races harmless on one server and on a Galera cluster alike.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use super::types::{
    AddressInput, OrderEvent, OrderStatus, ReviewView, SavedAddress, TradeCursor, TradeRole,
    TradeRow, trust_score,
};
use crate::error::{AppError, AppResult};

type Tx<'a> = Transaction<'a, MySql>;

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

fn status(s: &str) -> AppResult<OrderStatus> {
    OrderStatus::from_db(s).ok_or_else(|| {
        tracing::error!(status = s, "unknown order status in the database");
        AppError::Internal
    })
}

/// A listing as the confirmation page needs it.
pub struct QuoteRow {
    pub listing_id: u64,
    pub seller_id: u64,
    pub seller_nickname: String,
    pub title: String,
    pub isbn13: String,
    pub price: u32,
    pub condition: String,
    pub status: String,
    pub delivery: String,
    pub meet_label: Option<String>,
    pub payment_ways: String,
    pub cover_photo: Option<String>,
}

pub async fn quote_listing(pool: &MySqlPool, listing_id: u64) -> AppResult<Option<QuoteRow>> {
    Ok(sqlx::query_as!(
        QuoteRow,
        "SELECT l.id AS listing_id, l.seller_id, m.nickname AS seller_nickname, b.title, b.isbn13,
                l.price, l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                l.payment_ways AS `payment_ways: String`, l.cover_photo
         FROM listing l JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id
         WHERE l.id = ? AND l.status <> 'deleted'",
        listing_id
    )
    .fetch_optional(pool)
    .await?)
}

pub async fn addresses(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<SavedAddress>> {
    let rows = sqlx::query!(
        "SELECT id, recipient, phone, postcode, address1, address2 FROM address
         WHERE member_id = ? ORDER BY last_used_at DESC, id DESC LIMIT 5",
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SavedAddress {
            id: r.id,
            address: AddressInput {
                recipient: r.recipient,
                phone: r.phone,
                postcode: r.postcode,
                address1: r.address1,
                address2: r.address2,
            },
        })
        .collect())
}

/// One of the member's saved addresses (None for someone else's).
pub async fn address(pool: &MySqlPool, member_id: u64, id: u64) -> AppResult<Option<AddressInput>> {
    Ok(sqlx::query_as!(
        AddressInput,
        "SELECT recipient, phone, postcode, address1, address2 FROM address
         WHERE id = ? AND member_id = ?",
        id,
        member_id
    )
    .fetch_optional(pool)
    .await?)
}

/// Remembers an address for next time; the same address again only moves it to the top.
pub async fn remember_address(
    tx: &mut Tx<'_>,
    member_id: u64,
    a: &AddressInput,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let touched = sqlx::query!(
        "UPDATE address SET last_used_at = ?, recipient = ?, phone = ?
         WHERE member_id = ? AND postcode = ? AND address1 = ? AND address2 = ?",
        naive(now),
        a.recipient,
        a.phone,
        member_id,
        a.postcode,
        a.address1,
        a.address2
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if touched == 0 {
        sqlx::query!(
            "INSERT INTO address (member_id, recipient, phone, postcode, address1, address2,
                                  created_at, last_used_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            member_id,
            a.recipient,
            a.phone,
            a.postcode,
            a.address1,
            a.address2,
            naive(now),
            naive(now)
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub listing_id: u64,
    pub buyer_id: u64,
    pub idempotency_key: &'a str,
    pub method: &'a str,
    pub provider: Option<&'a str>,
    pub delivery: &'a str,
    pub status: OrderStatus,
    pub ship_to: Option<&'a AddressInput>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub enum Inserted {
    Order {
        id: u64,
        amount: u32,
        title: String,
    },
    /// The listing is not on sale (or the buyer is its seller).
    NotOnSale,
    /// A unique key refused it: this buyer's same attempt, or another live order.
    Duplicate,
}

/// Creates the order straight from the listing row (price and title as they are now),
/// only while it is on sale; `live_listing_id`'s unique key refuses a second live order.
pub async fn insert_order(
    tx: &mut Tx<'_>,
    o: &NewOrder<'_>,
    now: DateTime<Utc>,
) -> AppResult<Inserted> {
    // Take the listing row first (see the migration adding `orders_placed`): a status
    // change, or another buyer, waits here instead of deadlocking later.
    sqlx::query!(
        "UPDATE listing SET orders_placed = orders_placed + 1 WHERE id = ? AND status = 'on_sale'",
        o.listing_id
    )
    .execute(&mut **tx)
    .await?;
    let ship = o.ship_to;
    let result = sqlx::query!(
        "INSERT INTO trade_order (order_no, listing_id, live_listing_id, buyer_id, seller_id,
             idempotency_key, amount, method, provider, delivery, book_title,
             ship_recipient, ship_phone, ship_postcode, ship_address1, ship_address2,
             status, expires_at, created_at, updated_at)
         SELECT ?, l.id, l.id, ?, l.seller_id, ?, l.price, ?, ?, ?, b.title, ?, ?, ?, ?, ?, ?, ?, ?, ?
         FROM listing l JOIN book b ON b.id = l.book_id
         WHERE l.id = ? AND l.status = 'on_sale' AND l.seller_id <> ?",
        o.order_no,
        o.buyer_id,
        o.idempotency_key,
        o.method,
        o.provider,
        o.delivery,
        ship.map(|a| &a.recipient),
        ship.map(|a| &a.phone),
        ship.map(|a| &a.postcode),
        ship.map(|a| &a.address1),
        ship.map(|a| &a.address2),
        o.status.as_db(),
        o.expires_at.map(naive),
        naive(now),
        naive(now),
        o.listing_id,
        o.buyer_id
    )
    .execute(&mut **tx)
    .await;
    match result {
        Ok(r) if r.rows_affected() == 0 => Ok(Inserted::NotOnSale),
        Ok(r) => {
            let id = r.last_insert_id();
            let row = sqlx::query!(
                "SELECT amount, book_title FROM trade_order WHERE id = ?",
                id
            )
            .fetch_one(&mut **tx)
            .await?;
            Ok(Inserted::Order {
                id,
                amount: row.amount,
                title: row.book_title,
            })
        }
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(Inserted::Duplicate),
        Err(e) => Err(e.into()),
    }
}

/// The buyer's orders still waiting for payment.
pub async fn unpaid_orders(pool: &MySqlPool, buyer_id: u64, now: DateTime<Utc>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "SELECT COUNT(*) FROM trade_order
         WHERE buyer_id = ? AND status = 'pending' AND expires_at > ?",
        buyer_id,
        naive(now)
    )
    .fetch_one(pool)
    .await?)
}

pub async fn order_by_idempotency(
    pool: &MySqlPool,
    buyer_id: u64,
    key: &str,
) -> AppResult<Option<(u64, u64)>> {
    Ok(sqlx::query!(
        "SELECT id, listing_id FROM trade_order WHERE buyer_id = ? AND idempotency_key = ?",
        buyer_id,
        key
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.id, r.listing_id)))
}

pub struct OrderRow {
    pub id: u64,
    pub order_no: String,
    pub listing_id: u64,
    pub buyer_id: u64,
    pub seller_id: u64,
    pub amount: u32,
    pub method: String,
    pub provider: Option<String>,
    pub delivery: String,
    pub book_title: String,
    pub ship_recipient: Option<String>,
    pub ship_phone: Option<String>,
    pub ship_postcode: Option<String>,
    pub ship_address1: Option<String>,
    pub ship_address2: Option<String>,
    pub status: String,
    pub expires_at: Option<NaiveDateTime>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub auto_confirm_at: Option<NaiveDateTime>,
    pub disputed_at: Option<NaiveDateTime>,
    pub dispute_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub buyer_nickname: String,
    pub seller_nickname: String,
}

impl OrderRow {
    pub fn status(&self) -> AppResult<OrderStatus> {
        status(&self.status)
    }
}

pub async fn order(pool: &MySqlPool, id: u64) -> AppResult<Option<OrderRow>> {
    Ok(sqlx::query_as!(
        OrderRow,
        "SELECT o.id, o.order_no, o.listing_id, o.buyer_id, o.seller_id, o.amount,
                o.method AS `method: String`, o.provider AS `provider: String`,
                o.delivery AS `delivery: String`, o.book_title, o.ship_recipient, o.ship_phone,
                o.ship_postcode, o.ship_address1, o.ship_address2, o.status AS `status: String`,
                o.expires_at, o.carrier, o.tracking_no, o.auto_confirm_at, o.disputed_at,
                o.dispute_reason, o.cancel_reason, o.created_at,
                b.nickname AS buyer_nickname, s.nickname AS seller_nickname
         FROM trade_order o JOIN member b ON b.id = o.buyer_id JOIN member s ON s.id = o.seller_id
         WHERE o.id = ?",
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// Appends to the order's audit trail.
#[allow(clippy::too_many_arguments)]
pub async fn event(
    tx: &mut Tx<'_>,
    order_id: u64,
    kind: &str,
    from: Option<OrderStatus>,
    to: Option<OrderStatus>,
    actor: Option<u64>,
    detail: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let detail: String = detail.chars().take(300).collect();
    sqlx::query!(
        "INSERT INTO payment_event (order_id, kind, from_status, to_status, actor_id, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        order_id,
        kind,
        from.map(|s| s.as_db()),
        to.map(|s| s.as_db()),
        actor,
        detail,
        naive(now)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn events(pool: &MySqlPool, order_id: u64) -> AppResult<Vec<(String, DateTime<Utc>)>> {
    Ok(sqlx::query!(
        "SELECT kind, created_at FROM payment_event WHERE order_id = ? ORDER BY created_at, id",
        order_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.kind, r.created_at.and_utc()))
    .collect())
}

/// What the listing does when its order moves: reserved while an order holds it, sold
/// when the book changed hands, on sale again when the order fell through.
#[derive(Debug, Clone, Copy)]
pub enum ListingMove {
    Reserve,
    Release,
    Sell,
}

pub async fn move_listing(
    tx: &mut Tx<'_>,
    listing_id: u64,
    how: ListingMove,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (to, from_a, from_b) = match how {
        ListingMove::Reserve => ("reserved", "on_sale", "reserved"),
        ListingMove::Release => ("on_sale", "reserved", "reserved"),
        ListingMove::Sell => ("sold", "on_sale", "reserved"),
    };
    sqlx::query!(
        "UPDATE listing SET status = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND status IN (?, ?)",
        to,
        naive(now),
        listing_id,
        from_a,
        from_b
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ---- payment attempts ----

pub struct AttemptRow {
    pub id: u64,
    pub order_id: u64,
    pub attempt_key: String,
    pub provider: String,
    pub amount: u32,
    pub provider_ref: Option<String>,
    pub checkout_url: Option<String>,
    pub status: String,
}

pub async fn insert_attempt(
    pool: &MySqlPool,
    order_id: u64,
    key: &str,
    provider: &str,
    amount: u32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let r = sqlx::query!(
        "INSERT IGNORE INTO payment (order_id, attempt_key, provider, amount, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'ready', ?, ?)",
        order_id,
        key,
        provider,
        amount,
        naive(now),
        naive(now)
    )
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn attempt(pool: &MySqlPool, key: &str) -> AppResult<Option<AttemptRow>> {
    // Keys come back in URLs anyone can edit; ours are UUIDs, and the ASCII column
    // would refuse to compare anything else rather than find nothing.
    if uuid::Uuid::parse_str(key).is_err() {
        return Ok(None);
    }
    Ok(sqlx::query_as!(
        AttemptRow,
        "SELECT id, order_id, attempt_key, provider AS `provider: String`, amount, provider_ref,
                checkout_url, status AS `status: String`
         FROM payment WHERE attempt_key = ?",
        key
    )
    .fetch_optional(pool)
    .await?)
}

pub async fn set_checkout(
    pool: &MySqlPool,
    key: &str,
    provider_ref: Option<&str>,
    url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET provider_ref = ?, checkout_url = ?, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        provider_ref,
        url,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Records why an attempt did not go through (the buyer may try again).
pub async fn fail_attempt(
    pool: &MySqlPool,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let message: String = message.chars().take(300).collect();
    sqlx::query!(
        "UPDATE payment SET status = 'failed', failure = ?, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        message,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Notes a problem without ending the attempt (outcome unknown: it may be retried).
pub async fn note_attempt(
    pool: &MySqlPool,
    key: &str,
    message: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET failure = ?, updated_at = ? WHERE attempt_key = ? AND status = 'ready'",
        message,
        naive(now),
        key
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The attempt is approved; the unique `approved_order_id` refuses a second approval
/// for the same order (returns false, and the caller refunds this one).
pub async fn approve_attempt(
    tx: &mut Tx<'_>,
    key: &str,
    order_id: u64,
    provider_ref: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let r = sqlx::query!(
        "UPDATE payment SET status = 'approved', approved_order_id = ?, provider_ref = ?,
                failure = NULL, updated_at = ?
         WHERE attempt_key = ? AND status = 'ready'",
        order_id,
        provider_ref,
        naive(now),
        key
    )
    .execute(&mut **tx)
    .await;
    match r {
        Ok(r) => Ok(r.rows_affected() == 1),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The approved payment of an order, if any: (attempt key, provider, provider ref).
pub async fn approved_payment(
    pool: &MySqlPool,
    order_id: u64,
) -> AppResult<Option<(String, String, String)>> {
    Ok(sqlx::query!(
        "SELECT attempt_key, provider AS `provider: String`, provider_ref FROM payment
         WHERE approved_order_id = ?",
        order_id
    )
    .fetch_optional(pool)
    .await?
    .map(|r| {
        (
            r.attempt_key,
            r.provider,
            r.provider_ref.unwrap_or_default(),
        )
    }))
}

pub async fn mark_refunded(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET status = 'cancelled', updated_at = ? WHERE approved_order_id = ?",
        naive(now),
        order_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Why the latest attempt of a still-pending order failed.
pub async fn last_failure(pool: &MySqlPool, order_id: u64) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT failure FROM payment WHERE order_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        order_id
    )
    .fetch_optional(pool)
    .await?
    .flatten())
}

// ---- transitions: each returns whether it happened ----

pub async fn mark_paid(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'paid', paid_at = ?, expires_at = NULL, updated_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at > ?",
        naive(now),
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_shipped(
    tx: &mut Tx<'_>,
    id: u64,
    carrier: &str,
    tracking_no: &str,
    auto_confirm_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'shipped', carrier = ?, tracking_no = ?, shipped_at = ?,
                auto_confirm_at = ?, updated_at = ?
         WHERE id = ? AND status = 'paid' AND delivery = 'parcel'",
        carrier,
        tracking_no,
        naive(now),
        naive(auto_confirm_at),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// The buyer has the book: from shipped, or from paid for a hand-over in person.
pub async fn mark_received(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, updated_at = ?
         WHERE id = ? AND (status = 'shipped' OR (status = 'paid' AND delivery <> 'parcel'))",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Auto-confirm: only when due and not paused by a dispute.
pub async fn mark_auto_received(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, auto_confirmed = TRUE,
                updated_at = ?
         WHERE id = ? AND status = 'shipped' AND disputed_at IS NULL AND auto_confirm_at <= ?",
        naive(now),
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// An admin ends a dispute in the seller's favour: the buyer is deemed to have the book.
pub async fn mark_released(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'received', received_at = ?, updated_at = ?
         WHERE id = ? AND status IN ('paid', 'shipped') AND disputed_at IS NOT NULL",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_completed(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'completed', completed_at = ?, updated_at = ?
         WHERE id = ? AND status = 'agreed'",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Cancels from `from` (the state the caller saw), freeing the listing for others. Who
/// may cancel from which state is the service's rule (shipped: an admin resolving a dispute).
pub async fn mark_cancelled(
    tx: &mut Tx<'_>,
    id: u64,
    from: OrderStatus,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'cancelled', live_listing_id = NULL, cancelled_at = ?,
                cancel_reason = ?, updated_at = ?
         WHERE id = ? AND status = ? AND status IN ('pending', 'agreed', 'paid', 'shipped')",
        naive(now),
        reason,
        naive(now),
        id,
        from.as_db()
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_expired(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET status = 'expired', live_listing_id = NULL, updated_at = ?
         WHERE id = ? AND status = 'pending' AND expires_at <= ?",
        naive(now),
        id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn mark_disputed(
    tx: &mut Tx<'_>,
    id: u64,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(sqlx::query!(
        "UPDATE trade_order SET disputed_at = ?, dispute_reason = ?, updated_at = ?
         WHERE id = ? AND status IN ('paid', 'shipped') AND disputed_at IS NULL",
        naive(now),
        reason,
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// received → settled with the seller's payout; the payout's primary key makes a second
/// settlement of the same order impossible.
pub async fn settle(tx: &mut Tx<'_>, id: u64, now: DateTime<Utc>) -> AppResult<bool> {
    let moved = sqlx::query!(
        "UPDATE trade_order SET status = 'settled', settled_at = ?, updated_at = ?
         WHERE id = ? AND status = 'received'",
        naive(now),
        naive(now),
        id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if moved {
        sqlx::query!(
            "INSERT INTO payout (order_id, seller_id, amount, created_at)
             SELECT id, seller_id, amount, ? FROM trade_order WHERE id = ?",
            naive(now),
            id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(moved)
}

/// Orders the sweeper must act on now.
pub async fn due(pool: &MySqlPool, now: DateTime<Utc>, limit: u32) -> AppResult<Due> {
    let expired = sqlx::query_scalar!(
        "SELECT id FROM trade_order WHERE status = 'pending' AND expires_at <= ? LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    let auto_confirm = sqlx::query_scalar!(
        "SELECT id FROM trade_order
         WHERE status = 'shipped' AND auto_confirm_at <= ? AND disputed_at IS NULL LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    let reviews = sqlx::query_scalar!(
        "SELECT id FROM review WHERE counted = FALSE AND visible_at <= ? LIMIT ?",
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?;
    // Cancelled after payment but the refund call failed: retried until it goes through.
    let refunds = sqlx::query_scalar!(
        "SELECT o.id FROM trade_order o JOIN payment p ON p.approved_order_id = o.id
         WHERE o.status = 'cancelled' AND p.status = 'approved' LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(Due {
        refunds,
        expired,
        auto_confirm,
        reviews,
    })
}

/// Confirmed orders waiting for settlement (asked after auto-confirm, so the ones it
/// just confirmed settle in the same sweep).
pub async fn to_settle(pool: &MySqlPool, limit: u32) -> AppResult<Vec<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM trade_order WHERE status = 'received' LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?)
}

pub struct Due {
    pub refunds: Vec<u64>,
    pub expired: Vec<u64>,
    pub auto_confirm: Vec<u64>,
    pub reviews: Vec<u64>,
}

pub async fn expire_attempts(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    sqlx::query!(
        "UPDATE payment SET status = 'failed', failure = '결제 시간이 지났습니다.', updated_at = ?
         WHERE order_id = ? AND status = 'ready'",
        naive(now),
        order_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ---- trust ----

/// Recomputes a member's trust score from its stored inputs (same transaction as the
/// change of those inputs, so the row lock orders concurrent updates).
pub async fn refresh_trust(tx: &mut Tx<'_>, member_id: u64) -> AppResult<()> {
    let m = sqlx::query!(
        "SELECT review_count, review_star_sum, completed_trades FROM member WHERE id = ?",
        member_id
    )
    .fetch_one(&mut **tx)
    .await?;
    let score = trust_score(m.review_count, m.review_star_sum, m.completed_trades);
    sqlx::query!(
        "UPDATE member SET trust_score = ? WHERE id = ?",
        score,
        member_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Both sides of a finished trade get a completed trade on their record.
pub async fn count_trade(tx: &mut Tx<'_>, buyer_id: u64, seller_id: u64) -> AppResult<()> {
    sqlx::query!(
        "UPDATE member SET completed_trades = completed_trades + 1 WHERE id IN (?, ?)",
        buyer_id,
        seller_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_trust(tx, buyer_id).await?;
    refresh_trust(tx, seller_id).await
}

// ---- reviews ----

#[allow(clippy::too_many_arguments)]
pub async fn insert_review(
    tx: &mut Tx<'_>,
    order_id: u64,
    reviewer_id: u64,
    reviewee_id: u64,
    role: TradeRole,
    stars: u8,
    body: &str,
    now: DateTime<Utc>,
    visible_at: DateTime<Utc>,
) -> AppResult<bool> {
    let role = match role {
        TradeRole::Buyer => "buyer",
        TradeRole::Seller => "seller",
    };
    let r = sqlx::query!(
        "INSERT INTO review (order_id, reviewer_id, reviewee_id, reviewer_role, stars, body,
                             created_at, visible_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        order_id,
        reviewer_id,
        reviewee_id,
        role,
        stars,
        body,
        naive(now),
        naive(visible_at)
    )
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Once both sides have written, both reviews show at once.
pub async fn reveal_if_both(tx: &mut Tx<'_>, order_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    let written = sqlx::query_scalar!("SELECT COUNT(*) FROM review WHERE order_id = ?", order_id)
        .fetch_one(&mut **tx)
        .await?;
    if written == 2 {
        sqlx::query!(
            "UPDATE review SET visible_at = LEAST(visible_at, ?) WHERE order_id = ?",
            naive(now),
            order_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Adds a visible review to its reviewee's score, exactly once.
pub async fn count_review(tx: &mut Tx<'_>, review_id: u64, now: DateTime<Utc>) -> AppResult<()> {
    let marked = sqlx::query!(
        "UPDATE review SET counted = TRUE WHERE id = ? AND counted = FALSE AND visible_at <= ?",
        review_id,
        naive(now)
    )
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !marked {
        return Ok(());
    }
    let r = sqlx::query!(
        "SELECT reviewee_id, stars FROM review WHERE id = ?",
        review_id
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE member SET review_count = review_count + 1, review_star_sum = review_star_sum + ?
         WHERE id = ?",
        r.stars,
        r.reviewee_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_trust(tx, r.reviewee_id).await
}

pub async fn order_review_ids(tx: &mut Tx<'_>, order_id: u64) -> AppResult<Vec<u64>> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM review WHERE order_id = ?", order_id)
            .fetch_all(&mut **tx)
            .await?,
    )
}

pub struct ReviewRow {
    pub reviewer_id: u64,
    pub stars: u8,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub visible_at: NaiveDateTime,
    pub reviewer_nickname: String,
}

impl ReviewRow {
    pub fn view(&self) -> ReviewView {
        ReviewView {
            stars: self.stars,
            body: self.body.clone(),
            reviewer_nickname: self.reviewer_nickname.clone(),
            created_at: self.created_at.and_utc(),
        }
    }
}

pub async fn order_reviews(pool: &MySqlPool, order_id: u64) -> AppResult<Vec<ReviewRow>> {
    Ok(sqlx::query_as!(
        ReviewRow,
        "SELECT r.reviewer_id, r.stars, r.body, r.created_at, r.visible_at,
                m.nickname AS reviewer_nickname
         FROM review r JOIN member m ON m.id = r.reviewer_id WHERE r.order_id = ?",
        order_id
    )
    .fetch_all(pool)
    .await?)
}

/// Visible reviews of a member, newest first.
pub async fn reviews_of(
    pool: &MySqlPool,
    member_id: u64,
    now: DateTime<Utc>,
    limit: u32,
) -> AppResult<Vec<ReviewView>> {
    Ok(sqlx::query!(
        "SELECT r.stars, r.body, r.created_at, m.nickname AS reviewer_nickname
         FROM review r JOIN member m ON m.id = r.reviewer_id
         WHERE r.reviewee_id = ? AND r.visible_at <= ?
         ORDER BY r.visible_at DESC, r.id DESC LIMIT ?",
        member_id,
        naive(now),
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| ReviewView {
        stars: r.stars,
        body: r.body,
        reviewer_nickname: r.reviewer_nickname,
        created_at: r.created_at.and_utc(),
    })
    .collect())
}

// ---- trade history ----

pub struct HistoryQuery {
    pub member_id: u64,
    pub role: TradeRole,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub status: Option<OrderStatus>,
    pub after: Option<TradeCursor>,
    pub limit: u32,
}

/// One side's trades, newest first, keyset on (created_at, id) over
/// ix_order_buyer / ix_order_seller.
pub async fn history(pool: &MySqlPool, q: &HistoryQuery) -> AppResult<Vec<TradeRow>> {
    let from = q.from.map(naive);
    let until = q.until.map(naive);
    let status_filter = q.status.map(|s| s.as_db());
    let (after_at, after_id) = match q.after {
        Some(c) => (Some(naive(c.created_at)), c.id),
        None => (None, u64::MAX),
    };
    // One query per side, so each walks its own (side_id, created_at, id) index; the
    // keyset is spelled out (MariaDB scans on row-tuple comparisons).
    let rows = match q.role {
        TradeRole::Buyer => {
            sqlx::query_as!(
                HistoryRow,
                "SELECT o.id, o.order_no, o.book_title, o.amount, o.status AS `status: String`,
                    o.created_at, m.nickname AS counterpart
             FROM trade_order o JOIN member m ON m.id = o.seller_id
             WHERE o.buyer_id = ?
               AND (? IS NULL OR o.created_at >= ?) AND (? IS NULL OR o.created_at < ?)
               AND (? IS NULL OR o.status = ?)
               AND (? IS NULL OR o.created_at < ? OR (o.created_at = ? AND o.id < ?))
             ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
                q.member_id,
                from,
                from,
                until,
                until,
                status_filter,
                status_filter,
                after_at,
                after_at,
                after_at,
                after_id,
                q.limit
            )
            .fetch_all(pool)
            .await?
        }
        TradeRole::Seller => {
            sqlx::query_as!(
                HistoryRow,
                "SELECT o.id, o.order_no, o.book_title, o.amount, o.status AS `status: String`,
                    o.created_at, m.nickname AS counterpart
             FROM trade_order o JOIN member m ON m.id = o.buyer_id
             WHERE o.seller_id = ?
               AND (? IS NULL OR o.created_at >= ?) AND (? IS NULL OR o.created_at < ?)
               AND (? IS NULL OR o.status = ?)
               AND (? IS NULL OR o.created_at < ? OR (o.created_at = ? AND o.id < ?))
             ORDER BY o.created_at DESC, o.id DESC LIMIT ?",
                q.member_id,
                from,
                from,
                until,
                until,
                status_filter,
                status_filter,
                after_at,
                after_at,
                after_at,
                after_id,
                q.limit
            )
            .fetch_all(pool)
            .await?
        }
    };
    rows.into_iter()
        .map(|r| {
            Ok(TradeRow {
                id: r.id,
                order_no: r.order_no,
                title: r.book_title,
                amount: i64::from(r.amount),
                status: status(&r.status)?,
                counterpart: r.counterpart,
                created_at: r.created_at.and_utc(),
            })
        })
        .collect()
}

/// A trade-history row as selected (either side).
struct HistoryRow {
    id: u64,
    order_no: String,
    book_title: String,
    amount: u32,
    status: String,
    created_at: NaiveDateTime,
    counterpart: String,
}

pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "ordered" => "주문했어요",
        "agreed" => "직거래 약속을 잡았어요",
        "payment_failed" => "결제가 실패했어요",
        "paid" => "결제했어요 (안전결제 보관 중)",
        "shipped" => "발송했어요",
        "received" => "구매를 확정했어요",
        "auto_received" => "자동으로 구매 확정되었어요",
        "settled" => "판매 대금이 정산되었어요",
        "completed" => "거래를 완료했어요",
        "cancelled" => "주문을 취소했어요",
        "refunded" => "결제를 환불했어요",
        "expired" => "결제 시간이 지나 주문이 취소되었어요",
        "disputed" => "문제를 신고했어요 (자동 확정 보류)",
        "released" => "관리자가 판매자에게 정산하기로 했어요",
        _ => "기록",
    }
}

pub fn to_events(rows: Vec<(String, DateTime<Utc>)>) -> Vec<OrderEvent> {
    rows.into_iter()
        .map(|(kind, at)| OrderEvent {
            label: event_label(&kind).to_owned(),
            kind,
            at,
        })
        .collect()
}
