//! Listing fixtures: a sale form, a seeded marketplace, listing a book.

use reqwest::StatusCode;
use sqlx::MySqlPool;

use super::TestApp;

/// A complete sale form for 채식주의자 (known to the catalog once seeded). Keys are
/// wrapped as `input[key]`, so "checklist][writing" becomes `input[checklist][writing]`.
pub(crate) fn form(price: &str) -> Vec<(String, String)> {
    [
        ("isbn", "9788936433598"),
        ("category_id", "141"),
        ("price", price),
        ("condition", "fair"),
        ("checklist][writing", "true"),
        ("meet", "true"),
        ("parcel", "true"),
        ("meet_label", "신촌역 2번 출구"),
        ("meet_lat", "37.5551"),
        ("meet_lng", "126.9368"),
        ("pay_safe", "true"),
        ("pay_cash", "true"),
        ("description", "밑줄이 몇 군데 있어요."),
    ]
    .into_iter()
    .map(|(k, v)| (format!("input[{k}]"), v.to_owned()))
    .collect()
}

pub(crate) fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

pub(crate) async fn seeded(pool: MySqlPool) -> TestApp {
    let app = TestApp::spawn(pool).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    app
}

pub(crate) async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    form: &[(String, String)],
) -> reqwest::Response {
    app.call_as(client, "listings/create", &pairs(form)).await
}

/// Lists 채식주의자 at `price` as `client`; the new listing's id.
pub(crate) async fn list_book(app: &TestApp, client: &reqwest::Client, price: &str) -> u64 {
    let res = create(app, client, &form(price)).await;
    assert_eq!(res.status(), StatusCode::OK, "listing at {price}");
    res.json().await.unwrap()
}

pub(crate) async fn detail(app: &TestApp, client: &reqwest::Client, id: u64) -> reqwest::Response {
    app.call_as(client, "listings/get", &[("id", &id.to_string())])
        .await
}
