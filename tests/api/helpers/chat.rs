//! Chat fixtures: signed-in members, the chat server functions, a WebSocket client and
//! a marketplace with one listing to talk about.

use std::time::Duration;

use bread_book::features::chat::types::{ClientFrame, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderValue, SET_COOKIE};
use sqlx::MySqlPool;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::listings::list_book;
use super::{PASSWORD, TestApp};

/// A member as a browser: their session cookie and a client that sends it.
pub(crate) struct Member {
    pub(crate) cookie: String,
    pub(crate) client: reqwest::Client,
}

/// Signs `login_id` in at `base` (a new session) and keeps its cookie.
pub(crate) async fn sign_in(base: &str, login_id: &str) -> Member {
    let res = TestApp::new_client()
        .post(format!("{base}/api/accounts/login"))
        .form(&[("input[login_id]", login_id), ("input[password]", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "login {login_id}");
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bb_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let mut headers = crate::helpers::same_origin();
    headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Member { cookie, client }
}

pub(crate) async fn call(
    base: &str,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{base}/api/{endpoint}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A server function's answer, which must be a success.
pub(crate) async fn fetch<T: serde::de::DeserializeOwned>(
    base: &str,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> T {
    let res = call(base, client, endpoint, form).await;
    assert_eq!(res.status(), StatusCode::OK, "{endpoint}");
    res.json().await.unwrap()
}

pub(crate) async fn open_room(base: &str, buyer: &Member, listing: u64) -> u64 {
    let res = call(
        base,
        &buyer.client,
        "chat/open",
        &[("listing", &listing.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub(crate) struct Ws(
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
);

impl Ws {
    pub(crate) async fn connect(base: &str, cookie: &str) -> Self {
        Self::try_connect(base, Some(cookie)).await.unwrap()
    }

    pub(crate) async fn try_connect(
        base: &str,
        cookie: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("{}/ws/chat", base.replacen("http", "ws", 1))
            .into_client_request()
            .unwrap();
        // What a browser on one of our pages sends.
        request
            .headers_mut()
            .insert("origin", base.parse().unwrap());
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Self(stream))
    }

    pub(crate) async fn send(&mut self, frame: &ClientFrame) {
        let json = serde_json::to_string(frame).unwrap();
        self.0.send(Message::text(json)).await.unwrap();
    }

    pub(crate) async fn say(&mut self, room: u64, cid: &str, body: &str) {
        self.send(&ClientFrame::Send {
            room,
            cid: cid.into(),
            body: body.into(),
        })
        .await;
    }

    /// The next frame, within 5 seconds.
    pub(crate) async fn next(&mut self) -> ServerFrame {
        self.within(Duration::from_secs(5))
            .await
            .expect("a frame within 5 s")
    }

    pub(crate) async fn within(&mut self, wait: Duration) -> Option<ServerFrame> {
        loop {
            let msg = tokio::time::timeout(wait, self.0.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(text) = msg {
                return Some(serde_json::from_str(&text).unwrap());
            }
        }
    }

    /// The next acknowledgement, past receipts and deletions (a socket hears its own).
    pub(crate) async fn ack(&mut self) -> bread_book::features::chat::types::ChatMessage {
        loop {
            match self.next().await {
                ServerFrame::Ack { msg, .. } => return msg,
                ServerFrame::Read { .. } | ServerFrame::Deleted { .. } => continue,
                other => panic!("expected an ack, got {other:?}"),
            }
        }
    }

    pub(crate) async fn refused(&mut self) -> String {
        loop {
            match self.next().await {
                ServerFrame::Refused { message, .. } => return message,
                ServerFrame::Read { .. } | ServerFrame::Deleted { .. } => continue,
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }
}

/// A seeded marketplace where `seller01` lists a book and `buyer001` (and `others`:
/// login id, admin) have accounts; the listing's id.
pub(crate) async fn marketplace(pool: MySqlPool, others: &[(&str, bool)]) -> (TestApp, u64) {
    marketplace_with(pool, others, |_| {}).await
}

/// The same marketplace under another configuration.
pub(crate) async fn marketplace_with(
    pool: MySqlPool,
    others: &[(&str, bool)],
    tweak: impl FnOnce(&mut bread_book::server::config::Config),
) -> (TestApp, u64) {
    let app = TestApp::spawn_with(pool, tweak).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    let seller = app.member("seller01", false).await;
    app.member("buyer001", false).await;
    for (login_id, admin) in others {
        app.member(login_id, *admin).await;
    }
    let listing = list_book(&app, &seller, "9000").await;
    (app, listing)
}

/// For tests that send and report more than a person would (the defaults allow 20
/// messages in 10 s and 20 reports an hour).
pub(crate) fn chatty(c: &mut bread_book::server::config::Config) {
    use bread_book::server::limits::{Allowance, Limit};
    for limit in [Limit::ChatSend, Limit::Report] {
        c.rate_limits
            .set(limit, Allowance::parse("1000/1").unwrap());
    }
}
