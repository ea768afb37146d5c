//! 이메일 인증 at sign-up (issue 22, USER_SIGNUP_002): the mailed code activates the
//! account; until then the member browses but cannot sell, chat or buy.

use bread_book::features::accounts::server::stale::remove_unverified;
use bread_book::server::clock::Clock;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::listings::{create, form, list_book, seeded};
use crate::helpers::orders::{key, place};
use crate::helpers::{TestApp, code_in, first_field_error, signup_form};

const EMAIL: &str = "newbie@example.com";

/// A member just signed up from a browser of their own, not yet verified.
async fn newcomer(app: &TestApp) -> reqwest::Client {
    let client = TestApp::new_client();
    let res = app
        .signup_form_as(&client, &signup_form("newbie01", EMAIL, "새내기"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    client
}

async fn verify(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    app.call_as(client, "accounts/verify", &[("code", code)])
        .await
}

/// The body of a refusal: the Unverified error.
async fn is_unverified(res: reqwest::Response) -> bool {
    res.status() == StatusCode::FORBIDDEN
        && res.json::<Value>().await.unwrap() == Value::String("Unverified".into())
}

#[sqlx::test]
async fn the_mailed_code_is_what_opens_selling_chatting_and_buying(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let me = newcomer(&app).await;

    let who = app.me_as(&me).await;
    assert_eq!(who["email_verified"], false);
    let mails = app.mails_to(EMAIL);
    assert_eq!(mails.len(), 1, "one code at sign-up");
    let (subject, text) = &mails[0];
    assert!(
        subject.starts_with("[책빵] 가입 이메일 인증 코드"),
        "{subject}"
    );
    assert!(text.contains("/verify?code="), "the link fills the code in");
    let code = code_in(text);

    // Browsing and wishing work; selling, chatting, buying and uploading do not.
    let res = app
        .call_as(&me, "listings/get", &[("id", &listing.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_as(
            &me,
            "listings/wish",
            &[("listing_id", &listing.to_string()), ("wished", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(is_unverified(create(&app, &me, &form("5000")).await).await);
    let res = app
        .call_as(&me, "chat/open", &[("listing", &listing.to_string())])
        .await;
    assert!(is_unverified(res).await);
    let res = app
        .call_as(&me, "orders/quote", &[("listing_id", &listing.to_string())])
        .await;
    assert!(is_unverified(res).await);
    assert!(is_unverified(place(&app, &me, listing, "safe_pay", "parcel", &key(1)).await).await);
    let res = me
        .post(format!("{}/api/photos", app.base))
        .multipart(reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(vec![0xff, 0xd8, 0xff]).file_name("a.jpg"),
        ))
        .send()
        .await
        .unwrap();
    assert!(is_unverified(res).await, "photo upload");
    let orders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM trade_order o JOIN member m ON m.id = o.buyer_id
         WHERE m.login_id = 'newbie01'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(orders, 0);

    // A wrong code counts; the right one activates, once.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (field, message) = first_field_error(verify(&app, &me, wrong).await).await;
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("code", "인증 코드가 맞지 않아요. (남은 기회 4번)")
    );
    let (field, message) = first_field_error(verify(&app, &me, "12a").await).await;
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("code", "인증 코드는 숫자 6자리예요.")
    );
    let res = verify(&app, &me, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let who: Value = res.json().await.unwrap();
    assert_eq!(who["email_verified"], true);
    assert_eq!(app.me_as(&me).await["email_verified"], true);
    assert_eq!(
        verify(&app, &me, &code).await.status(),
        StatusCode::CONFLICT,
        "already verified"
    );

    list_book(&app, &me, "5000").await;
    let res = app
        .call_as(&me, "chat/open", &[("listing", &listing.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = place(&app, &me, listing, "safe_pay", "parcel", &key(2)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_code_expires_and_a_new_one_replaces_it_no_sooner_than_a_minute(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = newcomer(&app).await;
    let first = app.verify_code(EMAIL);

    let res = app.call_as(&me, "accounts/verify/send", &[]).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "right after sign-up"
    );

    app.clock.advance(Duration::minutes(11));
    let (_, message) = first_field_error(verify(&app, &me, &first).await).await;
    assert_eq!(
        message,
        "인증 코드가 만료되었거나 이미 사용되었어요. 새 코드를 받아 주세요."
    );

    let res = app.call_as(&me, "accounts/verify/send", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.mails_to(EMAIL).len(), 2);
    let second = app.verify_code(EMAIL);
    if second != first {
        let (_, message) = first_field_error(verify(&app, &me, &first).await).await;
        assert!(message.starts_with("인증 코드가 맞지 않아요."), "{message}");
    }
    assert_eq!(verify(&app, &me, &second).await.status(), StatusCode::OK);
}

#[sqlx::test]
async fn only_the_signed_in_member_verifies_their_own_address(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = newcomer(&app).await;
    let code = app.verify_code(EMAIL);
    // A visitor holding the code gets nowhere: it belongs to a session's member.
    let res = verify(&app, &TestApp::new_client(), &code).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .call_as(&TestApp::new_client(), "accounts/verify/send", &[])
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Another member's code is not theirs.
    let other = app.member("other001", false).await;
    let res = verify(&app, &other, &code).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "already verified");
    let stranger = TestApp::new_client();
    app.signup_form_as(
        &stranger,
        &signup_form("stranger1", "s@example.com", "낯선이"),
    )
    .await;
    let (field, _) = first_field_error(verify(&app, &stranger, &code).await).await;
    assert_eq!(field, "code");
    assert_eq!(app.me_as(&me).await["email_verified"], false);
}

#[sqlx::test]
async fn someone_signing_up_with_a_members_address_is_refused_and_the_owner_told(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let owner = newcomer(&app).await;
    app.verify_as(&owner, EMAIL).await;
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("impostor1", EMAIL, "사칭꾼"),
        )
        .await;
    let (field, _) = first_field_error(res).await;
    assert_eq!(field, "email");
    let mails = app.mails_to(EMAIL);
    assert_eq!(mails.len(), 2);
    let (subject, text) = &mails[1];
    assert_eq!(subject, "[책빵] 누군가 이 이메일로 가입하려고 했어요");
    assert!(text.contains("새내기님"), "{text}");
    assert!(
        !text.contains("impostor1"),
        "says nothing about the other side"
    );
}

#[sqlx::test]
async fn five_wrong_codes_kill_it_and_tell_the_mailbox_owner(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = newcomer(&app).await;
    let code = app.verify_code(EMAIL);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        verify(&app, &me, wrong).await;
    }
    let mails = app.mails_to(EMAIL);
    assert_eq!(
        mails.last().unwrap().0,
        "[책빵] 가입 이메일 인증 코드가 5번 틀렸어요"
    );
    let (_, message) = first_field_error(verify(&app, &me, &code).await).await;
    assert!(message.contains("만료되었거나"), "{message}");
}

#[sqlx::test]
async fn proving_a_new_address_by_email_change_also_verifies(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = newcomer(&app).await;
    let res = app
        .call_as(
            &me,
            "accounts/email/send",
            &[
                ("input[email]", "right@example.com"),
                ("input[current_password]", crate::helpers::PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let code = code_in(&app.mails_to("right@example.com")[0].1);
    let res = app
        .call_as(&me, "accounts/email/confirm", &[("input[code]", &code)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.me_as(&me).await["email_verified"], true);
}

#[sqlx::test]
async fn an_address_belongs_to_whoever_proves_it_first(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    // Someone signs up with an address that is not theirs and never proves it…
    let squatter = TestApp::new_client();
    let res = app
        .signup_form_as(&squatter, &signup_form("squatter1", EMAIL, "남의주소"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let squatters_code = code_in(&app.mails_to(EMAIL)[0].1);
    // …which keeps nobody out: the address still shows free, and its owner signs up.
    let res = app
        .call("accounts/check", &[("field", "email"), ("value", EMAIL)])
        .await;
    assert_eq!(res.json::<Option<String>>().await.unwrap(), None);
    let owner = newcomer(&app).await;
    let mails = app.mails_to(EMAIL);
    assert_eq!(mails.len(), 2, "two codes, no 'someone tried' notice");
    assert_eq!(
        verify(&app, &owner, &app.verify_code(EMAIL)).await.status(),
        StatusCode::OK
    );

    // Proved: the address is the owner's. The other account cannot prove it now…
    let res = verify(&app, &squatter, &squatters_code).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["Rejected"]
            .as_str()
            .unwrap()
            .starts_with("이 이메일은 다른 계정에서 먼저 인증했어요.")
    );
    assert_eq!(app.me_as(&squatter).await["email_verified"], false);
    // …and a new sign-up with it is refused, its owner told.
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("latecomer", EMAIL, "늦은사람"),
        )
        .await;
    assert_eq!(first_field_error(res).await.0, "email");
    assert_eq!(
        app.mails_to(EMAIL).last().unwrap().0,
        "[책빵] 누군가 이 이메일로 가입하려고 했어요"
    );
}

#[sqlx::test]
async fn accounts_never_verified_go_after_a_week_and_free_their_id(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let listing = list_book(&app, &seller, "9000").await.to_string();
    let me = newcomer(&app).await;
    // What an unverified member can make: a wish and a report.
    let res = app
        .call_as(
            &me,
            "listings/wish",
            &[("listing_id", &listing), ("wished", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_as(
            &me,
            "listings/report",
            &[
                ("listing_id", &listing),
                ("reason", "pirated"),
                ("detail", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let now = app.clock.now();
    assert_eq!(
        remove_unverified(&app.pool, now + Duration::days(6))
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.me_as(&me).await["login_id"], "newbie01");
    assert_eq!(
        remove_unverified(&app.pool, now + Duration::days(8))
            .await
            .unwrap(),
        1
    );
    assert!(app.me_as(&me).await.is_null(), "its session went with it");
    assert_eq!(
        app.me_as(&seller).await["login_id"],
        "seller01",
        "verified members stay"
    );
    // The ID and the nickname are free again.
    let res = app
        .signup_form_as(
            &TestApp::new_client(),
            &signup_form("newbie01", "mine@example.com", "새내기"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
