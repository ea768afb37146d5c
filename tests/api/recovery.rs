//! 아이디 찾기 and 비밀번호 재설정 (issue 22): codes mailed to the sign-up address, hashed,
//! single use, dying after ten minutes or five wrong tries, spaced and capped.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::{PASSWORD, TestApp, code_in, first_field_error};

const ID: &str = "breadbook";
const EMAIL: &str = "bb@example.com";
const NAME: &str = "김독서";
const NEW_PASSWORD: &str = "Newpassw0rd";

async fn member(app: &TestApp) {
    let res = app.signup(ID, EMAIL, "빵순이").await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// The mails to the member but the verification code sent at sign-up.
fn recovery_mails(app: &TestApp) -> Vec<(String, String)> {
    let mut mails = app.mails_to(EMAIL);
    mails.retain(|(subject, _)| !subject.contains("가입 이메일"));
    mails
}

async fn find_id(app: &TestApp, endpoint: &str, name: &str, code: &str) -> reqwest::Response {
    app.call(
        endpoint,
        &[
            ("input[name]", name),
            ("input[email]", EMAIL),
            ("input[code]", code),
        ],
    )
    .await
}

/// The refusal of a code, which must be about the code field.
async fn code_error(res: reqwest::Response) -> String {
    let (field, message) = first_field_error(res).await;
    assert_eq!(field, "code");
    message
}

#[sqlx::test]
async fn the_id_shows_masked_then_whole_after_the_mailed_code_once(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await;

    let res = find_id(&app, "accounts/find-id", "박독서", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "another name");
    let res = find_id(&app, "accounts/find-id", NAME, "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let found: Value = res.json().await.unwrap();
    assert_eq!(found["login_id"], "bre***ok");
    assert_eq!(found["whole"], false);

    let res = find_id(&app, "accounts/find-id/send", NAME, "").await;
    assert_eq!(res.status(), StatusCode::OK);
    let mails = recovery_mails(&app);
    assert_eq!(mails.len(), 1);
    let (subject, text) = &mails[0];
    assert!(
        subject.starts_with("[책빵] 아이디 찾기 인증 코드"),
        "{subject}"
    );
    let code = code_in(text);
    // Stored only as a salted hash.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_hash FROM account_code")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(stored.iter().all(|h| h.len() == 32 && h != code.as_bytes()));

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let message = code_error(find_id(&app, "accounts/find-id/confirm", NAME, wrong).await).await;
    assert_eq!(message, "인증 코드가 맞지 않아요. (남은 기회 4번)");
    let res = find_id(&app, "accounts/find-id/confirm", NAME, &code).await;
    assert_eq!(res.status(), StatusCode::OK);
    let found: Value = res.json().await.unwrap();
    assert_eq!(
        (found["login_id"].as_str(), found["whole"].as_bool()),
        (Some(ID), Some(true))
    );

    // Single use.
    let message = code_error(find_id(&app, "accounts/find-id/confirm", NAME, &code).await).await;
    assert!(message.contains("이미 사용"), "{message}");
}

#[sqlx::test]
async fn a_code_dies_after_ten_minutes(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await;
    find_id(&app, "accounts/find-id/send", NAME, "").await;
    let code = code_in(&recovery_mails(&app)[0].1);
    app.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let message = code_error(find_id(&app, "accounts/find-id/confirm", NAME, &code).await).await;
    assert!(message.contains("만료"), "{message}");
}

#[sqlx::test]
async fn five_wrong_tries_kill_the_code_and_tell_the_mailbox_owner(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await;
    find_id(&app, "accounts/find-id/send", NAME, "").await;
    let code = code_in(&recovery_mails(&app)[0].1);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        let message =
            code_error(find_id(&app, "accounts/find-id/confirm", NAME, wrong).await).await;
        assert_eq!(
            message,
            format!("인증 코드가 맞지 않아요. (남은 기회 {left}번)")
        );
    }
    let message = code_error(find_id(&app, "accounts/find-id/confirm", NAME, wrong).await).await;
    assert!(message.contains("너무 많이 틀렸어요"), "{message}");
    // The right code no longer works either.
    let message = code_error(find_id(&app, "accounts/find-id/confirm", NAME, &code).await).await;
    assert!(message.contains("새 코드"), "{message}");

    let mails = recovery_mails(&app);
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].0, "[책빵] 아이디 찾기 인증 코드가 5번 틀렸어요");
    assert!(mails[1].1.contains("비밀번호를 바꾸고"), "{}", mails[1].1);
}

#[sqlx::test]
async fn codes_are_spaced_a_minute_apart_and_five_an_hour(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await;
    let send = || find_id(&app, "accounts/find-id/send", NAME, "");
    assert_eq!(send().await.status(), StatusCode::OK);
    let res = send().await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "60");
    for _ in 0..4 {
        app.clock.advance(Duration::seconds(61));
        assert_eq!(send().await.status(), StatusCode::OK);
    }
    app.clock.advance(Duration::seconds(61));
    let res = send().await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a sixth in the hour"
    );
    assert_eq!(recovery_mails(&app).len(), 5);
    app.clock.advance(Duration::hours(1));
    assert_eq!(send().await.status(), StatusCode::OK);
    // Only the newest code works.
    let mails = recovery_mails(&app);
    let (older, newest) = (code_in(&mails[4].1), code_in(&mails[5].1));
    if older != newest {
        let message =
            code_error(find_id(&app, "accounts/find-id/confirm", NAME, &older).await).await;
        assert!(message.contains("맞지 않아요"), "{message}");
    }
    let res = find_id(&app, "accounts/find-id/confirm", NAME, &newest).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn reset(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    password: &str,
) -> reqwest::Response {
    app.call_as(
        client,
        "accounts/reset/confirm",
        &[
            ("input[login_id]", ID),
            ("input[code]", code),
            ("input[password]", password),
            ("input[password_confirm]", password),
        ],
    )
    .await
}

#[sqlx::test]
async fn a_reset_replaces_the_password_ends_every_session_and_lifts_a_lockout(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await; // app.client is signed in from the sign-up
    let phone = TestApp::new_client();
    let res = app
        .call_as(
            &phone,
            "accounts/login",
            &[("input[login_id]", ID), ("input[password]", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.me_as(&phone).await["login_id"], ID);
    // Someone else locks the ID with wrong passwords (from this address).
    for _ in 0..5 {
        app.login(ID, "Wr0ngpassword").await;
    }
    assert_eq!(app.login(ID, PASSWORD).await.status(), StatusCode::LOCKED);

    // An ID and email that do not belong together get the same answer and no mail.
    let shared = &app;
    let ask = |email: &'static str| async move {
        shared
            .call(
                "accounts/reset/send",
                &[("input[login_id]", ID), ("input[email]", email)],
            )
            .await
    };
    assert_eq!(ask("other@example.com").await.status(), StatusCode::OK);
    assert!(app.mails_to("other@example.com").is_empty());
    assert!(recovery_mails(&app).is_empty());
    assert_eq!(ask(EMAIL).await.status(), StatusCode::OK);
    let (subject, text) = recovery_mails(&app).remove(0);
    assert!(
        subject.starts_with("[책빵] 비밀번호 재설정 인증 코드"),
        "{subject}"
    );
    let code = code_in(&text);
    assert!(
        text.contains(&format!("/find/password?id={ID}&code={code}")),
        "the mail links to the form with the code: {text}"
    );

    let laptop = TestApp::new_client();
    let res = reset(&app, &laptop, &code, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.me_as(&laptop).await["login_id"],
        ID,
        "signed in where it was reset"
    );
    assert!(
        app.me_as(&phone).await.is_null(),
        "the phone's session ended"
    );
    assert!(
        app.me_as(&app.client).await.is_null(),
        "the sign-up session ended"
    );
    assert_eq!(
        app.login(ID, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(ID, NEW_PASSWORD).await.status(),
        StatusCode::OK,
        "lock-out lifted"
    );
    assert_eq!(
        recovery_mails(&app).last().unwrap().0,
        "[책빵] 비밀번호가 바뀌었어요"
    );

    // The code was spent.
    let message = code_error(reset(&app, &laptop, &code, "Anotherpassw0rd").await).await;
    assert!(message.contains("이미 사용"), "{message}");
}

#[sqlx::test]
async fn a_reset_checks_every_field_and_keeps_the_code_for_a_retry(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    member(&app).await;
    app.call(
        "accounts/reset/send",
        &[("input[login_id]", ID), ("input[email]", EMAIL)],
    )
    .await;
    let code = code_in(&recovery_mails(&app)[0].1);
    let client = TestApp::new_client();
    let res = app
        .call_as(
            &client,
            "accounts/reset/confirm",
            &[
                ("input[login_id]", ID),
                ("input[code]", &code),
                ("input[password]", "short"),
                ("input[password_confirm]", "other"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["Validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["password", "password_confirm"]);
    // A bad form does not spend or count against the code.
    assert_eq!(
        reset(&app, &client, &code, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}
