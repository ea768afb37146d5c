//! Demo marketplace for a fresh database: members, real Korean books, listings. Runs
//! only when the database has no members, so a second run keeps the user's data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::MySqlPool;

use super::clock::Clock;
use super::password;

/// Facts only (ISBN, title, author, publisher, date); checksums verified by a test.
pub const DEMO_BOOKS: &str = include_str!("../../seed/books.tsv");

/// Demo course filings: school, course, professor (invented), ISBN of a demo book.
pub const DEMO_COURSES: &str = include_str!("../../seed/courses.tsv");

/// Every demo member signs in with this password (README says so).
pub const DEMO_PASSWORD: &str = "Bread1234";

const DEMO_MEMBERS: [(&str, &str, &str, bool); 6] = [
    ("bookworm01", "책벌레", "김서연", false),
    ("sinchon22", "신촌헌책방", "박지훈", false),
    ("kaistcs", "카이스트새내기", "이도윤", false),
    ("maporeader", "마포독서가", "최하은", false),
    ("busanbook", "부산책방", "정민준", false),
    ("breadadmin", "책빵관리자", "관리자", true),
];

const MEET_PLACES: [&str; 6] = [
    "신촌역 2번 출구",
    "홍대입구역 9번 출구",
    "서울대입구역 3번 출구",
    "부산대역 1번 출구",
    "대전 궁동 로데오거리",
    "강남역 11번 출구",
];

pub struct DemoBook<'a> {
    pub isbn13: &'a str,
    pub title: &'a str,
    pub author: &'a str,
    pub publisher: &'a str,
    pub published_on: Option<NaiveDate>,
    /// Category names from the root, "/"-separated ("문학/한국문학").
    pub category_path: &'a str,
}

pub fn demo_books() -> impl Iterator<Item = DemoBook<'static>> {
    DEMO_BOOKS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() == 6).then(|| DemoBook {
                isbn13: cols[0],
                title: cols[1],
                author: cols[2],
                publisher: cols[3],
                published_on: NaiveDate::parse_from_str(cols[4], "%Y-%m-%d").ok(),
                category_path: cols[5],
            })
        })
}

pub async fn seed_demo_if_empty(pool: &MySqlPool, clock: &dyn Clock) -> anyhow::Result<()> {
    let members: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM member")
        .fetch_one(pool)
        .await?;
    if members > 0 {
        return refile_uncategorised_demo_listings(pool).await;
    }
    let now = clock.now();
    let mut tx = pool.begin().await?;

    let mut member_ids = Vec::new();
    for (i, (login_id, nickname, name, is_admin)) in DEMO_MEMBERS.iter().enumerate() {
        let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
        let joined = (now - Duration::days(90 - i as i64 * 7)).naive_utc();
        let id = sqlx::query!(
            "INSERT INTO member (login_id, email, password_hash, name, nickname, birth_date,
                                 is_admin, email_verified_at, trust_score, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            login_id,
            format!("{login_id}@demo.breadbook.kr"),
            hash,
            name,
            nickname,
            NaiveDate::from_ymd_opt(1998 + i as i32, 3 + i as u32, 10 + i as u32),
            is_admin,
            joined,
            crate::features::reviews::types::trust_score(0, 0, 0),
            joined,
            joined,
        )
        .execute(&mut *tx)
        .await?
        .last_insert_id();
        for kind in ["terms", "privacy"] {
            sqlx::query!(
                "INSERT INTO member_consent (member_id, kind, version, agreed, created_at)
                 VALUES (?, ?, '2026-11-01', TRUE, ?)",
                id,
                kind,
                joined
            )
            .execute(&mut *tx)
            .await?;
        }
        if !is_admin {
            member_ids.push(id);
        }
    }

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
        .execute(&mut *tx)
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
                category_id_by_path(&mut tx, book.category_path).await?,
                price,
                condition,
                delivery,
                meet,
                payment,
                "한 번 읽고 보관만 했어요. 사진 참고해 주세요.",
                posted,
                posted
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    seed_trades(&mut tx, &member_ids, now).await?;
    seed_courses(&mut tx, now).await?;
    tx.commit().await?;
    crate::features::search::server::repo::index_pending(pool).await?;
    tracing::info!(members = DEMO_MEMBERS.len(), "demo marketplace loaded");
    Ok(())
}

/// Demo course filings, so "수업으로 교재 찾기" has something to find on a fresh demo.
async fn seed_courses(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::features::courses::{server::repo, types::CourseFiling};
    for (school, name, professor, isbn13) in demo_courses() {
        let school_id = sqlx::query_scalar!("SELECT id FROM school WHERE name = ?", school)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo course at unknown school {school}"))?;
        let filing = CourseFiling {
            school_id,
            name: name.to_owned(),
            professor: professor.to_owned(),
        };
        let course_id = repo::course_id_for(tx, &filing, None, now).await?;
        let filed = sqlx::query!(
            "INSERT INTO course_book (course_id, book_id, filed_at)
             SELECT ?, id, ? FROM book WHERE isbn13 = ? AND typed_by IS NULL",
            course_id,
            now.naive_utc(),
            isbn13
        )
        .execute(&mut **tx)
        .await?;
        anyhow::ensure!(
            filed.rows_affected() == 1,
            "demo course book {isbn13} missing"
        );
    }
    Ok(())
}

pub fn demo_courses()
-> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    DEMO_COURSES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| match l.split('\t').collect::<Vec<_>>()[..] {
            [school, name, professor, isbn13] => Some((school, name, professor, isbn13)),
            _ => None,
        })
}

/// Finished trades between demo members, so the bread grades, reviews and the sold-price
/// chart of a fresh demo rest on real orders (settled through the sandbox) and reviews.
async fn seed_trades(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    member_ids: &[u64],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::features::orders::server::repo::{self as orders, Event};
    use crate::features::orders::types::{EventKind, OrderStatus, TradeRole};
    use crate::features::reviews::server::repo as reviews;

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
        reviews::insert_review(
            tx,
            order,
            buyer,
            seller,
            TradeRole::Buyer,
            stars,
            text,
            visible,
            visible,
        )
        .await?;
        reviews::insert_review(
            tx,
            order,
            seller,
            buyer,
            TradeRole::Seller,
            5,
            "빠른 거래 감사합니다.",
            visible,
            visible,
        )
        .await?;
        for review in reviews::order_review_ids(tx, order).await? {
            reviews::count_review(tx, review, now).await?;
        }
    }
    Ok(())
}

/// Demo data made before the category tree existed lost its categories in that
/// migration; file those listings again so an existing demo stays browsable.
async fn refile_uncategorised_demo_listings(pool: &MySqlPool) -> anyhow::Result<()> {
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

/// Walks "문학/한국문학" down the category tree by name.
async fn category_id_by_path(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    path: &str,
) -> anyhow::Result<Option<u32>> {
    let mut parent: Option<u32> = None;
    for name in path.split('/') {
        let id = sqlx::query_scalar!(
            "SELECT id FROM category WHERE parent_id <=> ? AND name = ?",
            parent,
            name
        )
        .fetch_optional(&mut **tx)
        .await?;
        match id {
            Some(id) => parent = Some(id),
            None => anyhow::bail!("demo book filed under unknown category {path}"),
        }
    }
    Ok(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_book_has_a_valid_isbn13_and_a_date() {
        let books: Vec<_> = demo_books().collect();
        assert!(books.len() >= 30, "a few dozen books, got {}", books.len());
        for b in &books {
            let digits: Vec<u32> = b.isbn13.chars().filter_map(|c| c.to_digit(10)).collect();
            assert_eq!(digits.len(), 13, "{}", b.isbn13);
            let sum: u32 = digits[..12]
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum();
            assert_eq!(
                (10 - sum % 10) % 10,
                digits[12],
                "checksum of {} {}",
                b.isbn13,
                b.title
            );
            assert!(b.published_on.is_some(), "{}", b.title);
            assert!(!b.category_path.is_empty(), "{}", b.title);
        }
        let mut isbns: Vec<_> = books.iter().map(|b| b.isbn13).collect();
        isbns.sort();
        isbns.dedup();
        assert_eq!(isbns.len(), books.len(), "duplicate ISBN");
    }

    #[test]
    fn every_demo_course_files_a_demo_book() {
        let isbns: Vec<_> = demo_books().map(|b| b.isbn13).collect();
        let courses: Vec<_> = demo_courses().collect();
        assert!(courses.len() >= 10, "{}", courses.len());
        for (school, name, professor, isbn13) in courses {
            assert!(
                isbns.contains(&isbn13),
                "{name}: {isbn13} is not a demo book"
            );
            let checked = crate::features::courses::types::check_course(Some(1), name, professor);
            assert!(matches!(checked, Ok(Some(_))), "{school} {name}");
        }
    }
}
