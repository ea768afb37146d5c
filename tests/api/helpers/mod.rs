pub mod chat;
pub mod listings;
pub mod moderation;
pub mod oidc;
pub mod orders;

use std::net::SocketAddr;
use std::sync::Arc;

use bread_book::server::clock::ManualClock;
use bread_book::server::config::Config;
use bread_book::server::{AppState, router};
use chrono::{TimeZone, Utc};
use leptos::prelude::LeptosOptions;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sqlx::MySqlPool;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub pool: MySqlPool,
    state: AppState,
}

pub const PASSWORD: &str = "Passw0rd";

impl TestApp {
    pub async fn spawn(pool: MySqlPool) -> Self {
        Self::spawn_with(pool, |_| {}).await
    }

    pub async fn spawn_with(pool: MySqlPool, tweak: impl FnOnce(&mut Config)) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("bread-book")
            .site_root("target/site")
            .build();
        Self::spawn_site(pool, tweak, leptos_options).await
    }

    /// With the static files (and their naming) of `leptos_options` instead of the build's.
    pub async fn spawn_site(
        pool: MySqlPool,
        tweak: impl FnOnce(&mut Config),
        leptos_options: LeptosOptions,
    ) -> Self {
        // 12:00 KST on the day these tests were written.
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap());
        let mut config = Config::for_tests(String::new());
        tweak(&mut config);
        let state = AppState::new(
            leptos_options,
            pool.clone(),
            Arc::new(clock.clone()),
            config,
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router::build(state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            client: Self::new_client(),
            clock,
            pool,
            state,
        }
    }

    /// The mails this app sent to `to`, oldest first, as (subject, plain text).
    pub fn mails_to(&self, to: &str) -> Vec<(String, String)> {
        let dir = &self.state.config.mail.outbox;
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|path| {
                let raw = std::fs::read(path).ok()?;
                let message = mail_parser::MessageParser::default().parse(&raw)?;
                let addressed = message
                    .to()?
                    .iter()
                    .any(|a| a.address().is_some_and(|x| x == to));
                addressed.then(|| {
                    (
                        message.subject().unwrap_or_default().to_owned(),
                        message.body_text(0).unwrap_or_default().into_owned(),
                    )
                })
            })
            .collect()
    }

    /// The server's state, for calling server-side jobs (the order sweeper) directly.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// A fresh browser: its own cookie jar. A request that hangs fails its test instead
    /// of stalling the whole run until CI's deadline.
    pub fn new_client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(same_origin())
            .timeout(std::time::Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call_as(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.call_as(&self.client, endpoint, form).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(&self, login_id: &str, email: &str, nickname: &str) -> Response {
        self.signup_form(&signup_form(login_id, email, nickname))
            .await
    }

    pub async fn signup_form(&self, form: &[(String, String)]) -> Response {
        self.signup_form_as(&self.client, form).await
    }

    /// Signs up from another browser (its own cookie jar).
    pub async fn signup_form_as(
        &self,
        client: &reqwest::Client,
        form: &[(String, String)],
    ) -> Response {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.call_as(client, "accounts/signup", &pairs).await
    }

    /// A new browser signed in as a fresh member (`admin` makes them an admin).
    pub async fn member(&self, login_id: &str, admin: bool) -> reqwest::Client {
        let client = Self::new_client();
        let nickname: String = login_id.chars().take(12).collect();
        let res = self
            .signup_form_as(
                &client,
                &signup_form(login_id, &format!("{login_id}@example.com"), &nickname),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "sign-up of {login_id}");
        self.verify_as(&client, &format!("{login_id}@example.com"))
            .await;
        if admin {
            sqlx::query!(
                "UPDATE member SET is_admin = TRUE WHERE login_id = ?",
                login_id
            )
            .execute(&self.pool)
            .await
            .unwrap();
        }
        client
    }

    /// Enters the latest sign-up code mailed to `email` in `client`'s session, as the
    /// member would: selling, chatting and buying need it.
    pub async fn verify_as(&self, client: &reqwest::Client, email: &str) {
        let res = self
            .call_as(
                client,
                "accounts/verify",
                &[("code", &self.verify_code(email))],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "verification of {email}");
    }

    /// The code in the latest sign-up verification mail to `email`.
    pub fn verify_code(&self, email: &str) -> String {
        let mails = self.mails_to(email);
        let (_, text) = mails
            .iter()
            .rev()
            .find(|(subject, _)| subject.contains("가입 이메일"))
            .unwrap_or_else(|| panic!("no verification mail to {email}"));
        code_in(text)
    }

    pub async fn login(&self, login_id: &str, password: &str) -> Response {
        self.call(
            "accounts/login",
            &[("input[login_id]", login_id), ("input[password]", password)],
        )
        .await
    }

    pub async fn me(&self) -> Value {
        self.me_as(&self.client).await
    }

    /// Who `client`'s session belongs to (null when it has none).
    pub async fn me_as(&self, client: &reqwest::Client) -> Value {
        let res = self.call_as(client, "accounts/me", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }
}

/// The first field a 422 answer names, and its message.
pub async fn first_field_error(res: Response) -> (String, String) {
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let e = &body["Validation"][0];
    (
        e["field"].as_str().unwrap().to_owned(),
        e["message"].as_str().unwrap().to_owned(),
    )
}

/// The six-digit code in a mail's text.
pub fn code_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(6)
        .find(|w| w.iter().all(char::is_ascii_digit))
        .map(|w| w.iter().collect())
        .expect("a code in the mail")
}

/// What a browser sends with a request from one of our own pages; the server refuses
/// writes without it (CSRF).
pub fn same_origin() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    headers
}

pub fn signup_form(login_id: &str, email: &str, nickname: &str) -> Vec<(String, String)> {
    [
        ("login_id", login_id),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("name", "김독서"),
        ("nickname", nickname),
        ("email", email),
        ("birth_date", "2001-03-15"),
        ("phone", "010-1234-5678"),
        ("gender", ""),
        ("agree_terms", "true"),
        ("agree_privacy", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (format!("input[{k}]"), v.to_owned()))
    .collect()
}

/// Replaces one field of a sign-up form.
pub fn with(mut form: Vec<(String, String)>, field: &str, value: &str) -> Vec<(String, String)> {
    let key = format!("input[{field}]");
    form.retain(|(k, _)| *k != key);
    form.push((key, value.to_owned()));
    form
}

/// The message the server gave for one field of a Validation error.
pub fn field_message(body: &Value, field: &str) -> Option<String> {
    body.get("Validation")?
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .and_then(|e| e["message"].as_str())
        .map(str::to_owned)
}
