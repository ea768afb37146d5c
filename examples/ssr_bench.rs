//! Search-results page throughput: the app's Leptos SSR route against a control that a
//! team without Leptos would write, a plain axum handler running the same SQL (the same
//! search and category-tree queries) and rendering the same visible HTML with askama.
//!
//!   DATABASE_URL=mysql://…/bench_1m cargo run --release --features ssr --example ssr_bench
//!
//! Both routers are served on loopback by this process (2 Tokio workers); a client on
//! its own thread keeps CONCURRENCY requests in flight for ROUND seconds, alternating
//! Leptos and control rounds so machine noise hits both alike. Prints requests/s per
//! round, the medians and their ratio, and each page's bytes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::serve::ListenerExt;
use bread_book::features::catalog::server::repo as catalog_repo;
use bread_book::features::catalog::types::filter_options;
use bread_book::features::listings::types::{ListingCard, ListingStatus};
use bread_book::features::photos::types::thumb_url;
use bread_book::features::reviews::types::BreadGrade;
use bread_book::features::search::pages::{params_from_query, search_url};
use bread_book::features::search::server::repo::search;
use bread_book::features::search::types::distance_label;
use bread_book::server::{AppState, clock::SystemClock, config::Config, router};
use bread_book::ui::format::{now_utc, relative_time, won};
use leptos::config::LeptosOptions;
use leptos_router::params::ParamsMap;
use sqlx::mysql::MySqlPoolOptions;

const CONCURRENCY: usize = 16;
const ROUND: Duration = Duration::from_secs(8);
const ROUNDS: usize = 5;

struct Card {
    href: String,
    title: String,
    initial: String,
    cover: Option<String>,
    author: String,
    publisher: String,
    price: String,
    status: Option<&'static str>,
    condition: &'static str,
    parcel: bool,
    meet: bool,
    seller: String,
    grade: u8,
    grade_name: &'static str,
    distance: Option<String>,
    meet_label: Option<String>,
    created_at: String,
    created_ago: String,
}

impl Card {
    fn new(l: ListingCard, now: chrono::DateTime<chrono::Utc>) -> Self {
        let grade = BreadGrade::from_score(l.seller_trust);
        Card {
            href: format!("/listings/{}", l.id),
            initial: l.title.chars().next().map(String::from).unwrap_or_default(),
            cover: l.cover.as_deref().map(thumb_url),
            title: l.title,
            author: l.author,
            publisher: l.publisher,
            price: won(l.price),
            status: (l.status != ListingStatus::OnSale).then(|| l.status.label()),
            condition: l.condition.label(),
            parcel: l.parcel,
            meet: l.meet,
            seller: l.seller_nickname,
            grade: grade.0,
            grade_name: grade.name(),
            distance: l.distance_m.map(distance_label),
            meet_label: l.meet_label,
            created_at: l.created_at.to_rfc3339(),
            created_ago: relative_time(l.created_at, now),
        }
    }
}

/// The same markup the Leptos page ends up with (header, filters, cards, "더 보기"),
/// without hydration data: a plain server-rendered page.
#[derive(Template)]
#[template(
    ext = "html",
    source = r##"<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="theme-color" content="#c8792f"><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/pkg/bread-book.css"><title>{{ heading }} · 책빵</title></head><body><a href="#main" class="skip-link">본문으로 건너뛰기</a><header class="site-header"><div class="container header-row"><a href="/" aria-label="책빵 홈" class="logo"><img src="/favicon.svg" alt="" width="28" height="28"><span>책빵</span></a><form role="search" method="get" action="/search" class="search-box"><label class="sr-only" for="header-q">책 검색</label><input id="header-q" type="search" name="q" maxlength="100" placeholder="책 제목, 저자, ISBN 검색" value="{{ q }}"><button type="submit" aria-label="검색"><svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2.2"></circle><line x1="16.5" y1="16.5" x2="21" y2="21" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"></line></svg></button></form><nav aria-label="계정" class="account-nav"><a href="/login" class="nav-link">로그인</a><a href="/signup" class="button small">회원가입</a></nav></div></header><main id="main" class="container"><h1 data-test="search-heading" class="section-title">{{ heading }}</h1><form method="get" action="/search" data-test="search-filters" class="search-filters"><input type="hidden" name="q" value="{{ q }}"><label><span>분야</span><select name="category" data-test="filter-category"><option value="">전체</option>{% for (id, label) in categories %}<option value="{{ id }}">{{ label }}</option>{% endfor %}</select></label><label><span>정렬</span><select name="sort" data-test="filter-sort"><option value="" selected>최신순</option><option value="price_asc">낮은 가격순</option><option value="price_desc">높은 가격순</option><option value="trust">신뢰도순</option><option value="distance">가까운 순</option></select></label><div class="near-me"><button type="button" data-test="near-me" class="button secondary small">내 위치에서 가까운 순</button></div><label><span>판매자 빵등급</span><select name="grade" data-test="filter-grade"><option value="" selected>전체</option><option value="2">반죽 이상</option><option value="3">모닝빵 이상</option><option value="4">식빵 이상</option><option value="5">크루아상 이상</option></select></label><label><span>상태</span><select name="condition" data-test="filter-condition"><option value="" selected>전체</option><option value="good">상</option><option value="fair">중</option><option value="poor">하</option></select></label><div class="price-range"><label><span>최저 가격</span><input type="text" inputmode="numeric" name="min_price" placeholder="원"></label><label><span>최고 가격</span><input type="text" inputmode="numeric" name="max_price" placeholder="원"></label></div><div class="price-range"><label><span>출간 연도부터</span><input type="text" inputmode="numeric" name="year_from" placeholder="예: 2018" maxlength="4"></label><label><span>까지</span><input type="text" inputmode="numeric" name="year_to" placeholder="예: 2024" maxlength="4"></label></div><label class="check"><input type="checkbox" name="parcel" value="1"><span>택배</span></label><label class="check"><input type="checkbox" name="meet" value="1"><span>직거래</span></label><button type="submit" data-test="filter-apply" class="button small">적용</button></form><ul data-test="listing-grid" class="listing-grid">{% for c in cards %}<li data-test="listing-card" class="listing-card"><a href="{{ c.href }}" aria-label="{{ c.title }}" class="card-link"></a><div aria-hidden="true" class="cover">{% match c.cover %}{% when Some with (src) %}<img src="{{ src }}" alt="" loading="lazy" decoding="async">{% when None %}<span>{{ c.initial }}</span>{% endmatch %}</div><div class="body"><h3 class="title">{{ c.title }}</h3><p class="author">{{ c.author }} · {{ c.publisher }}</p><p class="price">{{ c.price }}</p><p class="badges">{% if let Some(s) = c.status %}<span class="badge status">{{ s }}</span>{% endif %}<span class="badge cond-{{ c.condition }}">상태 {{ c.condition }}</span>{% if c.parcel %}<span class="badge">택배</span>{% endif %}{% if c.meet %}<span class="badge">직거래</span>{% endif %}</p><p class="meta">{{ c.seller }} <span class="grade-chip g{{ c.grade }}" data-test="grade-chip" data-grade="{{ c.grade }}" title="빵등급 {{ c.grade }}단계">{{ c.grade_name }}</span> · {% if let Some(d) = c.distance %}<span class="distance" data-test="distance">{{ d }}</span> · {% endif %}{% if let Some(m) = c.meet_label %}{{ m }} · {% endif %}<time datetime="{{ c.created_at }}">{{ c.created_ago }}</time></p></div></li>{% endfor %}</ul>{% if let Some(href) = more %}<a data-test="more" href="{{ href }}" class="button secondary block more">더 보기</a>{% endif %}</main><nav aria-label="주요 메뉴" class="bottom-nav"><a href="/" aria-current="page">홈</a><a href="/search">검색</a><a href="/sell">판매하기</a><a href="/categories">분야</a><a href="/me">내 정보</a></nav></body></html>"##
)]
struct SearchHtml {
    heading: String,
    q: String,
    categories: Vec<(u32, String)>,
    cards: Vec<Card>,
    more: Option<String>,
}

async fn control(
    State(pool): State<sqlx::MySqlPool>,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Html<String>, axum::http::StatusCode> {
    let internal = |_| axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    let mut map = ParamsMap::new();
    for (k, v) in query {
        map.insert(k, v);
    }
    let params = params_from_query(&map);
    let (page, tree) =
        tokio::try_join!(search(&pool, &params), catalog_repo::all(&pool)).map_err(internal)?;
    let now = now_utc();
    let html = SearchHtml {
        heading: if params.q.is_empty() {
            "책 둘러보기".to_owned()
        } else {
            format!("'{}' 검색 결과", params.q)
        },
        q: params.q.clone(),
        categories: filter_options(&tree),
        more: page.next.map(|after| search_url(&params, Some(after))),
        cards: page.items.into_iter().map(|l| Card::new(l, now)).collect(),
    };
    html.render()
        .map(Html)
        .map_err(|_| axum::http::StatusCode::INTERNAL_SERVER_ERROR)
}

async fn serve(app: axum::Router) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // As main.rs serves: a streamed page's last piece must not wait on Nagle.
    let listener = listener.tap_io(|tcp| {
        tcp.set_nodelay(true).ok();
    });
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .ok();
    });
    Ok(addr)
}

/// Requests per second over one round, each response read to its end.
fn drive(url: String) -> anyhow::Result<(f64, usize)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(CONCURRENCY)
            .build()?;
        let done = Arc::new(AtomicU64::new(0));
        let bytes = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + ROUND;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CONCURRENCY {
            let (client, url, done, bytes) =
                (client.clone(), url.clone(), done.clone(), bytes.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let res = client.get(&url).send().await?;
                    anyhow::ensure!(
                        res.status().is_success(),
                        "{} answered {}",
                        url,
                        res.status()
                    );
                    let body = res.bytes().await?;
                    bytes.store(body.len() as u64, Ordering::Relaxed);
                    done.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let rps = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
        Ok((rps, bytes.load(Ordering::Relaxed) as usize))
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (leptos_addr, control_addr, term) = server.block_on(async {
        let pool = MySqlPoolOptions::new()
            .max_connections(16)
            .connect(&url)
            .await?;
        // A word in about 1% of listings: the page fills (20 cards and "더 보기") and the
        // query costs a few milliseconds, like a typical textbook search.
        let term: String = sqlx::query_scalar(
            "SELECT term FROM listing_term WHERE CHAR_LENGTH(term) = 2 AND term REGEXP '^[가-힣]+$'
             GROUP BY term HAVING COUNT(*) BETWEEN 5000 AND 20000 ORDER BY term LIMIT 1",
        )
        .fetch_one(&pool)
        .await?;
        let options = LeptosOptions::builder()
            .output_name("bread-book")
            .site_root("target/site")
            .build();
        // The pool above (16 connections) is the one both servers use.
        let state = AppState::new(
            options,
            pool.clone(),
            Arc::new(SystemClock),
            Config::for_tests(url.clone()),
        )?;
        let leptos = serve(router::build(state)).await?;
        let control = serve(
            axum::Router::new()
                .route("/search", axum::routing::get(control))
                .with_state(pool),
        )
        .await?;
        anyhow::Ok((leptos, control, term))
    })?;

    let query = format!(
        "/search?q={}",
        bread_book::ui::format::percent_encode(&term)
    );
    println!(
        "query: {query} ({CONCURRENCY} in flight, {} s rounds)",
        ROUND.as_secs()
    );
    println!("| round | Leptos SSR req/s | axum + askama req/s |");
    println!("|---|---|---|");
    // Same data on both pages: the same listings in the same order.
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let listings_on = |addr: SocketAddr| -> anyhow::Result<Vec<String>> {
        let body = client.block_on(async {
            reqwest::get(format!("http://{addr}{query}"))
                .await?
                .text()
                .await
        })?;
        Ok(body
            .match_indices("href=\"/listings/")
            .map(|(at, _)| body[at..].split('"').nth(1).unwrap_or_default().to_owned())
            .collect())
    };
    let shown = listings_on(leptos_addr)?;
    anyhow::ensure!(
        shown.len() == 20,
        "expected a full page, got {}",
        shown.len()
    );
    anyhow::ensure!(
        shown == listings_on(control_addr)?,
        "the two pages list different books"
    );
    let (mut leptos, mut control) = (Vec::new(), Vec::new());
    let (mut leptos_bytes, mut control_bytes) = (0, 0);
    // One warm-up round each, not counted.
    drive(format!("http://{leptos_addr}{query}"))?;
    drive(format!("http://{control_addr}{query}"))?;
    for round in 1..=ROUNDS {
        let (l, lb) = drive(format!("http://{leptos_addr}{query}"))?;
        let (c, cb) = drive(format!("http://{control_addr}{query}"))?;
        println!("| {round} | {l:.0} | {c:.0} |");
        leptos.push(l);
        control.push(c);
        (leptos_bytes, control_bytes) = (lb, cb);
    }
    let (l, c) = (median(leptos), median(control));
    println!("| median | {l:.0} | {c:.0} |");
    println!("ratio Leptos / control: {:.2}", l / c);
    println!("page bytes: Leptos {leptos_bytes} (with hydration data), control {control_bytes}");
    drop(server);
    Ok(())
}
