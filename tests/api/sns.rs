//! SNS 가입·로그인 (issue 22, USER_SIGNUP_004): Google/Kakao by OpenID Connect against a
//! local provider that signs real ID tokens, Naver by OAuth 2.0 and its profile API
//! against a local stub. State, nonce, PKCE, signature, issuer, audience and expiry are
//! each checked; a provider account is linked to an existing member only by that
//! member, never by a matching email address.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use bread_book::features::accounts::server::sns::settings::ProviderSettings;
use bread_book::features::accounts::types::sns::SnsProvider;
use bread_book::server::clock::Clock;

use crate::helpers::oidc::{Account, CLIENT_ID, CLIENT_SECRET, Provider, Tamper};
use crate::helpers::{PASSWORD, TestApp, first_field_error};

async fn app_with(pool: MySqlPool, providers: &[SnsProvider]) -> (TestApp, Provider) {
    // 12:00 KST on the day of the test app's clock; the provider stamps its tokens so.
    let stub = Provider::start(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 3, 0, 0).unwrap(),
    )
    .await;
    let base = stub.base.clone();
    let app = TestApp::spawn_with(pool, |c| {
        for p in providers {
            c.sns.set(
                *p,
                Some(ProviderSettings {
                    client_id: CLIENT_ID.into(),
                    client_secret: Some(CLIENT_SECRET.into()),
                    base: base.clone(),
                    api_base: base.clone(),
                }),
            );
        }
    })
    .await;
    (app, stub)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect: {}", res.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The browser's trip: our start route, the provider (which answers at once), and
/// back to our callback. Returns the callback's answer.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, start: &str) -> reqwest::Response {
    let to_provider = callback_url(app, browser, start).await;
    browser.get(to_provider).send().await.unwrap()
}

/// The callback URL the provider sends the browser to, not yet followed.
async fn callback_url(app: &TestApp, browser: &reqwest::Client, start: &str) -> String {
    let res = browser
        .get(format!("{}{start}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{start}");
    let at_provider = TestApp::new_client()
        .get(location(&res))
        .send()
        .await
        .unwrap();
    // The test app's public URL has no port; the browser would be on the real one.
    location(&at_provider).replacen("http://127.0.0.1/", &format!("{}/", app.base), 1)
}

async fn pending(app: &TestApp, browser: &reqwest::Client) -> Value {
    let res = app.call_as(browser, "accounts/sns/pending", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn complete(
    app: &TestApp,
    browser: &reqwest::Client,
    nickname: &str,
    email: &str,
) -> reqwest::Response {
    app.call_as(
        browser,
        "accounts/sns/signup",
        &[
            ("input[name]", "김하늘"),
            ("input[nickname]", nickname),
            ("input[email]", email),
            ("input[birth_date]", "1999-03-15"),
            ("input[agree_terms]", "true"),
            ("input[agree_privacy]", "true"),
        ],
    )
    .await
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

#[sqlx::test]
async fn buttons_show_only_configured_providers(pool: MySqlPool) {
    let (app, _stub) = app_with(pool, &[SnsProvider::Google]).await;
    let res = app.call("accounts/sns/providers", &[]).await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!(["google"])
    );
    // An unconfigured provider has no route in.
    let res = app.get("/auth/kakao").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get("/auth/yahoo").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_first_google_sign_in_asks_for_the_rest_then_signs_in_thereafter(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Google]).await;
    let browser = TestApp::new_client();
    let res = sign_in(&app, &browser, "/auth/google?next=/sell").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/signup/sns");
    // Nobody is signed in until the form is done; the form is filled from the token.
    assert!(app.me_as(&browser).await.is_null());
    let shown = pending(&app, &browser).await;
    assert_eq!(shown["provider"], "google");
    assert_eq!(shown["email"], "sky@gmail.test");
    assert_eq!(shown["email_verified"], true);
    assert_eq!(shown["name"], "김하늘");
    assert_eq!(shown["next_path"], "/sell");
    // The secret went in the body, as the provider's discovery document asks, with the
    // PKCE verifier the provider checked against the challenge.
    let asked = &stub.token_requests()[0];
    assert_eq!(asked["client_secret"], CLIENT_SECRET);
    assert!(asked["code_verifier"].len() >= 43);

    // No consent, no account.
    let res = app
        .call_as(
            &browser,
            "accounts/sns/signup",
            &[
                ("input[name]", "김하늘"),
                ("input[nickname]", "하늘빵"),
                ("input[birth_date]", "1999-03-15"),
            ],
        )
        .await;
    let (field, _) = first_field_error(res).await;
    assert_eq!(field, "agree_terms");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM member").await, 0);

    // The address the provider vouched for is used, whatever the form says.
    let res = complete(&app, &browser, "하늘빵", "typed@example.com").await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["nickname"], "하늘빵");
    assert_eq!(me["email_verified"], true);
    assert!(me["login_id"].as_str().unwrap().starts_with("google"));
    let account: Value = app
        .call_as(&browser, "accounts/account", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(account["email"], "sky@gmail.test");
    assert_eq!(account["consents"].as_array().unwrap().len(), 2);
    // No code mail: the provider proved the address.
    assert!(app.mails_to("sky@gmail.test").is_empty());
    // The pending sign-up is spent.
    assert!(pending(&app, &browser).await.is_null());
    let res = complete(&app, &browser, "하늘빵2", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Another day, another browser: the provider account signs straight in.
    let later = TestApp::new_client();
    let res = sign_in(&app, &later, "/auth/google?next=/me/trades").await;
    assert_eq!(location(&res), "/me/trades");
    assert_eq!(app.me_as(&later).await["id"], me["id"]);
    // Its generated ID has no password to guess: a password login is refused like
    // any wrong password (not a server error).
    let res = app
        .call(
            "accounts/login",
            &[
                ("input[login_id]", me["login_id"].as_str().unwrap()),
                ("input[password]", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test]
async fn a_state_from_another_browser_or_used_twice_is_refused(pool: MySqlPool) {
    let (app, _stub) = app_with(pool, &[SnsProvider::Google]).await;
    let victim = TestApp::new_client();
    let attacker = TestApp::new_client();
    // The attacker's own flow, finished in the victim's browser (login CSRF): the
    // victim's browser has no cookie for that state.
    let url = callback_url(&app, &attacker, "/auth/google").await;
    let res = victim.get(&url).send().await.unwrap();
    assert_eq!(location(&res), "/login?sns_error=expired");
    assert!(app.me_as(&victim).await.is_null());
    assert!(pending(&app, &victim).await.is_null());

    // The right browser with a state changed on the way.
    let url = callback_url(&app, &victim, "/auth/google").await;
    let tampered = url.replace("state=", "state=x");
    let res = victim.get(&tampered).send().await.unwrap();
    assert_eq!(location(&res), "/login?sns_error=expired");

    // A finished flow cannot be replayed.
    let url = callback_url(&app, &victim, "/auth/google").await;
    let res = victim.get(&url).send().await.unwrap();
    assert_eq!(location(&res), "/signup/sns");
    let res = victim.get(&url).send().await.unwrap();
    assert_eq!(location(&res), "/login?sns_error=expired");

    // Nor finished after its ten minutes.
    let url = callback_url(&app, &victim, "/auth/google").await;
    app.clock.advance(Duration::minutes(11));
    let res = victim.get(&url).send().await.unwrap();
    assert_eq!(location(&res), "/login?sns_error=expired");
}

#[sqlx::test]
async fn a_tampered_id_token_signs_nobody_in(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Kakao]).await;
    for tamper in [
        Tamper::Signature,
        Tamper::Nonce,
        Tamper::Issuer,
        Tamper::Audience,
        Tamper::Expired,
    ] {
        stub.tamper(tamper);
        let browser = TestApp::new_client();
        let res = sign_in(&app, &browser, "/auth/kakao").await;
        assert_eq!(location(&res), "/login?sns_error=provider", "{tamper:?}");
        assert!(app.me_as(&browser).await.is_null(), "{tamper:?}");
        assert!(pending(&app, &browser).await.is_null(), "{tamper:?}");
    }
    // The same flow with an honest token goes through, so the refusals above were the
    // tampering's doing.
    stub.tamper(Tamper::None);
    let browser = TestApp::new_client();
    let res = sign_in(&app, &browser, "/auth/kakao").await;
    assert_eq!(location(&res), "/signup/sns");
    // The provider's cancel comes back as an error, not a code.
    let browser = TestApp::new_client();
    let url = callback_url(&app, &browser, "/auth/kakao").await;
    let cancelled = url.replace("code=", "error=access_denied&code=");
    let res = browser.get(&cancelled).send().await.unwrap();
    assert_eq!(location(&res), "/login?sns_error=cancelled");
    // Some providers leave the state off a refusal: still a refusal, and nobody is in.
    let res = browser
        .get(format!(
            "{}/auth/kakao/callback?error=access_denied",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?sns_error=cancelled");
    assert!(app.me_as(&browser).await.is_null());
}

#[sqlx::test]
async fn naver_signs_up_through_its_profile_api_and_the_address_gets_our_code(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Naver]).await;
    stub.sign_in_as(Account {
        subject: "naver-77".into(),
        email: Some("reader@naver.test".into()),
        email_verified: false,
        name: Some("이서연".into()),
    });
    let browser = TestApp::new_client();
    let res = sign_in(&app, &browser, "/auth/naver").await;
    assert_eq!(location(&res), "/signup/sns");
    let shown = pending(&app, &browser).await;
    assert_eq!(shown["name"], "이서연");
    assert_eq!(shown["nickname"], "책벌레");
    assert_eq!(shown["birth_date"], "1999-03-15");
    assert_eq!(shown["gender"], "female");
    assert_eq!(shown["email_verified"], false);
    // Naver's token request carried the state again.
    assert!(stub.token_requests()[0].contains_key("state"));

    let res = complete(&app, &browser, "책벌레", "reader@naver.test").await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email_verified"], false);
    // Not vouched for: the usual sign-up code, which activates the account.
    app.verify_as(&browser, "reader@naver.test").await;
    assert_eq!(app.me_as(&browser).await["email_verified"], true);

    let again = TestApp::new_client();
    let res = sign_in(&app, &again, "/auth/naver").await;
    assert_eq!(location(&res), "/");
    assert_eq!(app.me_as(&again).await["id"], me["id"]);
}

#[sqlx::test]
async fn a_matching_address_never_links_but_the_member_can_link_themselves(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Google]).await;
    let owner = app.member("owner001", false).await;
    stub.sign_in_as(Account::new("g-owner", "owner001@example.com"));

    // Someone with a Google account under the owner's address lands on the sign-up
    // form, not in the owner's account, and cannot take the address.
    let stranger = TestApp::new_client();
    let res = sign_in(&app, &stranger, "/auth/google").await;
    assert_eq!(location(&res), "/signup/sns");
    assert!(app.me_as(&stranger).await.is_null());
    let (field, message) = first_field_error(complete(&app, &stranger, "남남", "").await).await;
    assert_eq!(field, "email");
    assert!(message.contains("내 정보에서 SNS 계정을 연결"), "{message}");

    // Linking needs the member signed in.
    let res = TestApp::new_client()
        .get(format!("{}/auth/google?link=1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?next=/me");
    let res = sign_in(&app, &owner, "/auth/google?link=1").await;
    assert_eq!(location(&res), "/me?sns=linked");
    let links: Value = app
        .call_as(&owner, "accounts/sns/links", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links["linked"][0]["provider"], "google");
    assert_eq!(links["has_password"], true);

    // Now the Google account signs in as the owner.
    let later = TestApp::new_client();
    let res = sign_in(&app, &later, "/auth/google").await;
    assert_eq!(location(&res), "/");
    assert_eq!(app.me_as(&later).await["login_id"], "owner001");

    // Another member cannot link the same Google account.
    let other = app.member("other001", false).await;
    let res = sign_in(&app, &other, "/auth/google?link=1").await;
    assert_eq!(location(&res), "/me?sns_error=linked_elsewhere");

    // The owner may unlink: they have a password to sign in with.
    let res = app
        .call_as(&owner, "accounts/sns/unlink", &[("provider", "google")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = sign_in(&app, &TestApp::new_client(), "/auth/google").await;
    assert_eq!(location(&res), "/signup/sns");
}

#[sqlx::test]
async fn links_are_the_members_own_and_the_last_way_in_stays(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Google]).await;
    // A provider that puts a user name where the address goes: none is kept.
    stub.sign_in_as(Account {
        email: Some("just-a-name".into()),
        email_verified: false,
        ..Account::new("g-name", "")
    });
    for endpoint in ["accounts/sns/links", "accounts/sns/unlink"] {
        let res = app.call(endpoint, &[("provider", "google")]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    let browser = TestApp::new_client();
    sign_in(&app, &browser, "/auth/google").await;
    assert!(pending(&app, &browser).await["email"].is_null());
    assert_eq!(
        complete(&app, &browser, "하늘빵", "sky@example.com")
            .await
            .status(),
        StatusCode::OK
    );
    let links: Value = app
        .call_as(&browser, "accounts/sns/links", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links["has_password"], false);
    // Without a password, unlinking Google would lock the member out.
    let res = app
        .call_as(&browser, "accounts/sns/unlink", &[("provider", "google")])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM member_identity").await, 1);
}

#[sqlx::test]
async fn a_pending_sign_up_expires_and_withdrawal_frees_the_provider_account(pool: MySqlPool) {
    let (app, stub) = app_with(pool, &[SnsProvider::Google]).await;
    let browser = TestApp::new_client();
    sign_in(&app, &browser, "/auth/google").await;
    app.clock.advance(Duration::minutes(31));
    assert!(pending(&app, &browser).await.is_null());
    let res = complete(&app, &browser, "하늘빵", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // The sweeper clears what can no longer be used.
    let swept =
        bread_book::features::accounts::server::sns::repo::sweep(&app.pool, app.clock.now())
            .await
            .unwrap();
    assert_eq!(swept, 1);

    // A member who signed up by SNS and leaves (or is removed) frees the provider
    // account: withdrawal and the clean-up both forget the links.
    let app2 = app;
    stub.set_now(app2.clock.now());
    let browser = TestApp::new_client();
    sign_in(&app2, &browser, "/auth/google").await;
    assert_eq!(
        complete(&app2, &browser, "하늘빵", "").await.status(),
        StatusCode::OK
    );
    let id: u64 = sqlx::query_scalar("SELECT member_id FROM member_identity")
        .fetch_one(&app2.pool)
        .await
        .unwrap();
    let mut tx = app2.pool.begin().await.unwrap();
    bread_book::features::accounts::server::repo::forget_activity(&mut tx, id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        count(&app2, "SELECT COUNT(*) FROM member_identity").await,
        0
    );
}
