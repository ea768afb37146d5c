use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::MySqlPool;

use super::manage::NewStatus;
use crate::error::{AppError, AppResult};
use crate::features::catalog::types::BookInfo;
use crate::features::listings::types::{
    Condition, ConditionChecklist, DeliveryWays, ListingCard, ListingDetail, ListingStatus,
    PaymentWays, PriceGuide, SaleWays, SellerSummary, SoldPoint, ValidListing, median,
};
use crate::features::notifications::server::repo::{self as notice_repo, WishChange};
use crate::server::db::known;

mod reactions;
mod sellers;

pub use reactions::*;
pub use sellers::*;

/// A listing's `condition` column as its domain type.
pub fn condition_of(raw: &str) -> AppResult<Condition> {
    known(Condition::from_db(raw), "listing.condition", raw)
}

/// A listing's `status` column as its domain type.
pub fn status_of(raw: &str) -> AppResult<ListingStatus> {
    known(ListingStatus::from_db(raw), "listing.status", raw)
}

/// A listing card as selected from listing ⋈ book ⋈ member (shared by every feed).
#[derive(sqlx::FromRow)]
pub struct CardRow {
    pub id: u64,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub price: u32,
    pub condition: String,
    pub status: String,
    pub delivery: String,
    pub meet_label: Option<String>,
    pub seller_nickname: String,
    pub seller_trust: u16,
    pub created_at: NaiveDateTime,
    pub cover_photo: Option<String>,
}

impl TryFrom<CardRow> for ListingCard {
    type Error = AppError;
    fn try_from(r: CardRow) -> Result<Self, AppError> {
        let delivery = DeliveryWays::from_db(&r.delivery);
        Ok(ListingCard {
            id: r.id,
            condition: condition_of(&r.condition)?,
            status: status_of(&r.status)?,
            parcel: delivery.parcel,
            meet: delivery.meet,
            title: r.title,
            author: r.author,
            publisher: r.publisher,
            price: i64::from(r.price),
            meet_label: r.meet_label,
            seller_nickname: r.seller_nickname,
            seller_trust: r.seller_trust,
            distance_m: None,
            created_at: r.created_at.and_utc(),
            cover: r.cover_photo,
        })
    }
}

/// Newest listings on sale; walks the (status, created_at, id) index from its end.
pub async fn newest_on_sale(pool: &MySqlPool, limit: u32) -> AppResult<Vec<ListingCard>> {
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.status = 'on_sale'
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT ?",
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}

/// The book row for these facts. `typed_by: None` is the shared catalog row (facts from a
/// catalog source, or an admin's): the existing one for a known ISBN, left as it is.
/// `Some(seller)` is that seller's own row for an ISBN no source knows, which takes the
/// facts they typed last; nobody else's listing or lookup sees it.
pub async fn book_id_for(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    book: &BookInfo,
    typed_by: Option<u64>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    // LAST_INSERT_ID(id) makes the duplicate case report the existing row's id.
    Ok(sqlx::query!(
        "INSERT INTO book
             (isbn13, title, author, publisher, published_on, cover_url, typed_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE
             id = LAST_INSERT_ID(id),
             title = IF(typed_by IS NULL, title, VALUES(title)),
             author = IF(typed_by IS NULL, author, VALUES(author)),
             publisher = IF(typed_by IS NULL, publisher, VALUES(publisher))",
        book.isbn13,
        book.title,
        book.author,
        book.publisher,
        book.published_on,
        book.cover_url,
        typed_by,
        now.naive_utc(),
    )
    .execute(&mut **tx)
    .await?
    .last_insert_id())
}

fn defects(c: &ConditionChecklist) -> String {
    [
        (c.writing, "writing"),
        (c.water_damage, "water_damage"),
        (c.torn_pages, "torn_pages"),
        (c.missing_supplements, "missing_supplements"),
    ]
    .into_iter()
    .filter_map(|(on, v)| on.then_some(v))
    .collect::<Vec<_>>()
    .join(",")
}

fn checklist_from(defects: &str) -> ConditionChecklist {
    let has = |d: &str| defects.split(',').any(|x| x == d);
    ConditionChecklist {
        writing: has("writing"),
        water_damage: has("water_damage"),
        torn_pages: has("torn_pages"),
        missing_supplements: has("missing_supplements"),
    }
}

fn meet_parts(v: &ValidListing) -> (Option<String>, Option<f64>, Option<f64>) {
    match &v.meet {
        Some((label, lat, lng)) => (Some(label.clone()), *lat, *lng),
        None => (None, None, None),
    }
}

/// The seller's listing made under `create_key`, if one was.
pub async fn listing_by_create_key(
    pool: &MySqlPool,
    seller_id: u64,
    create_key: &str,
) -> AppResult<Option<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT id FROM listing WHERE seller_id = ? AND create_key = ?",
        seller_id,
        create_key
    )
    .fetch_optional(pool)
    .await?)
}

pub async fn insert_listing(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    seller_id: u64,
    book_id: u64,
    v: &ValidListing,
    create_key: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let (meet_label, meet_lat, meet_lng) = meet_parts(v);
    Ok(sqlx::query!(
        "INSERT INTO listing (seller_id, book_id, category_id, price, `condition`, defects, delivery,
                              meet_label, meet_lat, meet_lng, payment_ways, description, status,
                              create_key, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'on_sale', ?, ?, ?)",
        seller_id,
        book_id,
        v.category_id,
        v.price,
        v.condition.as_db(),
        defects(&v.checklist),
        v.delivery.join(","),
        meet_label,
        meet_lat,
        meet_lng,
        v.payment_ways.join(","),
        v.description,
        create_key,
        now.naive_utc(),
        now.naive_utc(),
    )
    .execute(&mut **tx)
    .await?
    .last_insert_id())
}

/// The seller of a live (not deleted) listing.
pub async fn seller_of(pool: &MySqlPool, id: u64) -> AppResult<Option<u64>> {
    Ok(sqlx::query_scalar!(
        "SELECT seller_id FROM listing WHERE id = ? AND status <> 'deleted'",
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// The current price, locking the row until the edit commits (the search index's price
/// postings move with it).
pub async fn price_for_update(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    id: u64,
) -> Result<Option<i64>, sqlx::Error> {
    Ok(
        sqlx::query_scalar!("SELECT price FROM listing WHERE id = ? FOR UPDATE", id)
            .fetch_optional(&mut **tx)
            .await?
            .map(i64::from),
    )
}

/// Updates everything but the book and the status, if nobody changed the listing since
/// `version` was read. Returns false on a lost race.
pub async fn update_listing(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    id: u64,
    version: u32,
    v: &ValidListing,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let (meet_label, meet_lat, meet_lng) = meet_parts(v);
    let updated = sqlx::query!(
        "UPDATE listing SET category_id = ?, price = ?, `condition` = ?, defects = ?, delivery = ?,
                meet_label = ?, meet_lat = ?, meet_lng = ?, payment_ways = ?, description = ?,
                updated_at = ?, version = version + 1
         WHERE id = ? AND version = ? AND status <> 'deleted'",
        v.category_id,
        v.price,
        v.condition.as_db(),
        defects(&v.checklist),
        v.delivery.join(","),
        meet_label,
        meet_lat,
        meet_lng,
        v.payment_ways.join(","),
        v.description,
        now.naive_utc(),
        id,
        version,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// What `set_status_in` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSet {
    Changed,
    /// Gone already, or already so: nothing changed and nobody was told.
    Unchanged,
    /// A live order holds the listing; its status follows the order.
    Held,
}

/// The status change in the caller's transaction, its wishers told with it.
///
/// The listing row is locked first: placing an order writes that row first too
/// (`orders_placed`), so an order and a status change run one after the other and
/// whichever comes second sees the first; on Galera the second to commit is refused by
/// certification and retried (`db::retry_conflicts`).
pub async fn set_status_in(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    id: u64,
    status: NewStatus,
    now: DateTime<Utc>,
) -> AppResult<StatusSet> {
    let (db_status, change) = match status {
        NewStatus::Set(s) => (s.as_db(), WishChange::Status(s)),
        NewStatus::Delete => ("deleted", WishChange::Removed),
    };
    let current = sqlx::query_scalar!(
        "SELECT status AS `status: String` FROM listing
         WHERE id = ? AND status <> 'deleted' FOR UPDATE",
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    if current.is_none_or(|s| s == db_status) {
        return Ok(StatusSet::Unchanged);
    }
    let held = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM trade_order WHERE live_listing_id = ? LOCK IN SHARE MODE",
        id
    )
    .fetch_one(&mut **tx)
    .await?;
    if held > 0 {
        return Ok(StatusSet::Held);
    }
    sqlx::query!(
        "UPDATE listing SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        db_status,
        now.naive_utc(),
        id
    )
    .execute(&mut **tx)
    .await?;
    notice_repo::tell_wishers(tx, id, change, now).await?;
    Ok(StatusSet::Changed)
}

pub async fn detail(
    pool: &MySqlPool,
    id: u64,
) -> AppResult<Option<(ListingDetail, Option<String>)>> {
    let Some(r) = sqlx::query!(
        "SELECT l.id, b.isbn13, b.title, b.author, b.publisher, b.published_on, l.category_id,
                c.path AS `category_path?`, l.price, l.`condition` AS `condition: String`,
                l.defects AS `defects: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                CAST(l.meet_lat AS DOUBLE) AS `meet_lat: f64`, CAST(l.meet_lng AS DOUBLE) AS `meet_lng: f64`,
                l.payment_ways AS `payment_ways: String`, l.description, l.seller_id,
                m.nickname AS seller_nickname, l.created_at, l.version, l.wish_count
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         LEFT JOIN category c ON c.id = l.category_id
         WHERE l.id = ? AND l.status <> 'deleted'",
        id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let delivery = DeliveryWays::from_db(&r.delivery);
    let pay = PaymentWays::from_db(&r.payment_ways);
    let detail = ListingDetail {
        id: r.id,
        isbn13: r.isbn13,
        title: r.title,
        author: r.author,
        publisher: r.publisher,
        published_on: r.published_on,
        category_id: r.category_id,
        category_trail: Vec::new(),
        price: i64::from(r.price),
        condition: condition_of(&r.condition)?,
        checklist: checklist_from(&r.defects),
        status: status_of(&r.status)?,
        parcel: delivery.parcel,
        pickup: delivery.pickup,
        meet: delivery.meet,
        meet_label: r.meet_label,
        meet_lat: r.meet_lat,
        meet_lng: r.meet_lng,
        pay_safe: pay.safe_pay,
        pay_transfer: pay.bank_transfer,
        pay_cash: pay.cash,
        description: r.description,
        photos: Vec::new(),
        seller_id: r.seller_id,
        seller_nickname: r.seller_nickname,
        seller: SellerSummary::default(),
        created_at: r.created_at.and_utc(),
        version: r.version,
        can_edit: false,
        wish_count: r.wish_count,
        wished: false,
        courses: Vec::new(),
    };
    Ok(Some((detail, r.category_path)))
}

/// Lowest price on sale and recent sold prices for one ISBN (the (book_id, status,
/// price) index serves both). `other_than` leaves one listing out of those on sale: the
/// one its seller is editing, which is no competitor of its own.
pub async fn price_guide(
    pool: &MySqlPool,
    isbn13: &str,
    other_than: Option<u64>,
    sold_since: DateTime<Utc>,
) -> AppResult<PriceGuide> {
    let on_sale = sqlx::query!(
        "SELECT MIN(l.price) AS `lowest: u32`, COUNT(*) AS n FROM listing l JOIN book b ON b.id = l.book_id
         WHERE b.isbn13 = ? AND l.status = 'on_sale' AND l.id <> COALESCE(?, 0)",
        isbn13,
        other_than
    )
    .fetch_one(pool)
    .await?;
    let sold = sqlx::query!(
        "SELECT l.price, l.updated_at FROM listing l JOIN book b ON b.id = l.book_id
         WHERE b.isbn13 = ? AND l.status = 'sold' AND l.updated_at >= ?
         ORDER BY l.updated_at",
        isbn13,
        sold_since.naive_utc()
    )
    .fetch_all(pool)
    .await?;
    let sold: Vec<SoldPoint> = sold
        .into_iter()
        .map(|r| SoldPoint {
            on: r.updated_at.date(),
            price: i64::from(r.price),
        })
        .collect();
    let mut prices: Vec<i64> = sold.iter().map(|p| p.price).collect();
    let usual_category_id = sqlx::query_scalar!(
        "SELECT l.category_id AS `category_id!: u32` FROM listing l JOIN book b ON b.id = l.book_id
         WHERE b.isbn13 = ? AND l.category_id IS NOT NULL AND l.status <> 'deleted'
         GROUP BY l.category_id ORDER BY COUNT(*) DESC, MAX(l.id) DESC LIMIT 1",
        isbn13
    )
    .fetch_optional(pool)
    .await?;
    Ok(PriceGuide {
        lowest_on_sale: on_sale.lowest.map(i64::from),
        on_sale: on_sale.n as u32,
        median_sold: median(&mut prices),
        sold,
        usual_category_id,
    })
}

/// The delivery and payment ways of the seller's latest listing.
pub async fn last_sale_ways(pool: &MySqlPool, seller_id: u64) -> AppResult<Option<SaleWays>> {
    let Some(r) = sqlx::query!(
        "SELECT delivery AS `delivery: String`, meet_label,
                CAST(meet_lat AS DOUBLE) AS `meet_lat: f64`, CAST(meet_lng AS DOUBLE) AS `meet_lng: f64`,
                payment_ways AS `payment_ways: String`
         FROM listing WHERE seller_id = ? AND status <> 'deleted' ORDER BY id DESC LIMIT 1",
        seller_id
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let delivery = DeliveryWays::from_db(&r.delivery);
    let pay = PaymentWays::from_db(&r.payment_ways);
    Ok(Some(SaleWays {
        parcel: delivery.parcel,
        pickup: delivery.pickup,
        meet: delivery.meet,
        meet_label: r.meet_label,
        meet_lat: r.meet_lat,
        meet_lng: r.meet_lng,
        pay_safe: pay.safe_pay,
        pay_transfer: pay.bank_transfer,
        pay_cash: pay.cash,
    }))
}

pub async fn similar(pool: &MySqlPool, id: u64, limit: u32) -> AppResult<Vec<ListingCard>> {
    let Some(this) = sqlx::query!("SELECT book_id, category_id FROM listing WHERE id = ?", id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Vec::new());
    };
    let mut rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM listing l
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE l.book_id = ? AND l.status = 'on_sale' AND l.id <> ?
         ORDER BY l.price
         LIMIT ?",
        this.book_id,
        id,
        limit
    )
    .fetch_all(pool)
    .await?;
    let room = limit.saturating_sub(rows.len() as u32);
    if let (Some(category), true) = (this.category_id, room > 0) {
        rows.extend(
            sqlx::query_as!(
                CardRow,
                "SELECT l.id, b.title, b.author, b.publisher, l.price,
                        l.`condition` AS `condition: String`, l.status AS `status: String`,
                        l.delivery AS `delivery: String`, l.meet_label,
                        m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
                 FROM listing l
                 JOIN book b ON b.id = l.book_id
                 JOIN member m ON m.id = l.seller_id
                 WHERE l.category_id = ? AND l.status = 'on_sale' AND l.book_id <> ?
                 ORDER BY l.created_at DESC
                 LIMIT ?",
                category,
                this.book_id,
                room
            )
            .fetch_all(pool)
            .await?,
        );
    }
    rows.into_iter().map(ListingCard::try_from).collect()
}
