//! Finished demo trades (see `server::seed`).

use chrono::{DateTime, Duration, Utc};

use crate::features::catalog::server::demo::{category_id_by_path, demo_books};
use crate::features::listings::server::demo::MEET_PLACES;
use crate::server::db::Tx;

/// Finished trades between demo members, so the bread grades, reviews and the sold-price
/// chart of a fresh demo rest on real orders (settled through the sandbox) and reviews.
pub async fn seed_trades(
    tx: &mut Tx<'_>,
    member_ids: &[u64],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::features::orders::server::repo::{self as orders, Event};
    use crate::features::orders::types::{EventKind, OrderStatus, TradeRole};
    use crate::features::reviews::server::repo::{self as reviews, NewReview};

    const REVIEWS: [(u8, &str); 8] = [
        (
            5,
            "설명대로 깨끗한 책이었어요. 약속 시간도 잘 지켜 주셨어요.",
        ),
        (5, "필기 하나 없이 새 책 같아요. 감사합니다!"),
        (4, "모서리가 조금 눌렸지만 읽는 데 문제없어요."),
        (5, "친절하고 답장이 빨라요."),
        (3, "설명보다 밑줄이 조금 더 있었어요."),
        (5, "포장이 꼼꼼했어요."),
        (4, "거래 잘 했습니다."),
        (5, "좋은 책 싸게 잘 샀어요."),
    ];
    // Not the first book: tests watch its price guide start from the demo listings alone.
    for (i, book) in demo_books().skip(1).take(REVIEWS.len()).enumerate() {
        let seller = member_ids[i % member_ids.len()];
        let buyer = member_ids[(i + 2) % member_ids.len()];
        let sold_at = now - Duration::days(40 - i as i64 * 4);
        let listed_at = (sold_at - Duration::days(2)).naive_utc();
        let price = 4000 + (i as u32 * 1500) % 9000;
        let book_id = sqlx::query_scalar!(
            "SELECT id FROM book WHERE isbn13 = ? AND typed_by IS NULL",
            book.isbn13
        )
        .fetch_one(&mut **tx)
        .await?;
        let listing = sqlx::query!(
            "INSERT INTO listing (seller_id, book_id, category_id, price, `condition`, delivery,
                                  meet_label, payment_ways, description, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, 'good', 'meet', ?, 'safe_pay,cash', '', 'sold', ?, ?)",
            seller,
            book_id,
            category_id_by_path(tx, book.category_path).await?,
            price,
            MEET_PLACES[i % MEET_PLACES.len()],
            listed_at,
            sold_at.naive_utc()
        )
        .execute(&mut **tx)
        .await?
        .last_insert_id();
        let kst_day = (sold_at + Duration::hours(9)).format("%Y%m%d");
        let order = sqlx::query!(
            "INSERT INTO trade_order (order_no, listing_id, live_listing_id, buyer_id, seller_id,
                 idempotency_key, amount, method, provider, delivery, book_title, status,
                 paid_at, received_at, settled_at, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'safe_pay', 'sandbox', 'meet', ?, 'settled', ?, ?, ?, ?, ?)",
            format!("B{kst_day}{:06}", 900_000 + i),
            listing,
            listing,
            buyer,
            seller,
            uuid::Uuid::new_v4().to_string(),
            price,
            book.title,
            sold_at.naive_utc(),
            sold_at.naive_utc(),
            sold_at.naive_utc(),
            sold_at.naive_utc(),
            sold_at.naive_utc()
        )
        .execute(&mut **tx)
        .await?
        .last_insert_id();
        // Paid through the sandbox like any other safe-pay order: its approved payment.
        sqlx::query!(
            "INSERT INTO payment (order_id, attempt_key, provider, amount, provider_ref, status,
                                  approved_order_id, created_at, updated_at)
             VALUES (?, ?, 'sandbox', ?, ?, 'approved', ?, ?, ?)",
            order,
            uuid::Uuid::new_v4().to_string(),
            price,
            format!("sandbox-demo-{order}"),
            order,
            sold_at.naive_utc(),
            sold_at.naive_utc()
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "INSERT INTO payout (order_id, seller_id, amount, created_at) VALUES (?, ?, ?, ?)",
            order,
            seller,
            price,
            sold_at.naive_utc()
        )
        .execute(&mut **tx)
        .await?;
        let steps = [
            (EventKind::Ordered, None, Some(OrderStatus::Pending)),
            (
                EventKind::Paid,
                Some(OrderStatus::Pending),
                Some(OrderStatus::Paid),
            ),
            (
                EventKind::Received,
                Some(OrderStatus::Paid),
                Some(OrderStatus::Received),
            ),
            (
                EventKind::Settled,
                Some(OrderStatus::Received),
                Some(OrderStatus::Settled),
            ),
        ];
        for (kind, from, to) in steps {
            let event = Event {
                kind,
                from,
                to,
                actor: None,
                detail: "",
            };
            orders::event(tx, order, &event, sold_at).await?;
        }
        reviews::count_trade(tx, buyer, seller).await?;
        let (stars, text) = REVIEWS[i];
        let visible = sold_at + Duration::days(1);
        let by_buyer = NewReview {
            order_id: order,
            reviewer_id: buyer,
            reviewee_id: seller,
            role: TradeRole::Buyer,
            stars,
            body: text,
            visible_at: visible,
        };
        let by_seller = NewReview {
            order_id: order,
            reviewer_id: seller,
            reviewee_id: buyer,
            role: TradeRole::Seller,
            stars: 5,
            body: "빠른 거래 감사합니다.",
            visible_at: visible,
        };
        for review in [by_buyer, by_seller] {
            reviews::insert_review(tx, &review, visible).await?;
        }
        for review in reviews::order_review_ids(tx, order).await? {
            reviews::count_review(tx, review, now).await?;
        }
    }
    Ok(())
}
