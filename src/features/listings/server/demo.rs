//! Demo listings: one or two per demo book, from the demo members (see `server::seed`).

use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use crate::features::catalog::server::demo::{category_id_by_path, demo_books};
use crate::server::db::Tx;

pub const MEET_PLACES: [&str; 6] = [
    "신촌역 2번 출구",
    "홍대입구역 9번 출구",
    "서울대입구역 3번 출구",
    "부산대역 1번 출구",
    "대전 궁동 로데오거리",
    "강남역 11번 출구",
];

/// The demo books and their listings, posted over the last few days.
pub async fn seed_listings(
    tx: &mut Tx<'_>,
    member_ids: &[u64],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for (i, book) in demo_books().enumerate() {
        let book_id = sqlx::query!(
            "INSERT INTO book (isbn13, title, author, publisher, published_on, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            book.isbn13,
            book.title,
            book.author,
            book.publisher,
            book.published_on,
            now.naive_utc()
        )
        .execute(&mut **tx)
        .await?
        .last_insert_id();
        // One listing per book, a second for every third: a spread of sellers,
        // prices, conditions and delivery ways, posted over the last few days.
        for copy in 0..(1 + usize::from(i.is_multiple_of(3))) {
            let n = i * 7 + copy * 3;
            let seller = member_ids[n % member_ids.len()];
            let price = 3000 + ((n * 2300) % 22000) as u32 / 500 * 500;
            let condition = ["good", "fair", "poor", "good"][n % 4];
            let (delivery, meet) = match n % 3 {
                0 => ("parcel", None),
                1 => ("meet", Some(MEET_PLACES[n % MEET_PLACES.len()])),
                _ => (
                    "parcel,meet",
                    Some(MEET_PLACES[(n + 2) % MEET_PLACES.len()]),
                ),
            };
            let payment = if meet.is_some() {
                "safe_pay,cash"
            } else {
                "safe_pay,bank_transfer"
            };
            let posted = (now - Duration::minutes((i * 97 + copy * 41) as i64 + 3)).naive_utc();
            sqlx::query!(
                "INSERT INTO listing (seller_id, book_id, category_id, price, `condition`, delivery,
                                      meet_label, payment_ways, description, status, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'on_sale', ?, ?)",
                seller,
                book_id,
                category_id_by_path(tx, book.category_path).await?,
                price,
                condition,
                delivery,
                meet,
                payment,
                "한 번 읽고 보관만 했어요. 사진 참고해 주세요.",
                posted,
                posted
            )
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Demo data made before the category tree existed lost its categories in that
/// migration; file those listings again so an existing demo stays browsable.
pub async fn refile_uncategorised_demo_listings(pool: &MySqlPool) -> anyhow::Result<()> {
    let uncategorised: i64 =
        sqlx::query_scalar!("SELECT COUNT(*) FROM listing WHERE category_id IS NULL")
            .fetch_one(pool)
            .await?;
    if uncategorised == 0 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    for book in demo_books() {
        let category = category_id_by_path(&mut tx, book.category_path).await?;
        sqlx::query!(
            "UPDATE listing l JOIN book b ON b.id = l.book_id
             SET l.category_id = ? WHERE b.isbn13 = ? AND l.category_id IS NULL",
            category,
            book.isbn13
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
