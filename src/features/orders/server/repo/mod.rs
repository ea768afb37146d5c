//! SQL for orders and the rows they touch, by table family: this module (orders, their
//! audit trail, the listing an order moves), `addresses`, `attempts` (payments),
//! `transitions` (status changes and what the sweeper finds due) and `history`. Every
//! state change is a conditional UPDATE whose affected-row count says whether it happened
//! (`bool`): that is what keeps replays, double clicks and races harmless on one server
//! and on a Galera cluster alike. Database words become domain types here.

pub mod addresses;
pub mod attempts;
pub mod history;
pub mod transitions;

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::MySqlPool;

use crate::error::AppResult;
use crate::features::listings::server::repo::{condition_of, status_of};
use crate::features::listings::types::{Condition, DeliveryWays, ListingStatus, PaymentWays};
use crate::features::notifications::server::repo::{self as notice_repo, WishChange};
use crate::features::orders::types::{
    AddressInput, DeliveryChoice, EventKind, OrderEvent, OrderStatus, PayMethod, ProviderKind,
};
use crate::server::db::known;
pub use crate::server::db::{Tx, naive};

pub fn order_status(s: &str) -> AppResult<OrderStatus> {
    known(OrderStatus::from_db(s), "trade_order.status", s)
}

/// A listing as the confirmation page and the order need it.
pub struct QuoteRow {
    pub listing_id: u64,
    pub seller_id: u64,
    pub seller_nickname: String,
    pub title: String,
    pub isbn13: String,
    pub price: u32,
    pub condition: Condition,
    pub status: ListingStatus,
    pub delivery: DeliveryWays,
    pub meet_label: Option<String>,
    pub payment_ways: PaymentWays,
    pub cover_photo: Option<String>,
}

pub async fn quote_listing(pool: &MySqlPool, listing_id: u64) -> AppResult<Option<QuoteRow>> {
    let Some(r) = sqlx::query!(
        "SELECT l.id AS listing_id, l.seller_id, m.nickname AS seller_nickname, b.title, b.isbn13,
                l.price, l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                l.payment_ways AS `payment_ways: String`, l.cover_photo
         FROM listing l JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id
         WHERE l.id = ? AND l.status <> 'deleted'",
        listing_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(QuoteRow {
        listing_id: r.listing_id,
        seller_id: r.seller_id,
        seller_nickname: r.seller_nickname,
        title: r.title,
        isbn13: r.isbn13,
        price: r.price,
        condition: condition_of(&r.condition)?,
        status: status_of(&r.status)?,
        delivery: DeliveryWays::from_db(&r.delivery),
        meet_label: r.meet_label,
        payment_ways: PaymentWays::from_db(&r.payment_ways),
        cover_photo: r.cover_photo,
    }))
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub listing_id: u64,
    pub buyer_id: u64,
    pub idempotency_key: &'a str,
    pub method: PayMethod,
    pub provider: Option<ProviderKind>,
    pub delivery: DeliveryChoice,
    pub status: OrderStatus,
    pub ship_to: Option<&'a AddressInput>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub enum Inserted {
    Order {
        id: u64,
        amount: u32,
        title: String,
        seller_id: u64,
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
        o.method.as_db(),
        o.provider.map(|p| p.as_db()),
        o.delivery.as_db(),
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
                "SELECT amount, book_title, seller_id FROM trade_order WHERE id = ?",
                id
            )
            .fetch_one(&mut **tx)
            .await?;
            Ok(Inserted::Order {
                id,
                amount: row.amount,
                title: row.book_title,
                seller_id: row.seller_id,
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
    pub method: PayMethod,
    pub provider: Option<ProviderKind>,
    pub delivery: DeliveryChoice,
    pub book_title: String,
    pub ship_recipient: Option<String>,
    pub ship_phone: Option<String>,
    pub ship_postcode: Option<String>,
    pub ship_address1: Option<String>,
    pub ship_address2: Option<String>,
    pub status: OrderStatus,
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

pub async fn order(pool: &MySqlPool, id: u64) -> AppResult<Option<OrderRow>> {
    let Some(r) = sqlx::query!(
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
    .await?
    else {
        return Ok(None);
    };
    let provider = match r.provider.as_deref() {
        Some(p) => Some(known(ProviderKind::from_db(p), "trade_order.provider", p)?),
        None => None,
    };
    Ok(Some(OrderRow {
        id: r.id,
        order_no: r.order_no,
        listing_id: r.listing_id,
        buyer_id: r.buyer_id,
        seller_id: r.seller_id,
        amount: r.amount,
        method: known(
            PayMethod::from_db(&r.method),
            "trade_order.method",
            &r.method,
        )?,
        provider,
        delivery: known(
            DeliveryChoice::from_db(&r.delivery),
            "trade_order.delivery",
            &r.delivery,
        )?,
        book_title: r.book_title,
        ship_recipient: r.ship_recipient,
        ship_phone: r.ship_phone,
        ship_postcode: r.ship_postcode,
        ship_address1: r.ship_address1,
        ship_address2: r.ship_address2,
        status: order_status(&r.status)?,
        expires_at: r.expires_at,
        carrier: r.carrier,
        tracking_no: r.tracking_no,
        auto_confirm_at: r.auto_confirm_at,
        disputed_at: r.disputed_at,
        dispute_reason: r.dispute_reason,
        cancel_reason: r.cancel_reason,
        created_at: r.created_at,
        buyer_nickname: r.buyer_nickname,
        seller_nickname: r.seller_nickname,
    }))
}

/// One line of an order's audit trail.
pub struct Event<'a> {
    pub kind: EventKind,
    pub from: Option<OrderStatus>,
    pub to: Option<OrderStatus>,
    pub actor: Option<u64>,
    pub detail: &'a str,
}

/// Appends to the order's audit trail.
pub async fn event(
    tx: &mut Tx<'_>,
    order_id: u64,
    e: &Event<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let detail: String = e.detail.chars().take(300).collect();
    sqlx::query!(
        "INSERT INTO payment_event (order_id, kind, from_status, to_status, actor_id, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        order_id,
        e.kind.as_db(),
        e.from.map(|s| s.as_db()),
        e.to.map(|s| s.as_db()),
        e.actor,
        detail,
        naive(now)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The order's audit trail, oldest first, as the order page shows it.
pub async fn events(pool: &MySqlPool, order_id: u64) -> AppResult<Vec<OrderEvent>> {
    sqlx::query!(
        "SELECT kind, created_at FROM payment_event WHERE order_id = ? ORDER BY created_at, id",
        order_id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        let kind = known(EventKind::from_db(&r.kind), "payment_event.kind", &r.kind)?;
        Ok(OrderEvent {
            kind,
            label: kind.label().to_owned(),
            at: r.created_at.and_utc(),
        })
    })
    .collect()
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
    use ListingStatus::{OnSale, Reserved, Sold};
    let (to, from_a, from_b) = match how {
        ListingMove::Reserve => (Reserved, OnSale, Reserved),
        ListingMove::Release => (OnSale, Reserved, Reserved),
        ListingMove::Sell => (Sold, OnSale, Reserved),
    };
    let moved = sqlx::query!(
        "UPDATE listing SET status = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND status IN (?, ?) AND status <> ?",
        to.as_db(),
        naive(now),
        listing_id,
        from_a.as_db(),
        from_b.as_db(),
        to.as_db()
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    // Those who wished it hear of the move with the step that made it.
    if moved == 1 {
        notice_repo::tell_wishers(tx, listing_id, WishChange::Status(to), now).await?;
    }
    Ok(())
}

/// How many orders are in each state, for the metrics page (an index-only scan of
/// `ix_order_expiry`, which leads with the status).
pub async fn count_by_status(pool: &MySqlPool) -> AppResult<Vec<(OrderStatus, i64)>> {
    let rows = sqlx::query!(
        "SELECT status AS `status: String`, COUNT(*) AS `orders!: i64`
           FROM trade_order GROUP BY status"
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let status = known(
                OrderStatus::from_db(&r.status),
                "trade_order.status",
                &r.status,
            )?;
            Ok((status, r.orders))
        })
        .collect()
}
