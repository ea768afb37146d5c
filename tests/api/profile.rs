//! 내 정보 수정 and 비밀번호 변경 (issue 22): members only, after the current password.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::{PASSWORD, TestApp};

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

async fn first_error(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let e = &body["Validation"][0];
    (
        e["field"].as_str().unwrap().to_owned(),
        e["message"].as_str().unwrap().to_owned(),
    )
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
        first_error(res).await,
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
    assert_eq!(first_error(res).await.0, "nickname");

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
    assert_eq!(first_error(res).await.0, "current_password");
    let res = app
        .call_as(
            &laptop,
            "accounts/password",
            &change(PASSWORD, "Newpassw0rd"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let me = |c: &reqwest::Client| {
        let c = c.clone();
        let app = &app;
        async move {
            app.call_as(&c, "accounts/me", &[])
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        me(&laptop).await["login_id"],
        "changepw",
        "this session stays"
    );
    assert!(me(&phone).await.is_null(), "the other one ended");
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
