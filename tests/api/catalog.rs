//! Book look-up: local catalog first, then Kakao, then Naver — real adapters against
//! local stub servers that check each request's shape the way the providers do.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::MySqlPool;

use crate::helpers::{TestApp, field_message};

const KAKAO_KEY: &str = "test-kakao-rest-key";
const NAVER_ID: &str = "test-naver-id";
const NAVER_SECRET: &str = "test-naver-secret";

#[derive(Clone, Default)]
struct Stub {
    /// Every request as "provider query".
    calls: Arc<Mutex<Vec<String>>>,
    kakao_fails: bool,
}

impl Stub {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

async fn kakao(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (AxumStatus, Json<Value>) {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("KakaoAK {KAKAO_KEY}"))
    {
        return (
            AxumStatus::UNAUTHORIZED,
            Json(json!({"errorType": "AccessDeniedError"})),
        );
    }
    let query = q.get("query").cloned().unwrap_or_default();
    let target = q.get("target").cloned().unwrap_or_default();
    stub.calls
        .lock()
        .unwrap()
        .push(format!("kakao {target} {query}"));
    if stub.kakao_fails {
        return (
            AxumStatus::INTERNAL_SERVER_ERROR,
            Json(json!({"errorType": "InternalError"})),
        );
    }
    let documents = match (target.as_str(), query.as_str()) {
        ("isbn", "9788966262472") | ("title", "러스트") => vec![json!({
            "title": "<b>러스트</b> 프로그래밍 공식 가이드",
            "contents": "…",
            "url": "https://search.daum.net/search?w=bookpage",
            "isbn": "8966262473 9788966262472",
            "datetime": "2019-11-04T00:00:00.000+09:00",
            "authors": ["스티브 클라브닉", "캐럴 니콜스"],
            "publisher": "제이펍",
            "translators": ["장현희"],
            "price": 40000,
            "sale_price": 36000,
            "thumbnail": "https://search1.kakaocdn.net/thumb/R120x174.q85/?fname=x",
            "status": "정상판매"
        })],
        _ => vec![],
    };
    (
        AxumStatus::OK,
        Json(
            json!({"meta": {"total_count": documents.len(), "pageable_count": documents.len(), "is_end": true}, "documents": documents}),
        ),
    )
}

async fn naver(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (AxumStatus, Json<Value>) {
    let id = headers
        .get("x-naver-client-id")
        .and_then(|v| v.to_str().ok());
    let secret = headers
        .get("x-naver-client-secret")
        .and_then(|v| v.to_str().ok());
    if id != Some(NAVER_ID) || secret != Some(NAVER_SECRET) {
        return (
            AxumStatus::UNAUTHORIZED,
            Json(json!({"errorCode": "024", "errorMessage": "Authentication failed"})),
        );
    }
    let query = q.get("query").cloned().unwrap_or_default();
    stub.calls.lock().unwrap().push(format!("naver {query}"));
    let items = if query == "9788966262472" {
        vec![json!({
            "title": "러스트 프로그래밍 공식 가이드",
            "link": "https://search.shopping.naver.com/book/catalog/1",
            "image": "https://shopping-phinf.pstatic.net/x.jpg",
            "author": "스티브 클라브닉^캐럴 니콜스",
            "discount": "36000",
            "publisher": "제이펍",
            "pubdate": "20191104",
            "isbn": "9788966262472",
            "description": "…"
        })]
    } else {
        vec![]
    };
    (
        AxumStatus::OK,
        Json(
            json!({"lastBuildDate": "Tue, 24 Nov 2026 12:00:00 +0900", "total": items.len(), "start": 1, "display": items.len(), "items": items}),
        ),
    )
}

async fn spawn_stub(stub: Stub) -> String {
    let app = axum::Router::new()
        .route("/v3/search/book", get(kakao))
        .route("/v1/search/book.json", get(naver))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn app_with_sources(pool: MySqlPool, stub: Stub) -> TestApp {
    let base = spawn_stub(stub).await;
    let app = TestApp::spawn_with(pool, |c| {
        c.book_sources.kakao_rest_api_key = Some(KAKAO_KEY.into());
        c.book_sources.kakao_api_base = base.clone();
        c.book_sources.naver_client = Some((NAVER_ID.into(), NAVER_SECRET.into()));
        c.book_sources.naver_api_base = base;
    })
    .await;
    assert_eq!(
        app.signup("seller01", "seller@example.com", "판매자")
            .await
            .status(),
        StatusCode::OK
    );
    app
}

async fn lookup(app: &TestApp, isbn: &str) -> reqwest::Response {
    app.call("catalog/isbn", &[("isbn", isbn)]).await
}

#[sqlx::test]
async fn anonymous_callers_cannot_use_the_catalog(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(
        lookup(&app, "9788936433598").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.call("catalog/title", &[("query", "자바")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn known_isbn_comes_from_the_local_catalog_without_calling_out(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_sources(pool, stub.clone()).await;
    sqlx::query!(
        "INSERT INTO book (isbn13, title, author, publisher, created_at)
         VALUES ('9788936433598', '채식주의자', '한강', '창비', '2026-11-24')"
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // ISBN-10 of 채식주의자, with hyphens: converted to its ISBN-13.
    let res = lookup(&app, "89-364-3359-8").await;
    assert_eq!(res.status(), StatusCode::OK);
    let book: Value = res.json().await.unwrap();
    assert_eq!(book["isbn13"], "9788936433598");
    assert_eq!(book["title"], "채식주의자");
    assert!(stub.calls().is_empty(), "{:?}", stub.calls());
}

#[sqlx::test]
async fn unknown_isbn_is_fetched_from_kakao_and_cached(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_sources(pool, stub.clone()).await;
    let book: Value = lookup(&app, "978-89-6626-247-2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        book["title"], "러스트 프로그래밍 공식 가이드",
        "highlight tags stripped"
    );
    assert_eq!(book["author"], "스티브 클라브닉, 캐럴 니콜스");
    assert_eq!(book["publisher"], "제이펍");
    assert_eq!(book["published_on"], "2019-11-04");
    assert_eq!(stub.calls(), ["kakao isbn 9788966262472"]);

    let cached = sqlx::query_scalar!("SELECT title FROM book WHERE isbn13 = '9788966262472'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(cached, "러스트 프로그래밍 공식 가이드");
    // The second look-up is answered locally.
    lookup(&app, "9788966262472").await;
    assert_eq!(stub.calls().len(), 1);
}

#[sqlx::test]
async fn a_failing_kakao_falls_back_to_naver(pool: MySqlPool) {
    let stub = Stub {
        kakao_fails: true,
        ..Stub::default()
    };
    let app = app_with_sources(pool, stub.clone()).await;
    let res = lookup(&app, "9788966262472").await;
    assert_eq!(res.status(), StatusCode::OK);
    let book: Value = res.json().await.unwrap();
    assert_eq!(
        book["author"], "스티브 클라브닉, 캐럴 니콜스",
        "Naver's ^ separators"
    );
    assert_eq!(book["published_on"], "2019-11-04");
    assert_eq!(
        stub.calls(),
        ["kakao isbn 9788966262472", "naver 9788966262472"]
    );
}

#[sqlx::test]
async fn nobody_knows_the_isbn_or_no_source_is_configured(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_sources(pool.clone(), stub.clone()).await;
    let res = lookup(&app, "9791162241882").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
    assert_eq!(
        stub.calls(),
        ["kakao isbn 9791162241882", "naver 9791162241882"]
    );

    // Without keys the external adapters are off: only the local catalog answers.
    let offline = TestApp::spawn(pool).await;
    offline
        .signup("seller02", "seller2@example.com", "판매자둘")
        .await;
    assert_eq!(
        lookup(&offline, "9788966262472")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        Value::Null
    );
}

#[sqlx::test]
async fn bad_isbns_get_a_korean_field_error(pool: MySqlPool) {
    let app = app_with_sources(pool, Stub::default()).await;
    for (isbn, expected) in [
        (
            "9788936433599",
            "ISBN 검증 숫자가 맞지 않습니다. 번호를 다시 확인해 주세요.",
        ),
        ("12345", "ISBN은 10자리 또는 13자리 숫자입니다."),
        ("", "ISBN을 입력해 주세요."),
    ] {
        let res = lookup(&app, isbn).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{isbn}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(field_message(&body, "isbn").unwrap(), expected);
    }
}

#[sqlx::test]
async fn title_search_merges_local_and_external_without_duplicates(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_sources(pool, stub.clone()).await;
    let res = app.call("catalog/title", &[("query", "러스트")]).await;
    let books: Vec<Value> = res.json().await.unwrap();
    assert_eq!(books.len(), 1);
    assert_eq!(books[0]["isbn13"], "9788966262472");
    assert_eq!(stub.calls(), ["kakao title 러스트"]);
    // Now cached: a second search finds it locally (still asks out, as 1 < limit).
    let books: Vec<Value> = app
        .call("catalog/title", &[("query", "러스트")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(books.len(), 1, "no duplicate of the cached book");

    let res = app.call("catalog/title", &[("query", "  ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "title").unwrap(),
        "책 제목을 입력해 주세요."
    );
}
