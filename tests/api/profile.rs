//! 내 정보 수정 and 비밀번호 변경 (issue 22): members only, after the current password.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::{PASSWORD, TestApp, code_in, first_field_error};

fn profile_form<'a>(nickname: &'a str, current: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("input[name]", "이독서"),
        ("input[nickname]", nickname),
        ("input[birth_date]", "1999-12-31"),
        ("input[phone]", "010-9876-5432"),
        ("input[gender]", "female"),
        ("input[current_password]", current),
    ]
}

#[sqlx::test]
async fn a_member_edits_their_profile_after_the_password(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = app.member("profileone", false).await;
    app.member("othernick", false).await;

    // A visitor is asked to log in.
    let res = app
        .call_as(
            &TestApp::new_client(),
            "accounts/profile",
            &profile_form("새닉네임", PASSWORD),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The wrong password changes nothing.
    let res = app
        .call_as(
            &me,
            "accounts/profile",
            &profile_form("새닉네임", "Wr0ngpassword"),
        )
        .await;
    assert_eq!(
        first_field_error(res).await,
        ("current_password".into(), "비밀번호가 맞지 않아요.".into())
    );
    // Someone else's nickname is refused under its field.
    let res = app
        .call_as(
            &me,
            "accounts/profile",
            &profile_form("othernick", PASSWORD),
        )
        .await;
    assert_eq!(first_field_error(res).await.0, "nickname");

    let res = app
        .call_as(&me, "accounts/profile", &profile_form("새닉네임", PASSWORD))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let account: Value = app
        .call_as(&me, "accounts/account", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            account["name"].as_str(),
            account["nickname"].as_str(),
            account["birth_date"].as_str(),
            account["phone"].as_str(),
            account["gender"].as_str(),
        ),
        (
            Some("이독서"),
            Some("새닉네임"),
            Some("1999-12-31"),
            Some("01098765432"),
            Some("female")
        )
    );
    // Keeping one's own nickname is no conflict.
    let res = app
        .call_as(&me, "accounts/profile", &profile_form("새닉네임", PASSWORD))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_new_password_ends_the_other_sessions_but_not_this_one(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let laptop = app.member("changepw", false).await;
    let phone = TestApp::new_client();
    let res = app
        .call_as(
            &phone,
            "accounts/login",
            &[
                ("input[login_id]", "changepw"),
                ("input[password]", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let change = |current: &'static str, new: &'static str| {
        vec![
            ("input[current_password]", current),
            ("input[password]", new),
            ("input[password_confirm]", new),
        ]
    };

    let res = app
        .call_as(
            &TestApp::new_client(),
            "accounts/password",
            &change(PASSWORD, "Newpassw0rd"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .call_as(
            &laptop,
            "accounts/password",
            &change("Wr0ngpassword", "Newpassw0rd"),
        )
        .await;
    assert_eq!(first_field_error(res).await.0, "current_password");
    let res = app
        .call_as(
            &laptop,
            "accounts/password",
            &change(PASSWORD, "Newpassw0rd"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    assert_eq!(
        app.me_as(&laptop).await["login_id"],
        "changepw",
        "this session stays"
    );
    assert!(app.me_as(&phone).await.is_null(), "the other one ended");
    assert_eq!(
        app.login("changepw", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("changepw", "Newpassw0rd").await.status(),
        StatusCode::OK
    );
    let mails = app.mails_to("changepw@example.com");
    assert_eq!(mails.last().unwrap().0, "[책빵] 비밀번호가 바뀌었어요");
}

#[sqlx::test]
async fn a_new_email_counts_only_after_the_code_sent_to_it(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let me = app.member("mailmover", false).await;
    app.member("mailowner", false).await;
    let send = |email: &'static str, password: &'static str| {
        let me = me.clone();
        let app = &app;
        async move {
            app.call_as(
                &me,
                "accounts/email/send",
                &[
                    ("input[email]", email),
                    ("input[current_password]", password),
                ],
            )
            .await
        }
    };
    let confirm = |code: String| {
        let me = me.clone();
        let app = &app;
        async move {
            app.call_as(&me, "accounts/email/confirm", &[("input[code]", &code)])
                .await
        }
    };

    let res = app
        .call_as(
            &TestApp::new_client(),
            "accounts/email/send",
            &[
                ("input[email]", "new@example.com"),
                ("input[current_password]", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        first_field_error(send("mailowner@example.com", PASSWORD).await)
            .await
            .0,
        "email"
    );
    assert_eq!(
        first_field_error(send("mailmover@example.com", PASSWORD).await)
            .await
            .1,
        "지금 쓰는 이메일이에요."
    );
    assert_eq!(
        first_field_error(send("new@example.com", "Wr0ngpassword").await)
            .await
            .0,
        "current_password"
    );
    assert!(app.mails_to("new@example.com").is_empty());

    assert_eq!(
        send("new@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    let mails = app.mails_to("new@example.com");
    assert_eq!(mails.len(), 1, "the code goes to the new address");
    assert!(
        mails[0].0.starts_with("[책빵] 이메일 변경 인증 코드"),
        "{}",
        mails[0].0
    );
    let code = code_in(&mails[0].1);
    let account = |c: reqwest::Client| {
        let app = &app;
        async move {
            app.call_as(&c, "accounts/account", &[])
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        account(me.clone()).await["email"],
        "mailmover@example.com",
        "not yet"
    );

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        first_field_error(confirm(wrong.into()).await).await.0,
        "code"
    );
    let res = confirm(code.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(account(me.clone()).await["email"], "new@example.com");
    let old = app.mails_to("mailmover@example.com");
    assert_eq!(old.last().unwrap().0, "[책빵] 이메일 주소가 바뀌었어요");
    assert!(old.last().unwrap().1.contains("new@example.com"));
    // Used once.
    assert_eq!(first_field_error(confirm(code).await).await.0, "code");
    // The old address is free again; the new one is taken.
    assert_eq!(
        app.signup("mailnewbie", "mailmover@example.com", "새가입")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.signup("mailthief", "new@example.com", "도둑")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
