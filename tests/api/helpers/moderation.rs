//! What members are told and what admins did: the notice list by kind, the audit log.

use serde_json::Value;

use super::TestApp;

/// The bodies of `who`'s notices of `kind`, newest first.
pub(crate) async fn notices(app: &TestApp, who: &reqwest::Client, kind: &str) -> Vec<String> {
    let page: Value = app
        .call_as(who, "notifications/list", &[])
        .await
        .json()
        .await
        .unwrap();
    of_kind(&page, kind)
}

/// The bodies of a notice page's notices of `kind`.
pub(crate) fn of_kind(page: &Value, kind: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

/// A member's id by login ID.
pub(crate) async fn member_id(app: &TestApp, login_id: &str) -> u64 {
    sqlx::query_scalar("SELECT id FROM member WHERE login_id = ?")
        .bind(login_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The audit log's newest page, as `admin` reads it.
pub(crate) async fn audit(app: &TestApp, admin: &reqwest::Client) -> Vec<Value> {
    let res = app.call_as(admin, "admin/audit", &[]).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// Just the actions of the audit log's newest page.
pub(crate) async fn audit_actions(app: &TestApp, admin: &reqwest::Client) -> Vec<String> {
    audit(app, admin)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}
