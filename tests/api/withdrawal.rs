//! 회원 탈퇴 (issue 22, USER-DELETE-01): personal data anonymised at once, listings taken
//! down, chats left readable for the other side, the login ID never reusable, refused
//! while a trade is under way, and what is left purged two years on.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::MySqlPool;

use bread_book::features::accounts::server::withdrawal::purge_due;
use bread_book::server::clock::Clock;

use crate::helpers::listings::{detail, list_book, seeded};
use crate::helpers::moderation::member_id;
use crate::helpers::orders::{key, place};
use crate::helpers::{PASSWORD, TestApp, first_field_error, signup_form};

async fn withdraw(app: &TestApp, who: &reqwest::Client, password: &str) -> reqwest::Response {
    app.call_as(
        who,
        "accounts/withdraw",
        &[
            ("input[current_password]", password),
            ("input[agree]", "true"),
        ],
    )
    .await
}

#[sqlx::test]
async fn leaving_anonymises_at_once_and_the_id_is_never_signed_up_again(pool: MySqlPool) {
    let app = seeded(pool).await;
    let leaver = app.member("leaver01", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &leaver, "7000").await;
    let res = app
        .call_as(&buyer, "chat/open", &[("listing", &listing.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let room: u64 = res.json().await.unwrap();
    let id = member_id(&app, "leaver01").await;

    // The terms must be ticked and the password right.
    let res = app
        .call_as(
            &leaver,
            "accounts/withdraw",
            &[("input[current_password]", PASSWORD)],
        )
        .await;
    assert_eq!(first_field_error(res).await.0, "agree");
    let (field, message) = first_field_error(withdraw(&app, &leaver, "Wrong0pass").await).await;
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("current_password", "비밀번호가 맞지 않아요.")
    );
    assert_eq!(app.me_as(&leaver).await["login_id"], "leaver01");

    let res = withdraw(&app, &leaver, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.me_as(&leaver).await.is_null(), "signed out");
    let goodbye = app.mails_to("leaver01@example.com");
    assert_eq!(goodbye.last().unwrap().0, "[책빵] 탈퇴가 끝났어요");

    let row = sqlx::query!(
        "SELECT login_id, name, nickname, email, email_hash, phone, password_hash,
                withdrawn_at IS NOT NULL AS `withdrawn: bool`
         FROM member WHERE id = ?",
        id
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        row.login_id, "leaver01",
        "the ID stays, so it is never reused"
    );
    assert_eq!(
        (row.name.as_str(), row.nickname.as_str(), row.email.as_str()),
        ("", "탈퇴한 사용자", "")
    );
    assert_eq!(row.phone, None);
    assert_eq!(
        row.email_hash.as_deref(),
        Some(&Sha256::digest(b"leaver01@example.com")[..])
    );
    assert!(row.withdrawn);
    assert_eq!(row.password_hash, "!");
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session WHERE member_id = ?")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    let consent: Vec<String> = sqlx::query_scalar(
        "SELECT version FROM member_consent WHERE member_id = ? AND kind = 'withdrawal'",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(consent, ["2026-12-08"]);

    // The listing is down; the buyer still reads the room, with whom it was.
    assert_eq!(
        detail(&app, &buyer, listing).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .call_as(&buyer, "chat/room", &[("room", &room.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["other_nickname"], "탈퇴한 사용자");
    assert_eq!(view["other_left"], true);

    // The old password opens nothing; the ID cannot be signed up again, while the
    // nickname and the address are free for someone new.
    let res = app.login("leaver01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("leaver01", "again@example.com", "다시왔어요"),
        )
        .await;
    let (field, message) = first_field_error(res).await;
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("login_id", "이미 사용 중인 아이디입니다.")
    );
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("newcomer9", "leaver01@example.com", "leaver01"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_trade_under_way_keeps_both_sides_from_leaving_and_is_named(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let res = place(&app, &buyer, listing, "safe_pay", "parcel", &key(1)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let order_no: String =
        sqlx::query_scalar("SELECT order_no FROM trade_order WHERE listing_id = ?")
            .bind(listing)
            .fetch_one(&app.pool)
            .await
            .unwrap();

    for (who, side) in [(&seller, "판매"), (&buyer, "구매")] {
        let res = app.call_as(who, "accounts/withdraw/blockers", &[]).await;
        let blockers: Value = res.json().await.unwrap();
        assert_eq!(blockers.as_array().unwrap().len(), 1);
        assert_eq!(blockers[0]["order_no"], order_no.as_str());
        let res = withdraw(&app, who, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let message: Value = res.json().await.unwrap();
        let message = message["Rejected"].as_str().unwrap();
        assert!(
            message.starts_with("진행 중인 거래가 끝나야 탈퇴할 수 있어요: ")
                && message.contains(&format!("{order_no} 〈채식주의자〉 ({side})")),
            "{message}"
        );
    }
    assert_eq!(
        app.me_as(&seller).await["login_id"],
        "seller01",
        "nothing changed"
    );

    // Once the unpaid order lapses, both may go.
    app.clock.advance(Duration::minutes(16));
    bread_book::features::orders::server::sweep::sweep(&app.state(), app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        withdraw(&app, &buyer, PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        withdraw(&app, &seller, PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[sqlx::test]
async fn only_a_signed_in_member_leaves_and_only_themselves(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let anonymous = TestApp::new_client();
    for endpoint in ["accounts/withdraw", "accounts/withdraw/blockers"] {
        let res = app
            .call_as(
                &anonymous,
                endpoint,
                &[
                    ("input[current_password]", PASSWORD),
                    ("input[agree]", "true"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    // A member's withdrawal takes their own account and no other.
    let me = app.member("member01", false).await;
    app.member("member02", false).await;
    assert_eq!(withdraw(&app, &me, PASSWORD).await.status(), StatusCode::OK);
    let live: Vec<String> =
        sqlx::query_scalar("SELECT login_id FROM member WHERE withdrawn_at IS NULL ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(live, ["member02"]);
}

#[sqlx::test]
async fn what_is_left_is_purged_two_years_on_once(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let leaver = app.member("leaver01", false).await;
    let id = member_id(&app, "leaver01").await;
    assert_eq!(
        app.login("leaver01", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        withdraw(&app, &leaver, PASSWORD).await.status(),
        StatusCode::OK
    );
    let withdrawn_at = app.clock.now();

    let kept = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query!(
                "SELECT email_hash IS NOT NULL AS `hash: bool`, purged_at IS NOT NULL AS `purged: bool`,
                        (SELECT COUNT(*) FROM member_consent WHERE member_id = m.id) AS `consents!: i64`,
                        (SELECT COUNT(*) FROM login_attempt WHERE login_id = m.login_id) AS `attempts!: i64`
                 FROM member m WHERE id = ?",
                id
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = kept(&app).await;
    assert!(before.hash && !before.purged && before.consents == 3 && before.attempts >= 1);

    let two_years = withdrawn_at
        .checked_add_months(chrono::Months::new(24))
        .unwrap();
    let a_day_short = two_years - Duration::days(1);
    assert_eq!(purge_due(&app.pool, a_day_short).await.unwrap(), 0);
    assert!(kept(&app).await.hash);

    let two_years_on = two_years + Duration::minutes(1);
    assert_eq!(purge_due(&app.pool, two_years_on).await.unwrap(), 1);
    let after = kept(&app).await;
    assert!(!after.hash && after.purged && after.consents == 0 && after.attempts == 0);
    assert_eq!(purge_due(&app.pool, two_years_on).await.unwrap(), 0, "once");

    // The ID itself outlives the purge.
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("leaver01", "x@example.com", "새사람"),
        )
        .await;
    assert_eq!(first_field_error(res).await.0, "login_id");
}
