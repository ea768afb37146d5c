use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::MySqlPool;

use crate::helpers::{PASSWORD, TestApp, field_message, signup_form, with};

#[sqlx::test]
async fn signup_creates_member_records_consent_and_signs_in(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let res = app.signup("reader01", "Reader@Example.com", "책벌레").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["login_id"], "reader01");
    assert_eq!(me["nickname"], "책벌레");
    assert_eq!(me["is_admin"], false);

    // The session cookie: HttpOnly, SameSite=Lax, whole site, not Secure over http.
    assert!(cookie.starts_with("bb_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");

    // Signed in straight away.
    assert_eq!(app.me().await["nickname"], "책벌레");

    let row = sqlx::query!(
        "SELECT email, phone, password_hash, is_admin AS `is_admin: bool` FROM member WHERE login_id = 'reader01'"
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        row.email, "reader@example.com",
        "email is stored lower-cased"
    );
    assert_eq!(row.phone.as_deref(), Some("01012345678"));
    assert!(row.password_hash.starts_with("$argon2id$"), "argon2id hash");
    assert!(!row.password_hash.contains(PASSWORD));
    assert!(!row.is_admin);

    let consents = sqlx::query!(
        "SELECT kind AS `kind: String`, version, agreed AS `agreed: bool`, created_at FROM member_consent ORDER BY kind"
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let kinds: Vec<_> = consents
        .iter()
        .map(|c| (c.kind.as_str(), c.version.as_str(), c.agreed))
        .collect();
    assert_eq!(
        kinds,
        [
            ("terms", "2026-11-01", true),
            ("privacy", "2026-11-01", true)
        ]
    );
    assert_eq!(consents[0].created_at.and_utc(), app.clock_now());
}

impl TestApp {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use bread_book::server::clock::Clock;
        self.clock.now()
    }
}

#[sqlx::test]
async fn secure_cookie_when_served_over_https(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, |c| c.public_url = "https://breadbook.kr".into()).await;
    let res = app.signup("reader01", "reader@example.com", "책벌레").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[sqlx::test]
async fn bad_signup_input_gets_korean_field_errors_and_no_500(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let form = signup_form("ab", "not-an-email", "책벌레");
    let form = with(form, "password_confirm", "Different1");
    let form = with(form, "agree_privacy", "false");
    let res = app.signup_form(&form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "login_id").unwrap(),
        "아이디는 6~20자여야 합니다."
    );
    assert!(
        field_message(&body, "email")
            .unwrap()
            .contains("올바른 이메일")
    );
    assert_eq!(
        field_message(&body, "password_confirm").unwrap(),
        "비밀번호가 일치하지 않습니다."
    );
    assert_eq!(
        field_message(&body, "agree_privacy").unwrap(),
        "개인정보 수집·이용에 동의해야 가입할 수 있습니다."
    );
    assert_eq!(field_message(&body, "nickname"), None);

    // Every field missing: still field errors, not a malformed-request failure.
    let res = app.call("accounts/signup", &[]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "login_id").unwrap(),
        "아이디를 입력해 주세요."
    );
    assert_eq!(
        field_message(&body, "agree_terms").unwrap(),
        "이용약관에 동의해야 가입할 수 있습니다."
    );

    // Under-14s are refused (the injected clock says 2026-11-24).
    let res = app
        .signup_form(&with(
            signup_form("young01", "y@example.com", "어린이"),
            "birth_date",
            "2012-11-25",
        ))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "birth_date").unwrap(),
        "만 14세 이상만 가입할 수 있습니다."
    );

    let members: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM member")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 0);
}

#[sqlx::test]
async fn malformed_requests_are_400_not_500(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let res = app
        .call(
            "accounts/check",
            &[("field", "no_such_field"), ("value", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap(), json!("BadRequest"));
}

#[sqlx::test]
async fn duplicates_are_detected_while_typing_and_on_submit(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let check = |field: &'static str, value: &'static str| {
        let app = &app;
        async move {
            let res = app
                .call("accounts/check", &[("field", field), ("value", value)])
                .await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Option<String>>().await.unwrap()
        }
    };
    assert_eq!(check("login_id", "reader01").await, None);
    assert_eq!(check("email", "reader@example.com").await, None);

    assert_eq!(
        app.signup("reader01", "reader@example.com", "책벌레")
            .await
            .status(),
        StatusCode::OK
    );
    // An address is taken once it is proved; until then its owner could still use it.
    assert_eq!(check("email", "reader@example.com").await, None);
    app.verify_as(&app.client, "reader@example.com").await;

    assert_eq!(
        check("login_id", "reader01").await.unwrap(),
        "이미 사용 중인 아이디입니다."
    );
    assert_eq!(
        check("email", "READER@example.com").await.unwrap(),
        "이미 가입된 이메일입니다."
    );
    assert_eq!(
        check("nickname", "책벌레").await.unwrap(),
        "이미 사용 중인 닉네임입니다."
    );
    // Login IDs are case-sensitive (spec): another case is a different, free ID.
    assert_eq!(check("login_id", "Reader01").await, None);
    // A badly formed value gets its rule's message, not a lookup.
    assert_eq!(
        check("login_id", "ab").await.unwrap(),
        "아이디는 6~20자여야 합니다."
    );

    let other = TestApp::new_client();
    let res = app
        .signup_form_as(
            &other,
            &signup_form("reader01", "reader@example.com", "책벌레"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "login_id").unwrap(),
        "이미 사용 중인 아이디입니다."
    );
    assert_eq!(
        field_message(&body, "email").unwrap(),
        "이미 가입된 이메일입니다."
    );
    assert_eq!(
        field_message(&body, "nickname").unwrap(),
        "이미 사용 중인 닉네임입니다."
    );

    let res = app
        .signup_form_as(
            &other,
            &signup_form("Reader01", "other@example.com", "다른닉"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a different case is a different login ID"
    );
}

#[sqlx::test]
async fn login_logout_and_session_lifecycle(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    app.signup("reader01", "reader@example.com", "책벌레").await;
    assert_eq!(
        app.call("accounts/logout", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.me().await, Value::Null);

    let res = app.login("reader01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(app.me().await["nickname"], "책벌레");

    let sessions: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1, "logout deleted the first session");

    // Logout removes the session server-side and expires the cookie.
    let res = app.call("accounts/logout", &[]).await;
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.me().await, Value::Null);
    let sessions: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    // Sessions expire after their lifetime (30 days).
    app.login("reader01", PASSWORD).await;
    app.clock.advance(Duration::days(31));
    assert_eq!(app.me().await, Value::Null);
}

#[sqlx::test]
async fn wrong_passwords_and_unknown_ids_get_one_generic_message(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    app.signup("reader01", "reader@example.com", "책벌레").await;
    app.call("accounts/logout", &[]).await;

    // An unknown ID counts down like a real one: the answer does not tell them apart.
    let res = app.login("nobody99", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["BadCredentials"],
        "아이디 또는 비밀번호가 올바르지 않습니다. (남은 시도 4회)"
    );

    let res = app.login("reader01", "Wrong1234").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["BadCredentials"],
        "아이디 또는 비밀번호가 올바르지 않습니다. (남은 시도 4회)"
    );

    let res = app.login("", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "login_id").unwrap(),
        "아이디를 입력해 주세요."
    );
    assert_eq!(
        field_message(&body, "password").unwrap(),
        "비밀번호를 입력해 주세요."
    );

    let outcomes: Vec<String> =
        sqlx::query_scalar!("SELECT outcome AS `o: String` FROM login_attempt ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(outcomes, ["unknown_id", "bad_password"]);
}

#[sqlx::test]
async fn five_wrong_passwords_lock_the_id_for_five_minutes(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    app.signup("reader01", "reader@example.com", "책벌레").await;
    app.call("accounts/logout", &[]).await;

    for left in (1..=4).rev() {
        let res = app.login("reader01", "Wrong1234").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body: Value = res.json().await.unwrap();
        assert!(
            body["BadCredentials"]
                .as_str()
                .unwrap()
                .contains(&format!("남은 시도 {left}회")),
            "{body}"
        );
    }
    let res = app.login("reader01", "Wrong1234").await;
    assert_eq!(res.status(), StatusCode::LOCKED);
    let body: Value = res.json().await.unwrap();
    // 12:00 KST + 5 minutes.
    assert_eq!(
        body["Locked"],
        "비밀번호를 5회 잘못 입력하여 로그인이 잠겼습니다. 12:05 이후에 다시 시도해 주세요. (약 5분 남음)"
    );

    // Locked: even the right password is refused, and the message says when it opens.
    app.clock.advance(Duration::seconds(4 * 60 + 59));
    let res = app.login("reader01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::LOCKED);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["Locked"].as_str().unwrap().contains("12:05 이후"),
        "{body}"
    );
    assert!(
        body["Locked"].as_str().unwrap().contains("약 1분 남음"),
        "{body}"
    );
    assert_eq!(app.me().await, Value::Null);

    // The window passes: the right password works and the count starts afresh.
    app.clock.advance(Duration::seconds(2));
    let res = app.login("reader01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.me().await["login_id"], "reader01");
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle WHERE login_id = 'reader01'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, 0, "a successful login clears the count");
}

#[sqlx::test]
async fn members_only_functions_refuse_anonymous_and_forged_sessions(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;

    let res = app.call("accounts/account", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.json::<Value>().await.unwrap(), json!("Unauthorized"));

    let forged = TestApp::new_client()
        .post(format!("{}/api/accounts/account", app.base))
        .header("cookie", "bb_session=forged-token-that-was-never-issued")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    app.signup("reader01", "reader@example.com", "책벌레").await;
    let res = app.call("accounts/account", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let account: Value = res.json().await.unwrap();
    assert_eq!(account["email"], "reader@example.com");
    assert_eq!(account["consents"].as_array().unwrap().len(), 2);

    // Another member sees only their own account.
    let other = TestApp::new_client();
    app.signup_form_as(
        &other,
        &signup_form("second02", "second@example.com", "둘째"),
    )
    .await;
    let theirs: Value = app
        .call_as(&other, "accounts/account", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["login_id"], "second02");

    // Internal details never leak: error bodies are our enum, nothing else.
    let res = app.call("accounts/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call("accounts/account", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
