//! Admins' sanctions on members (issue 23): a warning is told and kept, a suspension
//! stops selling, buying and chatting until it ends by the clock, a ban ends every
//! session and refuses sign-in; each with its reason told, each in the audit log, and
//! none of it open to anyone but admins.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::listings::{create, form, seeded};
use crate::helpers::moderation::{audit_actions, member_id, notices};
use crate::helpers::{PASSWORD, TestApp};

async fn impose(
    app: &TestApp,
    who: &reqwest::Client,
    member: u64,
    kind: &str,
    days: &str,
    reason: &str,
) -> reqwest::Response {
    app.call_as(
        who,
        "admin/sanctions/impose",
        &[
            ("member", member.to_string().as_str()),
            ("kind", kind),
            ("days", days),
            ("reason", reason),
        ],
    )
    .await
}

/// A seeded market with seller01 (the one sanctioned) and an admin; seller01's id.
async fn seller_and_admin(pool: MySqlPool) -> (TestApp, reqwest::Client, reqwest::Client, u64) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let admin = app.member("admin001", true).await;
    let target = member_id(&app, "seller01").await;
    (app, seller, admin, target)
}

#[sqlx::test]
async fn only_admins_sanction_and_admins_cannot_be_sanctioned(pool: MySqlPool) {
    let (app, seller, admin, target) = seller_and_admin(pool).await;
    let other = app.member("other001", false).await;
    let res = impose(&app, &TestApp::new_client(), target, "ban", "0", "도배").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = impose(&app, &other, target, "ban", "0", "도배").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nothing happened to the seller.
    assert_eq!(app.me_as(&seller).await["login_id"], "seller01");
    assert!(notices(&app, &seller, "sanction").await.is_empty());

    let res = impose(
        &app,
        &admin,
        member_id(&app, "admin001").await,
        "warn",
        "0",
        "x",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // A reason is required, and a suspension's length is one on offer.
    let res = impose(&app, &admin, target, "warn", "0", "  ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = impose(&app, &admin, target, "suspend", "365", "도배").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(audit_actions(&app, &admin).await.is_empty());
}

#[sqlx::test]
async fn a_warning_is_told_and_stops_nothing(pool: MySqlPool) {
    let (app, seller, admin, target) = seller_and_admin(pool).await;
    let res = impose(
        &app,
        &admin,
        target,
        "warn",
        "0",
        "같은 책을 여러 번 올렸어요.",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        notices(&app, &seller, "sanction").await,
        ["운영 정책 위반으로 경고를 받았어요. 사유: 같은 책을 여러 번 올렸어요."]
    );
    assert_eq!(
        create(&app, &seller, &form("9000")).await.status(),
        StatusCode::OK
    );
    assert_eq!(audit_actions(&app, &admin).await, ["member_warned"]);
}

#[sqlx::test]
async fn a_suspension_stops_selling_buying_and_chat_until_it_ends(pool: MySqlPool) {
    let (app, seller, admin, target) = seller_and_admin(pool).await;
    let res = impose(
        &app,
        &admin,
        target,
        "suspend",
        "7",
        "불법 복제물을 반복해서 올렸어요.",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    // Told why, and until when.
    let notices = notices(&app, &seller, "sanction").await;
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0].contains("까지 판매·구매·채팅이 정지됐어요"),
        "{}",
        notices[0]
    );
    assert!(notices[0].ends_with("사유: 불법 복제물을 반복해서 올렸어요."));
    // Still signed in, browsing; but no selling, and the refusal says until when.
    assert_eq!(app.me_as(&seller).await["login_id"], "seller01");
    let res = create(&app, &seller, &form("9000")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let refusal = res.json::<Value>().await.unwrap()["Rejected"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(refusal.contains("12월 1일"), "{refusal}");
    // Nor opening a chat about someone else's book.
    let listing: u64 = sqlx::query_scalar(
        "SELECT id FROM listing WHERE seller_id <> ? AND status = 'on_sale' LIMIT 1",
    )
    .bind(target)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let res = app
        .call_as(
            &seller,
            "chat/open",
            &[("listing", listing.to_string().as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Admins see it among the running restrictions.
    let listed: Vec<Value> = app
        .call_as(&admin, "admin/chat-restrictions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|r| r["member_id"] == target && r["kind"] == "suspend")
    );

    // A day short of a week: still suspended; past it, selling works again by itself.
    app.clock.advance(chrono::Duration::days(6));
    assert_eq!(
        create(&app, &seller, &form("9000")).await.status(),
        StatusCode::CONFLICT
    );
    app.clock
        .advance(chrono::Duration::days(1) + chrono::Duration::seconds(1));
    assert_eq!(
        create(&app, &seller, &form("9000")).await.status(),
        StatusCode::OK
    );
    assert_eq!(audit_actions(&app, &admin).await, ["member_suspended"]);
}

#[sqlx::test]
async fn a_ban_ends_every_session_and_refuses_sign_in_with_the_reason(pool: MySqlPool) {
    let (app, seller, admin, target) = seller_and_admin(pool).await;
    let res = impose(&app, &admin, target, "ban", "0", "사기 거래").await;
    assert_eq!(res.status(), StatusCode::OK);
    // The open session is gone.
    assert!(app.me_as(&seller).await.is_null());
    let res = app.login("seller01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let refusal = res.json::<Value>().await.unwrap()["Rejected"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        refusal,
        "운영 정책 위반으로 이용이 정지된 계정이에요. 사유: 사기 거래"
    );
    // Years later, still banned; an admin lifting it lets them back in.
    app.clock.advance(chrono::Duration::days(3 * 365));
    assert_eq!(
        app.login("seller01", PASSWORD).await.status(),
        StatusCode::CONFLICT
    );
    // (The first admin's session has long expired; a colleague lifts it.)
    let admin = app.member("admin002", true).await;
    let listed: Vec<Value> = app
        .call_as(&admin, "admin/chat-restrictions", &[])
        .await
        .json()
        .await
        .unwrap();
    let ban = listed
        .iter()
        .find(|r| r["member_id"] == target && r["kind"] == "ban")
        .expect("the ban is listed");
    let res = app
        .call_as(
            &admin,
            "admin/chat-restrictions/lift",
            &[("id", ban["id"].to_string().as_str())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.login("seller01", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        audit_actions(&app, &admin).await,
        ["restriction_lifted", "member_banned"]
    );
}
