//! The TossPayments and KakaoPay adapters against local stub servers that check each
//! request the way the providers' docs describe it, and answer approval, refusal,
//! a wrong amount or nothing in time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::MySqlPool;

use crate::helpers::TestApp;
use crate::helpers::listings::list_book;
use crate::helpers::orders::{key, order};

#[derive(Clone, Default)]
struct Stub {
    calls: Arc<Mutex<Vec<String>>>,
}

impl Stub {
    fn log(&self, entry: String) {
        self.calls.lock().unwrap().push(entry);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn refuse(status: AxumStatus, body: Value) -> Response {
    (status, Json(body)).into_response()
}

// ---- TossPayments ----

const TOSS_SECRET: &str = "test_sk_bread";

fn toss_auth_ok(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{TOSS_SECRET}:"))
    );
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

async fn toss_create(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !toss_auth_ok(&headers) {
        return refuse(
            AxumStatus::UNAUTHORIZED,
            json!({"code": "UNAUTHORIZED_KEY", "message": "인증되지 않은 키"}),
        );
    }
    let order_id = body["orderId"].as_str().unwrap_or_default().to_owned();
    let shape_ok = body["method"] == "CARD"
        && body["amount"].as_u64().is_some()
        && (6..=64).contains(&order_id.len())
        && body["orderName"]
            .as_str()
            .is_some_and(|n| !n.is_empty() && n.chars().count() <= 100)
        && body["successUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/pay/return/toss?attempt="))
        && body["failUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/pay/fail/toss?attempt="))
        && headers.get("idempotency-key").is_some();
    if !shape_ok {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"code": "INVALID_REQUEST", "message": format!("bad body {body}")}),
        );
    }
    stub.log(format!("create {order_id} {}", body["amount"]));
    Json(json!({
        "paymentKey": "",
        "orderId": order_id,
        "status": "READY",
        "checkout": {"url": format!("https://stub.toss/checkout/{order_id}")}
    }))
    .into_response()
}

async fn toss_confirm(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !toss_auth_ok(&headers) {
        return refuse(
            AxumStatus::UNAUTHORIZED,
            json!({"code": "UNAUTHORIZED_KEY", "message": "인증되지 않은 키"}),
        );
    }
    let order_id = body["orderId"].as_str().unwrap_or_default();
    let idem = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if idem != order_id {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"code": "INVALID_REQUEST", "message": "idempotency key"}),
        );
    }
    let payment_key = body["paymentKey"].as_str().unwrap_or_default().to_owned();
    stub.log(format!("confirm {payment_key} {}", body["amount"]));
    match payment_key.as_str() {
        "pk_declined" => refuse(
            AxumStatus::FORBIDDEN,
            json!({"code": "REJECT_CARD_COMPANY", "message": "카드사에서 결제를 거절했습니다."}),
        ),
        "pk_slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({})).into_response()
        }
        _ => Json(json!({
            "paymentKey": payment_key,
            "orderId": order_id,
            "status": "DONE",
            "totalAmount": body["amount"],
            "method": "카드"
        }))
        .into_response(),
    }
}

async fn toss_cancel(
    State(stub): State<Stub>,
    Path(payment_key): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !toss_auth_ok(&headers) || body["cancelReason"].as_str().is_none_or(str::is_empty) {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"code": "INVALID_REQUEST", "message": "bad cancel"}),
        );
    }
    let idem = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    stub.log(format!("cancel {payment_key} {idem}"));
    Json(json!({"paymentKey": payment_key, "status": "CANCELED"})).into_response()
}

// ---- KakaoPay ----

const KAKAO_SECRET: &str = "DEV_SECRET_bread";

async fn kakao_ready(
    State(stub): State<Stub>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(format!("SECRET_KEY {KAKAO_SECRET}").as_str()) {
        return refuse(
            AxumStatus::UNAUTHORIZED,
            json!({"error_code": -401, "error_message": "invalid secret key"}),
        );
    }
    let total = body["total_amount"].as_u64();
    let shape_ok = body["cid"] == "TC0ONETIME"
        && body["partner_order_id"].as_str().is_some()
        && body["partner_user_id"].as_str().is_some()
        && body["item_name"].as_str().is_some_and(|n| !n.is_empty())
        && body["item_code"].as_str().is_some()
        && body["quantity"] == 1
        && total.is_some()
        // Books are VAT-exempt: the whole amount is tax-free.
        && body["tax_free_amount"].as_u64() == total
        && body["approval_url"].as_str().is_some_and(|u| u.contains("/pay/return/kakao?attempt="))
        && body["cancel_url"].as_str().is_some_and(|u| u.contains("cancelled=1"))
        && body["fail_url"].as_str().is_some_and(|u| u.contains("/pay/fail/kakao?attempt="));
    if !shape_ok {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"error_code": -2, "error_message": format!("bad body {body}")}),
        );
    }
    let partner_order_id = body["partner_order_id"].as_str().unwrap();
    stub.log(format!(
        "ready {partner_order_id} item {} {}",
        body["item_code"].as_str().unwrap(),
        total.unwrap()
    ));
    Json(json!({
        "tid": format!("T{partner_order_id}"),
        "next_redirect_pc_url": "https://stub.kakao/pc",
        "next_redirect_mobile_url": "https://stub.kakao/mobile",
        "created_at": "2026-11-24T12:00:00"
    }))
    .into_response()
}

async fn kakao_approve(State(stub): State<Stub>, Json(body): Json<Value>) -> Response {
    let partner_order_id = body["partner_order_id"].as_str().unwrap_or_default();
    if body["tid"].as_str() != Some(format!("T{partner_order_id}").as_str())
        || body["cid"] != "TC0ONETIME"
    {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"error_code": -780, "error_message": "approval failure"}),
        );
    }
    let pg_token = body["pg_token"].as_str().unwrap_or_default();
    stub.log(format!("approve {pg_token}"));
    let total = if pg_token == "pg_wrong_amount" {
        100
    } else {
        9000
    };
    if pg_token == "pg_refused" {
        return refuse(
            AxumStatus::BAD_REQUEST,
            json!({"error_code": -702, "error_message": "결제 승인에 실패했습니다."}),
        );
    }
    Json(json!({
        "aid": "A1", "tid": body["tid"], "cid": "TC0ONETIME",
        "partner_order_id": partner_order_id,
        "amount": {"total": total, "tax_free": total, "vat": 0}
    }))
    .into_response()
}

async fn kakao_cancel(State(stub): State<Stub>, Json(body): Json<Value>) -> Response {
    stub.log(format!(
        "cancel {} {} {}",
        body["tid"].as_str().unwrap_or_default(),
        body["cancel_amount"],
        body["cancel_tax_free_amount"]
    ));
    Json(json!({"status": "CANCEL_PAYMENT"})).into_response()
}

async fn spawn_stub(stub: Stub) -> String {
    let app = axum::Router::new()
        .route("/v1/payments", post(toss_create))
        .route("/v1/payments/confirm", post(toss_confirm))
        .route("/v1/payments/{key}/cancel", post(toss_cancel))
        .route("/online/v1/payment/ready", post(kakao_ready))
        .route("/online/v1/payment/approve", post(kakao_approve))
        .route("/online/v1/payment/cancel", post(kakao_cancel))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn app_with_providers(pool: MySqlPool, stub: Stub) -> TestApp {
    let base = spawn_stub(stub).await;
    let app = TestApp::spawn_with(pool, |c| {
        c.payments.toss_secret_key = Some(TOSS_SECRET.into());
        c.payments.toss_api_base = base.clone();
        c.payments.kakaopay = Some((KAKAO_SECRET.into(), "TC0ONETIME".into()));
        c.payments.kakaopay_api_base = base.clone();
        c.payments.sandbox = false;
        c.payments.timeout = Duration::from_secs(1);
    })
    .await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    app
}

async fn place_with(
    app: &TestApp,
    buyer: &reqwest::Client,
    listing: u64,
    provider: &str,
    n: u32,
) -> (u64, String) {
    let k = key(n);
    let listing = listing.to_string();
    let form = [
        ("input[listing_id]", listing.as_str()),
        ("input[method]", "safe_pay"),
        ("input[provider]", provider),
        ("input[delivery]", "meet"),
        ("input[idempotency_key]", k.as_str()),
    ];
    let res = app.call_as(buyer, "orders/place", &form).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let placed: Value = res.json().await.unwrap();
    (
        placed["order_id"].as_u64().unwrap(),
        placed["next_url"].as_str().unwrap().to_owned(),
    )
}

async fn back(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn pay_again(app: &TestApp, buyer: &reqwest::Client, id: u64, provider: &str) -> String {
    let res = app
        .call_as(
            buyer,
            "orders/pay",
            &[("id", &id.to_string()), ("provider", provider)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The newest payment attempt of an order (KakaoPay's checkout URL does not name it).
async fn latest_attempt(app: &TestApp, id: u64) -> String {
    sqlx::query_scalar!(
        "SELECT attempt_key FROM payment WHERE order_id = ? ORDER BY id DESC LIMIT 1",
        id
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn paid_events(app: &TestApp, id: u64) -> i64 {
    sqlx::query_scalar!(
        "SELECT COUNT(*) FROM payment_event WHERE order_id = ? AND kind = 'paid'",
        id
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn toss_declines_times_out_then_approves_and_refunds(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_providers(pool, stub.clone()).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;

    // Only the configured providers are offered; the sandbox is off here.
    let quote: Value = app
        .call_as(
            &buyer,
            "orders/quote",
            &[("listing_id", &listing.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quote["providers"], json!(["toss", "kakao"]));
    let res = app
        .call_as(
            &buyer,
            "orders/place",
            &[
                ("input[listing_id]", listing.to_string().as_str()),
                ("input[provider]", "sandbox"),
                ("input[delivery]", "meet"),
                ("input[idempotency_key]", key(99).as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (id, next) = place_with(&app, &buyer, listing, "toss", 1).await;
    // The attempt key is the server's own, not the client's idempotency key.
    let k1 = latest_attempt(&app, id).await;
    assert_ne!(k1, key(1));
    assert_eq!(next, format!("https://stub.toss/checkout/{k1}"));

    // Refused by the card company: the provider's message reaches the buyer.
    let to = back(
        &app,
        &format!("/pay/return/toss?attempt={k1}&paymentKey=pk_declined&orderId={k1}&amount=9000"),
    )
    .await;
    assert_eq!(to, format!("/orders/{id}?pay=failed"));
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "pending");
    assert_eq!(o["payment_failure"], "카드사에서 결제를 거절했습니다.");

    // No answer in time: outcome unknown, nothing recorded as paid, attempt left open.
    let url = pay_again(&app, &buyer, id, "toss").await;
    let k2 = url.rsplit('/').next().unwrap().to_owned();
    let to = back(
        &app,
        &format!("/pay/return/toss?attempt={k2}&paymentKey=pk_slow&orderId={k2}&amount=9000"),
    )
    .await;
    assert_eq!(to, format!("/orders/{id}?pay=failed"));
    assert_eq!(order(&app, &buyer, id).await["status"], "pending");
    assert_eq!(paid_events(&app, id).await, 0);
    let open: String = sqlx::query_scalar!(
        "SELECT status AS `s: String` FROM payment WHERE attempt_key = ?",
        k2
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(open, "ready");

    // Approved: amount verified, paid once.
    let url = pay_again(&app, &buyer, id, "toss").await;
    let k3 = url.rsplit('/').next().unwrap().to_owned();
    let to = back(
        &app,
        &format!("/pay/return/toss?attempt={k3}&paymentKey=pk_ok_3&orderId={k3}&amount=9000"),
    )
    .await;
    assert_eq!(to, format!("/orders/{id}?pay=ok"));
    assert_eq!(order(&app, &buyer, id).await["status"], "paid");
    assert_eq!(paid_events(&app, id).await, 1);

    // Cancelled before the hand-over: refunded through Toss with its own idempotency key.
    let res = app
        .call_as(&buyer, "orders/cancel", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let calls = stub.calls();
    assert!(
        calls.contains(&format!("cancel pk_ok_3 cancel-{k3}")),
        "{calls:?}"
    );
    assert_eq!(calls.iter().filter(|c| c.starts_with("confirm")).count(), 3);
}

#[sqlx::test]
async fn kakaopay_ready_approve_and_a_wrong_charge_refunded(pool: MySqlPool) {
    let stub = Stub::default();
    let app = app_with_providers(pool, stub.clone()).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;

    let (id, next) = place_with(&app, &buyer, listing, "kakao", 1).await;
    let k1 = latest_attempt(&app, id).await;
    assert_eq!(next, "https://stub.kakao/pc");
    assert!(
        stub.calls()
            .contains(&format!("ready {k1} item {listing} 9000"))
    );

    // The buyer closed KakaoPay's window.
    let to = back(&app, &format!("/pay/fail/kakao?attempt={k1}&cancelled=1")).await;
    assert_eq!(to, format!("/orders/{id}?pay=failed"));
    assert_eq!(
        order(&app, &buyer, id).await["payment_failure"],
        "결제를 취소했어요."
    );

    // KakaoPay charged another amount than ours: refunded at once, order not paid.
    let url = pay_again(&app, &buyer, id, "kakao").await;
    assert_eq!(url, "https://stub.kakao/pc");
    let k2 = latest_attempt(&app, id).await;
    let to = back(
        &app,
        &format!("/pay/return/kakao?attempt={k2}&pg_token=pg_wrong_amount"),
    )
    .await;
    assert_eq!(to, format!("/orders/{id}?pay=failed"));
    assert!(
        stub.calls().contains(&format!("cancel T{k2} 100 100")),
        "{:?}",
        stub.calls()
    );
    assert_eq!(order(&app, &buyer, id).await["status"], "pending");

    // A proper approval.
    pay_again(&app, &buyer, id, "kakao").await;
    let k3 = latest_attempt(&app, id).await;
    let to = back(
        &app,
        &format!("/pay/return/kakao?attempt={k3}&pg_token=pg_ok"),
    )
    .await;
    assert_eq!(to, format!("/orders/{id}?pay=ok"));
    assert_eq!(order(&app, &buyer, id).await["status"], "paid");
    // Handed over in person: the buyer confirms straight from paid.
    let res = app
        .call_as(&buyer, "orders/confirm", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_phone_gets_kakaopays_mobile_checkout(pool: MySqlPool) {
    let app = app_with_providers(pool, Stub::default()).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let k = key(5);
    let listing = listing.to_string();
    let res = buyer
        .post(format!("{}/api/orders/place", app.base))
        .header(
            "user-agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148",
        )
        .form(&[
            ("input[listing_id]", listing.as_str()),
            ("input[provider]", "kakao"),
            ("input[delivery]", "meet"),
            ("input[idempotency_key]", k.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let placed: Value = res.json().await.unwrap();
    assert_eq!(placed["next_url"], "https://stub.kakao/mobile");
}
