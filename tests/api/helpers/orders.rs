//! Order fixtures: idempotency keys, placing orders, the sandbox's return.

use reqwest::StatusCode;
use serde_json::Value;

use super::TestApp;

pub(crate) fn key(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

const ADDRESS: [(&str, &str); 5] = [
    ("recipient", "김독서"),
    ("phone", "01012345678"),
    ("postcode", "03722"),
    ("address1", "서울 서대문구 연세로 50"),
    ("address2", "101호"),
];

pub(crate) async fn place(
    app: &TestApp,
    buyer: &reqwest::Client,
    listing: u64,
    method: &str,
    delivery: &str,
    idempotency_key: &str,
) -> reqwest::Response {
    let listing = listing.to_string();
    let mut form: Vec<(String, String)> = vec![
        ("input[listing_id]".into(), listing),
        ("input[method]".into(), method.into()),
        ("input[provider]".into(), "sandbox".into()),
        ("input[delivery]".into(), delivery.into()),
        ("input[idempotency_key]".into(), idempotency_key.into()),
    ];
    for (k, v) in ADDRESS {
        form.push((format!("input[address][{k}]"), v.into()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call_as(buyer, "orders/place", &pairs).await
}

/// Places a sandbox safe-pay parcel order; (order id, attempt key).
pub(crate) async fn order_parcel(
    app: &TestApp,
    buyer: &reqwest::Client,
    listing: u64,
    n: u32,
) -> (u64, String) {
    let k = key(n);
    let res = place(app, buyer, listing, "safe_pay", "parcel", &k).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let placed: Value = res.json().await.unwrap();
    let attempt = placed["next_url"]
        .as_str()
        .unwrap()
        .strip_prefix("/pay/sandbox/")
        .expect("the sandbox checkout")
        .to_owned();
    // Made by the server: never the client's idempotency key.
    assert_ne!(attempt, k);
    (placed["order_id"].as_u64().unwrap(), attempt)
}

/// The payment key the sandbox checkout shows its buyer (kept with the attempt).
pub(crate) async fn sandbox_key(app: &TestApp, attempt: &str) -> String {
    sqlx::query_scalar!(
        "SELECT provider_ref FROM payment WHERE attempt_key = ?",
        attempt
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
    .expect("the sandbox issued a payment key")
}

/// The browser coming back from the sandbox checkout; the redirect's target.
pub(crate) async fn pay_return(app: &TestApp, attempt: &str, amount: u32) -> String {
    let payment_key = sandbox_key(app, attempt).await;
    let res = app
        .get(&format!(
            "/pay/return/sandbox?attempt={attempt}&paymentKey={payment_key}&amount={amount}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn order(app: &TestApp, who: &reqwest::Client, id: u64) -> Value {
    let res = app
        .call_as(who, "orders/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}
