use reqwest::StatusCode;
use sqlx::MySqlPool;

use crate::helpers::TestApp;

#[sqlx::test]
async fn home_page_is_server_rendered_with_demo_listings(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ko""#), "Korean document");
    assert!(html.contains("방금 올라온 책"));
    assert!(
        html.contains("채식주의자"),
        "a seeded listing is rendered on the server"
    );
    let price_at = html.find(r#"class="price""#).expect("a price");
    assert!(
        html[price_at..price_at + 60].contains("원"),
        "prices in won: {}",
        &html[price_at..price_at + 60]
    );
    assert!(html.contains("/pkg/bread-book.js"), "hydration script");
    assert!(html.contains(r#"href="/pkg/bread-book.css""#), "stylesheet");

    // Seeding twice does nothing the second time.
    let listings: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM listing")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    let again: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM listing")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(listings, again);
    assert!(listings >= 40);

    // The demo members can sign in with the documented password.
    let res = app
        .login("bookworm01", bread_book::server::seed::DEMO_PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// Building a router (another instance in this process, as the two-instance chat test
/// does) must not stall the pages another router is rendering at that moment.
#[sqlx::test]
async fn pages_render_while_another_router_is_built(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    let state = app.state();
    // On another thread, so that it overlaps the renders on this test's runtime.
    let builder = tokio::task::spawn_blocking(move || {
        for _ in 0..40 {
            drop(bread_book::server::router::build(state.clone()));
        }
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap();
    for round in 0..40 {
        let res = client
            .get(format!("{}/", app.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {round}: {e}"));
        let html = res
            .text()
            .await
            .unwrap_or_else(|e| panic!("body {round}: {e}"));
        assert!(
            html.contains("채식주의자"),
            "round {round} rendered its listings"
        );
    }
    builder.await.unwrap();
}

#[sqlx::test]
async fn search_finds_by_title_author_and_isbn(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    for (q, expect) in [
        ("토비", "토비의 스프링"),
        ("한강", "소년이 온다"),
        ("978-89-364-3359-8", "채식주의자"),
    ] {
        let res = app.call("listings/search", &[("query", q)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: serde_json::Value = res.json().await.unwrap();
        let titles: Vec<&str> = body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        assert!(
            titles.iter().any(|t| t.contains(expect)),
            "{q} → {titles:?}"
        );
    }
    // LIKE wildcards typed by the user are literal characters.
    let res = app.call("listings/search", &[("query", "%")]).await;
    assert_eq!(
        res.json::<serde_json::Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let long = "가".repeat(101);
    let res = app
        .call("listings/search", &[("query", long.as_str())])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn unknown_pages_are_404_in_korean(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("페이지를 찾을 수 없습니다")
    );
}

#[sqlx::test]
async fn health_metrics_and_request_ids(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(request_id.len(), 36, "a UUID per request: {request_id}");

    app.get("/").await;
    app.call("accounts/me", &[]).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"breadbook_http_requests_total{method="GET",route="/",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="/api/accounts/me""#), "{metrics}");
    assert!(
        metrics.contains("breadbook_http_request_duration_seconds_bucket"),
        "{metrics}"
    );
    assert!(
        metrics.contains("breadbook_db_pool_max_connections 5"),
        "{metrics}"
    );
}
