//! Search latency through the app's own search code, against a generated database:
//!
//!   DATABASE_URL=mysql://… cargo run --release --features ssr --example search_bench
//!
//! Each case runs 10 times to warm up, then RUNS times; prints median and p95 in ms.
//! Term frequencies are read from the index so the cases mean the same at any scale.

use std::time::Instant;

use bread_book::features::listings::types::Condition;
use bread_book::features::search::server::repo::search;
use bread_book::features::search::types::{Near, SearchParams, Sort};
use sqlx::mysql::MySqlPoolOptions;

const RUNS: usize = 60;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn time_case(
    pool: &sqlx::MySqlPool,
    name: &str,
    params: &SearchParams,
) -> anyhow::Result<(f64, f64)> {
    let mut hits = 0;
    for _ in 0..10 {
        hits = search(pool, params).await?.items.len();
    }
    let mut ms = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        search(pool, params).await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let (median, p95) = (percentile(&ms, 0.5), percentile(&ms, 0.95));
    println!("| {name} | {hits} | {median:.2} | {p95:.2} |");
    Ok((median, p95))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await?;
    let listings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing")
        .fetch_one(&pool)
        .await?;
    let on_sale: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing WHERE status = 'on_sale'")
        .fetch_one(&pool)
        .await?;
    // A rare word: a term in a few dozen listings; a common one: in at least 10% of them.
    let rare: String = sqlx::query_scalar(
        "SELECT term FROM listing_term WHERE CHAR_LENGTH(term) = 2 AND term REGEXP '^[가-힣]+$'
         GROUP BY term HAVING COUNT(*) BETWEEN 20 AND 60 ORDER BY term LIMIT 1",
    )
    .fetch_one(&pool)
    .await?;
    let (common, common_df): (String, i64) = sqlx::query_as(
        "SELECT term, COUNT(*) AS n FROM listing_term WHERE term IN ('입문', '자바', '경제', '가이', '배우')
         GROUP BY term ORDER BY n DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "{listings} listings ({on_sale} on sale); rare term '{rare}', common term '{common}' in {common_df} listings ({:.1}%)\n",
        common_df as f64 * 100.0 / listings as f64
    );
    println!("| case | hits on page | median ms | p95 ms |\n| --- | ---: | ---: | ---: |");
    let q = |q: &str| SearchParams {
        q: q.into(),
        ..Default::default()
    };
    time_case(&pool, &format!("rare term `{rare}`"), &q(&rare)).await?;
    time_case(
        &pool,
        &format!("common term `{common}`, newest, top 20"),
        &q(&common),
    )
    .await?;
    time_case(&pool, "two words `자바 입문`, newest", &q("자바 입문")).await?;
    time_case(&pool, "particle-glued query `자바를`", &q("자바를")).await?;
    let filtered = SearchParams {
        q: "자료구조".into(),
        category: Some(152),
        max_price: Some(20_000),
        sort: Sort::PriceAsc,
        ..Default::default()
    };
    time_case(
        &pool,
        "`자료구조` + 대학교재 subtree + price ≤ 20,000, price ↑",
        &filtered,
    )
    .await?;
    let filtered_common = SearchParams {
        q: common.clone(),
        condition: Some(Condition::Good),
        parcel: true,
        sort: Sort::PriceDesc,
        ..Default::default()
    };
    time_case(
        &pool,
        &format!("`{common}` + 상 + parcel, price ↓"),
        &filtered_common,
    )
    .await?;
    time_case(
        &pool,
        "typo `자바스트립트`: no match, then the suggestion",
        &q("자바스트립트"),
    )
    .await?;
    // Seller grade (issue 6): the filter rides on the same driving index; the trust
    // sort has no index to follow and sorts every match.
    time_case(
        &pool,
        &format!("`{common}` + seller 식빵 이상, newest"),
        &SearchParams {
            q: common.clone(),
            min_grade: Some(4),
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        &format!("rare term `{rare}`, seller trust ↓"),
        &SearchParams {
            q: rare.clone(),
            sort: Sort::Trust,
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        "`자료구조` + 대학교재 subtree, seller trust ↓",
        &SearchParams {
            q: "자료구조".into(),
            category: Some(152),
            sort: Sort::Trust,
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        &format!("common term `{common}`, seller trust ↓"),
        &SearchParams {
            q: common.clone(),
            sort: Sort::Trust,
            ..Default::default()
        },
    )
    .await?;
    // Distance from 신촌역 (issue 4 ★): meet places inside a 50 km box, nearest first.
    let sinchon = Near::new(37.5551, 126.9368);
    time_case(
        &pool,
        &format!("rare term `{rare}`, nearest first"),
        &SearchParams {
            q: rare.clone(),
            sort: Sort::Distance,
            near: sinchon,
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        &format!("common term `{common}`, nearest first"),
        &SearchParams {
            q: common.clone(),
            sort: Sort::Distance,
            near: sinchon,
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        "no words: everything on sale, nearest first",
        &SearchParams {
            sort: Sort::Distance,
            near: sinchon,
            ..Default::default()
        },
    )
    .await?;
    time_case(
        &pool,
        "no words: 대학교재 subtree, newest",
        &SearchParams {
            category: Some(152),
            ..Default::default()
        },
    )
    .await?;

    // Page 1 vs page 500 of the common query: walk the cursors, then time page 500.
    let mut params = q(&common);
    let (p1, _) = time_case(&pool, &format!("`{common}` page 1"), &params).await?;
    for _ in 1..500 {
        let page = search(&pool, &params).await?;
        let Some(next) = page.next else { break };
        params.after = Some(next);
    }
    let (p500, _) = time_case(&pool, &format!("`{common}` page 500"), &params).await?;
    println!("\npage 500 / page 1 median: {:.2}×", p500 / p1);
    korean_typing(&pool).await
}

/// Queries typed the way Koreans type (issue 21): recall means the first page is not
/// empty and every title on it holds the book words meant.
async fn korean_typing(pool: &sqlx::MySqlPool) -> anyhow::Result<()> {
    let cases = [
        ("no spaces", "이것이자바다", "이것이 자바다"),
        ("no spaces", "혼자공부하는파이썬", "혼자 공부하는 파이썬"),
        ("no spaces", "확률과통계", "확률과 통계"),
        ("stray space", "자 바", "자바"),
        ("initials", "ㅇㄱㅇㅈㅂㄷ", "이것이 자바다"),
        ("initials", "ㅎㅈㄱㅂㅎㄴㅍㅇㅆ", "혼자 공부하는 파이썬"),
        ("initials", "ㅁㅅㄱㅈㅎ", "미시경제학"),
        ("particle", "민법의", "민법"),
        ("particle", "자료구조를", "자료구조"),
        ("typo", "파이선", "파이썬"),
        ("typo", "데이타베이스", "데이터베이스"),
        ("typo", "알고리듬", "알고리즘"),
        ("typo", "운영채제", "운영체제"),
        ("typo", "머신러님", "머신러닝"),
    ];
    println!(
        "\n| kind | typed | meant | hits on page | all hits meant | searched instead | median ms | p95 ms |"
    );
    println!("| --- | --- | --- | ---: | --- | --- | ---: | ---: |");
    let mut found = 0;
    for (kind, typed, meant) in cases {
        let params = SearchParams {
            q: typed.into(),
            ..Default::default()
        };
        let page = search(pool, &params).await?;
        let all_meant =
            !page.items.is_empty() && page.items.iter().all(|l| l.title.contains(meant));
        found += usize::from(all_meant);
        let mut ms = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            search(pool, &params).await?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "| {kind} | `{typed}` | {meant} | {} | {} | {} | {:.2} | {:.2} |",
            page.items.len(),
            if all_meant { "yes" } else { "NO" },
            page.searched_instead.as_deref().unwrap_or("–"),
            percentile(&ms, 0.5),
            percentile(&ms, 0.95)
        );
    }
    println!("\nrecall: {found} / {} queries", cases.len());
    Ok(())
}
