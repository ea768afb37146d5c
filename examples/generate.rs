//! Fills a database with a realistic synthetic marketplace for benchmarks:
//!
//!   DATABASE_URL=mysql://… cargo run --release --features ssr --example generate -- 1000000
//!
//! members = listings/20, books = listings/5 (Korean textbook-style titles with particles
//! glued on, Korean authors and publishers), listings over the last year with 80% on
//! sale, and their search terms from the app's own tokenizer. Deterministic (fixed seed).
//! The database must be migrated and empty of generated rows; foreign keys and unique
//! checks are off for this session only, and terms are inserted in primary-key order.

use std::collections::HashMap;
use std::time::Instant;

use bread_book::features::catalog::types::isbn13_check_digit;
use bread_book::features::search::server::repo::{
    TERMS_VERSION, add_words, listing_terms, listing_words,
};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, MySql, MySqlConnection, QueryBuilder};

const SUBJECTS: &[&str] = &[
    "자바",
    "파이썬",
    "스프링",
    "리액트",
    "자바스크립트",
    "타입스크립트",
    "러스트",
    "코틀린",
    "운영체제",
    "데이터베이스",
    "알고리즘",
    "자료구조",
    "컴퓨터구조",
    "네트워크",
    "머신러닝",
    "딥러닝",
    "선형대수",
    "미적분",
    "확률과 통계",
    "일반화학",
    "유기화학",
    "일반물리학",
    "경제학",
    "미시경제학",
    "거시경제학",
    "회계원리",
    "재무관리",
    "경영학",
    "마케팅",
    "심리학",
    "사회학",
    "정치학",
    "행정학",
    "법학",
    "민법",
    "형법",
    "헌법",
    "한국사",
    "세계사",
    "철학",
    "윤리학",
    "교육학",
    "간호학",
    "해부학",
    "생리학",
    "영어회화",
    "토익",
    "일본어",
    "중국어",
    "글쓰기",
    "디자인",
    "사진",
    "요리",
    "여행",
    "육아",
    "주식투자",
    "부동산",
];
const PATTERNS: &[&str] = &[
    "{s} 입문",
    "이것이 {s}다",
    "혼자 공부하는 {s}",
    "{s}의 정석",
    "{s}를 위한 {t}",
    "모던 {s} 가이드",
    "{s} 완벽 가이드",
    "Do it! {s}",
    "{s} 개론",
    "쉽게 배우는 {s}",
    "{s}으로 배우는 {t}",
    "{s}에서 {t}까지",
    "처음 만나는 {s}",
    "{s} 핵심 노트",
    "실전 {s}",
    "{s}과 {t}",
    "{s} 연습문제 풀이",
    "그림으로 이해하는 {s}",
    "{s} 바이블",
    "{s}은 처음이라",
];
const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
];
const GIVEN: &[&str] = &[
    "민준", "서연", "도윤", "지우", "하준", "서윤", "은우", "하은", "지호", "수아", "예준", "지유",
    "현우", "채원", "건우", "다은", "우진", "소윤", "선우", "윤서", "준서", "민서", "유준", "예린",
];
const PUBLISHERS: &[&str] = &[
    "한빛미디어",
    "길벗",
    "이지스퍼블리싱",
    "인사이트",
    "위키북스",
    "생능출판",
    "한티미디어",
    "박영사",
    "법문사",
    "창비",
    "민음사",
    "문학동네",
    "김영사",
    "교학사",
    "학지사",
    "시그마프레스",
    "퍼스트북",
    "청문각",
    "홍릉",
    "에이콘출판",
];
/// Leaf categories the generator files books under (ids from the category migration).
const CATEGORIES: &[u32] = &[102, 103, 141, 142, 148, 154, 155, 156, 157, 158];
/// Series names built from 240 syllables spread over the Hangul block: each of their
/// bigrams is on a handful of books, like a professor's name or a course code, which
/// makes rare-term queries realistic (a few to a few dozen listings).
fn rare_syllable(rng: &mut StdRng) -> char {
    char::from_u32(0xAC00 + rng.random_range(0..240u32) * 46).expect("in the Hangul block")
}

fn isbn13(serial: u64) -> String {
    let body = format!("97911{serial:07}");
    let check = isbn13_check_digit(&body);
    format!("{body}{check}")
}

struct GenBook {
    title: String,
    author: String,
    publisher: &'static str,
    category: u32,
}

/// Meet places across the country (label, latitude, longitude); listings scatter
/// around them by up to ~1 km.
const PLACES: [(&str, f64, f64); 8] = [
    ("신촌역", 37.5551, 126.9368),
    ("홍대입구역", 37.5572, 126.9245),
    ("강남역", 37.4979, 127.0276),
    ("서울대입구역", 37.4812, 126.9527),
    ("대전 궁동", 36.3623, 127.3456),
    ("대구 동성로", 35.8690, 128.5950),
    ("부산대역", 35.2298, 129.0891),
    ("광주 충장로", 35.1490, 126.9139),
];

struct GenListing {
    id: u64,
    /// Index into PLACES and a jitter in 1e-5 degrees, for listings met in person.
    place: Option<(usize, i32, i32)>,
    seller: u64,
    book: u64,
    at: NaiveDateTime,
    price: u32,
    condition: &'static str,
    delivery: &'static str,
    status: &'static str,
}

fn book(rng: &mut StdRng, n: u64) -> GenBook {
    let s = SUBJECTS[rng.random_range(0..SUBJECTS.len())];
    let t = SUBJECTS[rng.random_range(0..SUBJECTS.len())];
    let mut title = PATTERNS[rng.random_range(0..PATTERNS.len())]
        .replace("{s}", s)
        .replace("{t}", t);
    if n.is_multiple_of(3) {
        // Edition or volume, and a rare three-syllable series name on some.
        title.push_str(&format!(" {}판", rng.random_range(2..9)));
    }
    if n.is_multiple_of(7) {
        let rare: String = (0..3).map(|_| rare_syllable(rng)).collect();
        title.push_str(&format!(" {rare} 시리즈"));
    }
    let author = format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    );
    GenBook {
        title,
        author,
        publisher: PUBLISHERS[rng.random_range(0..PUBLISHERS.len())],
        category: CATEGORIES[rng.random_range(0..CATEGORIES.len())],
    }
}

async fn start_ids(conn: &mut MySqlConnection, table: &str) -> anyhow::Result<u64> {
    let next: Option<u64> =
        // The table name is one of our constants, never input.
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT CAST(MAX(id) AS UNSIGNED) FROM {table}")))
            .fetch_one(&mut *conn)
            .await?;
    Ok(next.unwrap_or(0) + 1)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listings: u64 = std::env::args()
        .nth(1)
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
    let books = (listings / 5).max(1);
    let members = (listings / 20).max(1);
    let mut rng = StdRng::seed_from_u64(20261124);
    let mut conn = MySqlConnection::connect(&url).await?;
    sqlx::query("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        .execute(&mut conn)
        .await?;
    let started = Instant::now();
    let now = NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(3, 0, 0)
        .unwrap();
    let password_hash = bread_book::server::password::hash("Bread1234".into()).await?;

    let first_member = start_ids(&mut conn, "member").await?;
    for chunk in (0..members).collect::<Vec<_>>().chunks(1000) {
        let mut q = QueryBuilder::<MySql>::new(
            "INSERT INTO member (id, login_id, email, password_hash, name, nickname, birth_date,
                                 completed_trades, review_count, review_star_sum, trust_score,
                                 created_at, updated_at) ",
        );
        q.push_values(chunk, |mut row, &i| {
            let id = first_member + i;
            let joined = now - Duration::days(400) + Duration::minutes(i as i64 % 500_000);
            // A track record per member: most have a few trades, some many; reviews on
            // about two thirds of them, mostly good.
            let trades = [0u32, 0, 1, 2, 3, 5, 8, 13, 21, 34][(id % 10) as usize];
            let reviews = trades * 2 / 3;
            let stars = reviews * [5, 5, 4, 4, 3, 2][(id % 6) as usize];
            row.push_bind(id)
                .push_bind(format!("gen{id}"))
                .push_bind(format!("gen{id}@gen.breadbook.kr"))
                .push_bind(&password_hash)
                .push_bind("생성회원")
                .push_bind(format!("빵{id}"))
                .push_bind(NaiveDate::from_ymd_opt(2000, 1, 1))
                .push_bind(trades)
                .push_bind(reviews)
                .push_bind(stars)
                .push_bind(bread_book::features::reviews::types::trust_score(
                    reviews, stars, trades,
                ))
                .push_bind(joined)
                .push_bind(joined);
        });
        q.build().execute(&mut conn).await?;
    }
    println!(
        "members  {members:>9} in {:>6.1}s",
        started.elapsed().as_secs_f64()
    );

    let first_book = start_ids(&mut conn, "book").await?;
    let mut catalog = Vec::with_capacity(books as usize);
    let ids: Vec<u64> = (0..books).collect();
    for chunk in ids.chunks(1000) {
        let mut q = QueryBuilder::<MySql>::new(
            "INSERT INTO book (id, isbn13, title, author, publisher, published_on, created_at) ",
        );
        let rows: Vec<(u64, GenBook)> = chunk.iter().map(|&i| (i, book(&mut rng, i))).collect();
        q.push_values(&rows, |mut row, (i, b)| {
            row.push_bind(first_book + i)
                .push_bind(isbn13(first_book + i))
                .push_bind(&b.title)
                .push_bind(&b.author)
                .push_bind(b.publisher)
                .push_bind(NaiveDate::from_ymd_opt(
                    2005 + (*i % 20) as i32,
                    1 + (*i % 12) as u32,
                    1,
                ))
                .push_bind(now);
        });
        q.build().execute(&mut conn).await?;
        catalog.extend(rows.into_iter().map(|(_, b)| b));
    }
    println!(
        "books    {books:>9} in {:>6.1}s",
        started.elapsed().as_secs_f64()
    );

    // Term vocabulary interned; (term rank, listing) pairs sorted into index order.
    let first_listing = start_ids(&mut conn, "listing").await?;
    let book_terms: Vec<Vec<String>> = catalog
        .iter()
        .map(|b| listing_terms(&b.title, &b.author, b.publisher))
        .collect();
    let mut vocabulary: Vec<String> = book_terms.iter().flatten().cloned().collect();
    vocabulary.sort();
    vocabulary.dedup();
    let rank: HashMap<&str, u32> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i as u32))
        .collect();
    let book_ranks: Vec<Vec<u32>> = book_terms
        .iter()
        .map(|ts| ts.iter().map(|t| rank[t.as_str()]).collect())
        .collect();
    let mut postings: Vec<(u32, u64)> = Vec::new();
    let mut prices: Vec<u32> = Vec::with_capacity(listings as usize);

    let span_minutes = 365 * 24 * 60;
    let ids: Vec<u64> = (0..listings).collect();
    for chunk in ids.chunks(2000) {
        let mut q = QueryBuilder::<MySql>::new(
            "INSERT INTO listing (id, seller_id, book_id, category_id, price, `condition`, delivery, meet_label,
             meet_lat, meet_lng, payment_ways, description, status, created_at, updated_at, terms_version) ",
        );
        let rows: Vec<GenListing> = chunk
            .iter()
            .map(|&i| {
                let id = first_listing + i;
                let b = rng.random_range(0..books);
                let seller = first_member + rng.random_range(0..members);
                // Ids follow creation time, as they do in the app.
                let at = now - Duration::minutes(span_minutes)
                    + Duration::minutes((i * span_minutes as u64 / listings) as i64);
                let price = (rng.random_range(10..400u32)) * 100;
                let condition = ["good", "fair", "poor"][rng.random_range(0..3)];
                let delivery =
                    ["parcel", "meet", "parcel,meet", "parcel,pickup"][rng.random_range(0..4)];
                let place = delivery.contains("meet").then(|| {
                    (
                        rng.random_range(0..PLACES.len()),
                        rng.random_range(-1000..=1000),
                        rng.random_range(-1000..=1000),
                    )
                });
                let status = if rng.random_ratio(4, 5) {
                    "on_sale"
                } else {
                    ["reserved", "sold", "sold"][rng.random_range(0..3)]
                };
                GenListing {
                    id,
                    place,
                    seller,
                    book: b,
                    at,
                    price,
                    condition,
                    delivery,
                    status,
                }
            })
            .collect();
        q.push_values(&rows, |mut row, l| {
            row.push_bind(l.id)
                .push_bind(l.seller)
                .push_bind(first_book + l.book)
                .push_bind(catalog[l.book as usize].category)
                .push_bind(l.price)
                .push_bind(l.condition)
                .push_bind(l.delivery)
                .push_bind(l.place.map(|(p, _, _)| PLACES[p].0))
                .push_bind(l.place.map(|(p, dy, _)| PLACES[p].1 + f64::from(dy) * 1e-5))
                .push_bind(l.place.map(|(p, _, dx)| PLACES[p].2 + f64::from(dx) * 1e-5))
                .push_bind("cash,bank_transfer")
                .push_bind("")
                .push_bind(l.status)
                .push_bind(l.at)
                .push_bind(l.at)
                .push_bind(TERMS_VERSION);
        });
        q.build().execute(&mut conn).await?;
        for l in &rows {
            postings.extend(book_ranks[l.book as usize].iter().map(|&r| (r, l.id)));
            prices.push(l.price);
        }
    }
    println!(
        "listings {listings:>9} in {:>6.1}s",
        started.elapsed().as_secs_f64()
    );

    postings.sort_unstable();
    for chunk in postings.chunks(5000) {
        let mut q = QueryBuilder::<MySql>::new("INSERT INTO listing_term (term, listing_id) ");
        q.push_values(chunk, |mut row, (r, id)| {
            row.push_bind(vocabulary[*r as usize].as_str())
                .push_bind(*id);
        });
        q.build().execute(&mut conn).await?;
    }
    println!(
        "terms    {:>9} in {:>6.1}s ({} distinct)",
        postings.len(),
        started.elapsed().as_secs_f64(),
        vocabulary.len()
    );
    // The price-ordered copy of the same postings.
    let mut by_price: Vec<(u32, u32, u64)> = postings
        .iter()
        .map(|&(r, id)| (r, prices[(id - first_listing) as usize], id))
        .collect();
    drop(postings);
    by_price.sort_unstable();
    for chunk in by_price.chunks(5000) {
        let mut q =
            QueryBuilder::<MySql>::new("INSERT INTO listing_term_price (term, price, listing_id) ");
        q.push_values(chunk, |mut row, (r, price, id)| {
            row.push_bind(vocabulary[*r as usize].as_str())
                .push_bind(*price)
                .push_bind(*id);
        });
        q.build().execute(&mut conn).await?;
    }
    println!(
        "by price {:>9} in {:>6.1}s",
        by_price.len(),
        started.elapsed().as_secs_f64()
    );
    // The whole-word vocabulary typo correction looks words up in.
    let mut words: Vec<String> = catalog
        .iter()
        .flat_map(|b| listing_words(&b.title, &b.author, b.publisher))
        .collect();
    words.sort_unstable();
    words.dedup();
    for chunk in words.chunks(5000) {
        add_words(&mut conn, chunk).await?;
    }
    println!(
        "words    {:>9} in {:>6.1}s",
        words.len(),
        started.elapsed().as_secs_f64()
    );
    sqlx::query(
        "ANALYZE TABLE listing, listing_term, listing_term_price, book, member, search_word",
    )
    .execute(&mut conn)
    .await?;
    Ok(())
}
