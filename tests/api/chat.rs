//! Chat over real WebSockets: in-process for the rules and authorization, and as real
//! server processes (the `bread-book` binary) for a restart and for two instances
//! joined through Redis.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bread_book::features::chat::types::{ClientFrame, ServerFrame};
use bread_book::server::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::TestApp;
use crate::helpers::chat::{
    Ws, call, chatty, fetch, marketplace, marketplace_with, open_room, sign_in,
};

/// What `probe` finds within a second (it is asked every 20 ms): for what the server
/// does just after answering.
async fn eventually<T, F, Fut>(mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..50 {
        if let Some(found) = probe().await {
            return Some(found);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn message_count(pool: &MySqlPool, room: u64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM chat_message WHERE room_id = ?")
        .bind(room)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn buyer_and_seller_chat_with_receipts_unread_counts_and_history(pool: MySqlPool) {
    let (app, listing) = marketplace_with(pool, &[], chatty).await;
    let seller = sign_in(&app.base, "seller01").await;
    let buyer = sign_in(&app.base, "buyer001").await;

    // The seller cannot chat with themself; the buyer's second tap reuses the room.
    let res = call(
        &app.base,
        &seller.client,
        "chat/open",
        &[("listing", &listing.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let room = open_room(&app.base, &buyer, listing).await;
    assert_eq!(open_room(&app.base, &buyer, listing).await, room);

    let mut buyer_ws = Ws::connect(&app.base, &buyer.cookie).await;
    let mut seller_ws = Ws::connect(&app.base, &seller.cookie).await;
    buyer_ws.send(&ClientFrame::View { room: Some(room) }).await;
    // Both sockets count on /metrics (registration follows the handshake shortly).
    let counted = eventually(|| async {
        let metrics = app.get("/metrics").await.text().await.unwrap();
        metrics.contains("breadbook_chat_sockets 2").then_some(())
    })
    .await;
    assert!(counted.is_some(), "two open sockets on /metrics");

    buyer_ws
        .say(room, "c-1", "  안녕하세요, 아직 판매 중인가요?  ")
        .await;
    let first = buyer_ws.ack().await;
    assert_eq!(first.body, "안녕하세요, 아직 판매 중인가요?");
    match seller_ws.next().await {
        ServerFrame::Msg {
            msg,
            sender_nickname,
            notify,
        } => {
            assert_eq!(msg, first);
            assert_eq!(sender_nickname, "buyer001");
            assert!(notify, "the seller is not looking at the room");
        }
        other => panic!("seller expected the message, got {other:?}"),
    }

    // Room list and header count for the seller, who has not read it yet.
    let rooms: Value = fetch(&app.base, &seller.client, "chat/rooms", &[]).await;
    let row = &rooms["rooms"][0];
    assert_eq!(row["id"], room);
    assert_eq!(row["title"], "채식주의자");
    assert_eq!(row["other_nickname"], "buyer001");
    assert_eq!(row["last_message"], "안녕하세요, 아직 판매 중인가요?");
    assert_eq!(row["unread"], 1);
    assert_eq!(row["last_from_me"], false);
    let unread: u32 = fetch(&app.base, &seller.client, "chat/unread", &[]).await;
    assert_eq!(unread, 1);
    let mine: Value = fetch(&app.base, &buyer.client, "chat/rooms", &[]).await;
    assert_eq!(mine["rooms"][0]["unread"], 0);
    assert_eq!(mine["rooms"][0]["last_from_me"], true);
    // The seller was not looking at the room: one notification, with the sender's name.
    // Written just after the commit: give it a moment.
    let note = eventually(|| async {
        sqlx::query_as::<_, (String, String)>(
            "SELECT n.body, n.link FROM notification n JOIN member m ON m.id = n.member_id
             WHERE m.login_id = 'seller01' AND n.read_at IS NULL",
        )
        .fetch_optional(&app.pool)
        .await
        .unwrap()
    })
    .await
    .expect("a notification for the seller");
    assert_eq!(
        note,
        (
            "buyer001님이 새 메시지를 보냈습니다.".into(),
            format!("/chat/{room}")
        )
    );

    // The seller reads: the buyer sees ✓✓ (the read pointer) and counts drop to zero.
    seller_ws
        .send(&ClientFrame::Read {
            room,
            upto: first.id,
        })
        .await;
    match buyer_ws.next().await {
        ServerFrame::Read { room: r, upto, .. } => assert_eq!((r, upto), (room, first.id)),
        other => panic!("buyer expected a receipt, got {other:?}"),
    }
    let unread: u32 = fetch(&app.base, &seller.client, "chat/unread", &[]).await;
    assert_eq!(unread, 0);
    let view: Value = fetch(
        &app.base,
        &buyer.client,
        "chat/room",
        &[("room", &room.to_string())],
    )
    .await;
    assert_eq!(view["other_last_read"], first.id);
    assert_eq!(view["other_nickname"], "seller01");
    assert_eq!(view["title"], "채식주의자");
    assert_eq!(view["price"], 9000);

    // Reading again what was read moves nothing and tells nobody: the buyer's next
    // frame is the reply below, not a second receipt.
    seller_ws
        .send(&ClientFrame::Read {
            room,
            upto: first.id,
        })
        .await;
    // The buyer is looking at the room: the seller's reply makes no notification.
    seller_ws.say(room, "s-1", "네 판매 중이에요").await;
    let reply = seller_ws.ack().await;
    assert!(
        matches!(buyer_ws.next().await, ServerFrame::Msg { msg, notify: false, .. } if msg.id == reply.id)
    );
    let buyer_notes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notification n JOIN member m ON m.id = n.member_id WHERE m.login_id = 'buyer001'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(buyer_notes, 0);

    // A retry with the same client id is acknowledged with the first copy, not stored again.
    buyer_ws
        .say(room, "c-1", "안녕하세요, 아직 판매 중인가요?")
        .await;
    assert_eq!(buyer_ws.ack().await, first);
    assert_eq!(message_count(&app.pool, room).await, 2);

    // History: 60 more messages; newest 50 first, then the rest before them.
    for i in 0..60 {
        buyer_ws
            .say(room, &format!("h-{i}"), &format!("메시지 {i}"))
            .await;
        buyer_ws.ack().await;
    }
    let page: Value = fetch(
        &app.base,
        &buyer.client,
        "chat/history",
        &[("room", &room.to_string())],
    )
    .await;
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 50);
    assert_eq!(page["has_older"], true);
    assert_eq!(messages[49]["body"], "메시지 59");
    let oldest = messages[0]["id"].as_u64().unwrap();
    let older: Value = fetch(
        &app.base,
        &buyer.client,
        "chat/history",
        &[("room", &room.to_string()), ("before", &oldest.to_string())],
    )
    .await;
    assert_eq!(older["messages"].as_array().unwrap().len(), 12);
    assert_eq!(older["has_older"], false);
    assert_eq!(older["messages"][0]["id"], first.id);
    // Catch-up after a reconnect: everything after a seen id.
    let since: Value = fetch(
        &app.base,
        &seller.client,
        "chat/history",
        &[
            ("room", &room.to_string()),
            ("after", &reply.id.to_string()),
        ],
    )
    .await;
    assert_eq!(since["messages"].as_array().unwrap().len(), 60);
    let unread: u32 = fetch(&app.base, &seller.client, "chat/unread", &[]).await;
    assert_eq!(unread, 60);
}

#[sqlx::test]
async fn only_the_two_participants_can_read_or_write_a_room(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[("stranger1", false), ("admin0001", true)]).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let seller = sign_in(&app.base, "seller01").await;
    let stranger = sign_in(&app.base, "stranger1").await;
    let admin = sign_in(&app.base, "admin0001").await;
    let room = open_room(&app.base, &buyer, listing).await;
    let mut buyer_ws = Ws::connect(&app.base, &buyer.cookie).await;
    buyer_ws.say(room, "c-1", "안녕하세요").await;
    let message = buyer_ws.ack().await.id.to_string();
    let room_s = room.to_string();

    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("chat/room", vec![("room", &room_s)]),
        ("chat/history", vec![("room", &room_s)]),
        ("chat/mute", vec![("room", &room_s), ("on", "true")]),
        ("chat/block", vec![("room", &room_s), ("on", "true")]),
        (
            "chat/report",
            vec![("room", &room_s), ("message", &message), ("reason", "spam")],
        ),
        (
            "chat/delete",
            vec![("room", &room_s), ("message", &message)],
        ),
        ("chat/leave", vec![("room", &room_s)]),
    ];
    let anonymous = TestApp::new_client();
    for (endpoint, form) in &calls {
        let res = call(&app.base, &anonymous, endpoint, form).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
        // Another member and an admin who is not in the room: the room does not exist.
        for (who, member) in [("stranger", &stranger), ("admin", &admin)] {
            let res = call(&app.base, &member.client, endpoint, form).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} {endpoint}");
        }
    }
    for endpoint in ["chat/rooms", "chat/open"] {
        let res = call(&app.base, &anonymous, endpoint, &[("listing", "1")]).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "anonymous {endpoint}"
        );
    }
    // The owners: the seller reads the room, the buyer's message is still one.
    let res = call(
        &app.base,
        &seller.client,
        "chat/history",
        &[("room", &room_s)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(message_count(&app.pool, room).await, 1);
    let rooms: Value = fetch(&app.base, &stranger.client, "chat/rooms", &[]).await;
    assert_eq!(rooms["rooms"].as_array().unwrap().len(), 0);

    // Sockets: none without a session or from another site; a stranger cannot post.
    assert!(Ws::try_connect(&app.base, None).await.is_err());
    let mut foreign = format!("{}/ws/chat", app.base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    foreign
        .headers_mut()
        .insert("cookie", buyer.cookie.parse().unwrap());
    foreign
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(foreign).await.is_err());
    // No Origin at all is not one of our pages either.
    let mut bare = format!("{}/ws/chat", app.base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    bare.headers_mut()
        .insert("cookie", buyer.cookie.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(bare).await.is_err());
    let mut stranger_ws = Ws::connect(&app.base, &stranger.cookie).await;
    stranger_ws.say(room, "x-1", "끼어들기").await;
    assert_eq!(
        stranger_ws.refused().await,
        "이 대화방에는 메시지를 보낼 수 없어요."
    );
    stranger_ws
        .send(&ClientFrame::Read { room, upto: 999 })
        .await;
    assert_eq!(message_count(&app.pool, room).await, 1);
    // …and hears nothing of the room.
    let mut seller_ws = Ws::connect(&app.base, &seller.cookie).await;
    buyer_ws.say(room, "c-2", "두 번째").await;
    buyer_ws.ack().await;
    assert!(matches!(seller_ws.next().await, ServerFrame::Msg { .. }));
    assert_eq!(stranger_ws.within(Duration::from_millis(300)).await, None);

    // The banned-word list is for admins.
    let res = call(&app.base, &stranger.client, "chat/banned-words", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = call(
        &app.base,
        &stranger.client,
        "chat/banned-words/set",
        &[("word", "x"), ("on", "true")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let words: Vec<String> = fetch(&app.base, &admin.client, "chat/banned-words", &[]).await;
    assert!(words.contains(&"시발".to_owned()));
}

#[sqlx::test]
async fn banned_words_length_blocks_deletes_reports_and_leaving(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[("admin0001", true)]).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let seller = sign_in(&app.base, "seller01").await;
    let admin = sign_in(&app.base, "admin0001").await;
    let room = open_room(&app.base, &buyer, listing).await;
    let room_s = room.to_string();
    let mut buyer_ws = Ws::connect(&app.base, &buyer.cookie).await;
    let mut seller_ws = Ws::connect(&app.base, &seller.cookie).await;

    // Banned words (also spaced out), and one an admin adds: refused, nothing stored.
    buyer_ws.say(room, "b-1", "아 시 발 너무 비싸요").await;
    assert!(buyer_ws.refused().await.contains("‘시발’"));
    let res = call(
        &app.base,
        &admin.client,
        "chat/banned-words/set",
        &[("word", "바보 멍청이"), ("on", "true")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    buyer_ws.say(room, "b-2", "바보멍청이").await;
    assert!(buyer_ws.refused().await.contains("바보멍청이"));
    // Over 500 characters, and nothing at all.
    buyer_ws.say(room, "b-3", &"가".repeat(501)).await;
    assert!(buyer_ws.refused().await.contains("500자"));
    buyer_ws.say(room, "b-4", "   ").await;
    assert_eq!(buyer_ws.refused().await, "메시지를 입력해 주세요.");
    assert_eq!(message_count(&app.pool, room).await, 0);

    // Delete: only one's own, for good, and both sides hear of it.
    buyer_ws
        .say(room, "b-5", "010-1234-5678로 연락주세요")
        .await;
    let sent = buyer_ws.ack().await;
    seller_ws.next().await;
    let res = call(
        &app.base,
        &seller.client,
        "chat/delete",
        &[("room", &room_s), ("message", &sent.id.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Report: the other's message, once; not one's own; a reason from the list.
    let message = sent.id.to_string();
    let report = |client: &reqwest::Client, reason: &'static str| {
        let form = [
            ("room", room_s.clone()),
            ("message", message.clone()),
            ("reason", reason.to_owned()),
        ];
        let (client, base) = (client.clone(), app.base.clone());
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(&base, &client, "chat/report", &pairs).await.status()
        }
    };
    assert_eq!(
        report(&seller.client, "scam").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(report(&seller.client, "fraud").await, StatusCode::OK);
    assert_eq!(report(&seller.client, "spam").await, StatusCode::CONFLICT);
    assert_eq!(report(&buyer.client, "spam").await, StatusCode::CONFLICT);
    let res = call(
        &app.base,
        &buyer.client,
        "chat/delete",
        &[("room", &room_s), ("message", &sent.id.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        seller_ws.next().await,
        ServerFrame::Deleted { room, id: sent.id }
    );
    let page: Value = fetch(
        &app.base,
        &seller.client,
        "chat/history",
        &[("room", &room_s)],
    )
    .await;
    assert_eq!(page["messages"][0]["deleted"], true);
    assert_eq!(page["messages"][0]["body"], "");
    let rooms: Value = fetch(&app.base, &seller.client, "chat/rooms", &[]).await;
    assert_eq!(rooms["rooms"][0]["last_message"], "삭제됨");

    // Block: no messages either way until unblocked.
    let res = call(
        &app.base,
        &seller.client,
        "chat/block",
        &[("room", &room_s), ("on", "true")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    buyer_ws.say(room, "b-6", "왜 답이 없으세요").await;
    assert!(buyer_ws.refused().await.contains("차단"));
    seller_ws.say(room, "s-1", "…").await;
    assert!(seller_ws.refused().await.contains("차단"));
    fetch::<()>(
        &app.base,
        &seller.client,
        "chat/block",
        &[("room", &room_s), ("on", "false")],
    )
    .await;
    // A moment of its own, so its notification is told apart from the earlier ones'.
    app.clock.advance(chrono::Duration::seconds(1));
    let b7_at = app.clock.now().naive_utc();
    buyer_ws.say(room, "b-7", "이제 되나요").await;
    buyer_ws.ack().await;
    seller_ws.next().await;

    // Mute: the seller gets no notification for this room. (The last message's one is
    // written just after its commit; wait for that one, not an earlier message's row,
    // before clearing.)
    eventually(|| async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification WHERE created_at = ?")
            .bind(b7_at)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        (n > 0).then_some(())
    })
    .await
    .expect("the unmuted message's notification");
    sqlx::query("DELETE FROM notification")
        .execute(&app.pool)
        .await
        .unwrap();
    fetch::<()>(
        &app.base,
        &seller.client,
        "chat/mute",
        &[("room", &room_s), ("on", "true")],
    )
    .await;
    buyer_ws.say(room, "b-8", "알림 꺼두셨나요").await;
    buyer_ws.ack().await;
    assert!(matches!(
        seller_ws.next().await,
        ServerFrame::Msg { notify: false, .. }
    ));
    let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(notes, 0);

    // Leave: gone from the leaver's list; a new message brings it back; when both have
    // left, the room and its messages are gone.
    fetch::<()>(
        &app.base,
        &seller.client,
        "chat/leave",
        &[("room", &room_s)],
    )
    .await;
    let rooms: Value = fetch(&app.base, &seller.client, "chat/rooms", &[]).await;
    assert_eq!(rooms["rooms"].as_array().unwrap().len(), 0);
    buyer_ws.say(room, "b-9", "혹시 나가셨나요?").await;
    buyer_ws.ack().await;
    let rooms: Value = fetch(&app.base, &seller.client, "chat/rooms", &[]).await;
    assert_eq!(rooms["rooms"][0]["id"], room);
    fetch::<()>(
        &app.base,
        &seller.client,
        "chat/leave",
        &[("room", &room_s)],
    )
    .await;
    call(&app.base, &buyer.client, "chat/leave", &[("room", &room_s)]).await;
    let res = call(&app.base, &buyer.client, "chat/room", &[("room", &room_s)]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(message_count(&app.pool, room).await, 0);
}

/// The app binary serving the test's database on a loopback port of its own.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(pool: &MySqlPool, port: u16, broker: Option<&str>) -> Self {
        let database: String = sqlx::query_scalar("SELECT DATABASE()")
            .fetch_one(pool)
            .await
            .unwrap();
        let url = std::env::var("DATABASE_URL").unwrap();
        let url = format!("{}/{database}", url.rsplit_once('/').unwrap().0);
        let mut command = Command::new(env!("CARGO_BIN_EXE_bread-book"));
        command
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            // cargo-leptos sets this when it builds; `cargo test` builds the binary itself.
            .env("LEPTOS_OUTPUT_NAME", "bread-book")
            .env("RUST_LOG", "warn,bread_book::features::chat::server=info")
            .env_remove("CHAT_BROKER_URL")
            .stdout(
                std::fs::File::create(
                    std::env::temp_dir().join(format!("bread-chat-server-{port}.log")),
                )
                .unwrap(),
            );
        if let Some(broker) = broker {
            command.env("CHAT_BROKER_URL", broker);
        }
        // Owned at once, so a panic below still kills it (Drop).
        let server = Self {
            child: command.spawn().expect("start the app binary"),
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if let Ok(res) = reqwest::get(format!("{}/healthz", server.base)).await
                && res.status() == StatusCode::OK
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the app did not come up on {}", server.base);
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[sqlx::test]
async fn messages_resent_after_a_server_restart_are_stored_once(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[]).await;
    let port = free_port();
    let mut server = Server::start(&app.pool, port, None).await;
    let buyer = sign_in(&server.base, "buyer001").await;
    let room = open_room(&server.base, &buyer, listing).await;

    let mut ws = Ws::connect(&server.base, &buyer.cookie).await;
    ws.say(room, "r-1", "첫 번째").await;
    let first = ws.ack().await;
    // The second goes out and the server dies (kill -9) before we read any answer:
    // whether it was stored is unknown to the browser.
    ws.say(room, "r-2", "두 번째").await;
    server.kill();
    assert!(
        ws.within(Duration::from_secs(2))
            .await
            .is_none_or(|f| matches!(f, ServerFrame::Ack { .. }))
    );

    let server = Server::start(&app.pool, port, None).await;
    // The browser re-sends everything it holds unacknowledged — and, to be sure, the
    // acknowledged one too. Each is stored once.
    let mut ws = Ws::connect(&server.base, &buyer.cookie).await;
    ws.say(room, "r-1", "첫 번째").await;
    assert_eq!(ws.ack().await, first);
    ws.say(room, "r-2", "두 번째").await;
    let second = ws.ack().await;
    ws.say(room, "r-2", "두 번째").await;
    assert_eq!(ws.ack().await, second);
    assert_eq!(message_count(&app.pool, room).await, 2);
    let seller = sign_in(&server.base, "seller01").await;
    let page: Value = fetch(
        &server.base,
        &seller.client,
        "chat/history",
        &[("room", &room.to_string())],
    )
    .await;
    let bodies: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["첫 번째", "두 번째"]);
}

/// A private Redis on a loopback port, gone with the test.
struct Redis(Child, String);

impl Redis {
    async fn start() -> Self {
        let port = free_port();
        let redis = Self(
            Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server (./scripts/test installs it)"),
            format!("redis://127.0.0.1:{port}"),
        );
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not start");
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[sqlx::test]
async fn a_message_through_one_instance_reaches_a_client_on_another(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[]).await;
    let redis = Redis::start().await;
    let a = Server::start(&app.pool, free_port(), Some(&redis.1)).await;
    let b = Server::start(&app.pool, free_port(), Some(&redis.1)).await;
    let buyer = sign_in(&a.base, "buyer001").await;
    let seller = sign_in(&b.base, "seller01").await;
    let room = open_room(&a.base, &buyer, listing).await;

    let mut buyer_ws = Ws::connect(&a.base, &buyer.cookie).await;
    let mut seller_ws = Ws::connect(&b.base, &seller.cookie).await;
    // The subscriptions are made in the background as each instance starts; wait until
    // a frame crosses before counting on it.
    let mut crossed = None;
    for attempt in 0..50 {
        buyer_ws
            .say(room, &format!("a-{attempt}"), "안녕하세요 (A에서)")
            .await;
        let sent = buyer_ws.ack().await;
        if let Some(ServerFrame::Msg { msg, .. }) =
            seller_ws.within(Duration::from_millis(200)).await
        {
            crossed = Some((sent, msg));
            break;
        }
    }
    let (sent, received) = crossed.expect("a message from instance A reached instance B");
    assert_eq!(sent, received);

    // And back: B to A, with the read receipt crossing too.
    seller_ws
        .send(&ClientFrame::Read {
            room,
            upto: received.id,
        })
        .await;
    match buyer_ws.next().await {
        ServerFrame::Read { upto, .. } => assert_eq!(upto, received.id),
        other => panic!("expected the receipt on A, got {other:?}"),
    }
    seller_ws.say(room, "b-1", "네 안녕하세요 (B에서)").await;
    let reply = seller_ws.ack().await;
    match buyer_ws.next().await {
        ServerFrame::Msg {
            msg,
            sender_nickname,
            ..
        } => {
            assert_eq!(msg, reply);
            assert_eq!(sender_nickname, "seller01");
        }
        other => panic!("expected B's reply on A, got {other:?}"),
    }
}

#[sqlx::test]
async fn the_room_list_pages_by_last_activity_across_both_sides(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[]).await;
    // 25 buyers on the member's listing, and 5 rooms where the member is the buyer, each
    // with its last message a minute apart (some on the same second, to tie on time).
    sqlx::query(
        "INSERT INTO member (login_id, email, password_hash, name, nickname, birth_date, created_at, updated_at)
         SELECT CONCAT('pager', seq), CONCAT('pager', seq, '@example.com'), password_hash, name,
                CONCAT('페이저', seq), birth_date, created_at, updated_at
         FROM seq_1_to_25, member WHERE login_id = 'buyer001'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO chat_room (listing_id, buyer_id, seller_id, created_at, last_message_at, last_message_preview)
         SELECT ?, m.id, s.id, '2026-11-01', TIMESTAMPADD(MINUTE, CAST(SUBSTRING(m.login_id, 6) AS UNSIGNED) DIV 2, '2026-11-20'),
                CONCAT('buyer ', m.login_id)
         FROM member m, member s WHERE m.login_id LIKE 'pager%' AND s.login_id = 'seller01'",
    )
    .bind(listing)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO chat_room (listing_id, buyer_id, seller_id, created_at, last_message_at, last_message_preview)
         SELECT l.id, b.id, l.seller_id, '2026-11-01', TIMESTAMPADD(SECOND, l.id, '2026-11-20 00:05'), CONCAT('seller ', l.id)
         FROM listing l, member b WHERE b.login_id = 'seller01' AND l.seller_id <> b.id
         ORDER BY l.id LIMIT 5",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let expected: Vec<u64> = sqlx::query_scalar(
        "SELECT r.id FROM chat_room r JOIN member m ON m.login_id = 'seller01'
         WHERE r.buyer_id = m.id OR r.seller_id = m.id ORDER BY r.last_message_at DESC, r.id DESC",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(expected.len(), 30);

    let seller = sign_in(&app.base, "seller01").await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page: Value = fetch(
            &app.base,
            &seller.client,
            "chat/rooms",
            &[("cursor", &cursor)],
        )
        .await;
        pages += 1;
        seen.extend(
            page["rooms"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_u64().unwrap()),
        );
        match page["next"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every room once, newest activity first");
    assert_eq!(pages, 2);
    let res = call(
        &app.base,
        &seller.client,
        "chat/rooms",
        &[("cursor", "garbage")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// Group commit: one batch holding two sides of a room, a retry inside the batch, a
/// retry of an earlier message and a blocked pair stores each message once, refuses
/// the blocked one, and leaves the room as if the messages had come one by one.
#[sqlx::test]
async fn one_batch_stores_each_message_once_and_moves_the_room_as_one_by_one(pool: MySqlPool) {
    use bread_book::features::chat::server::repo::{self, NewMessage, Notice};

    let (app, listing) = marketplace(pool, &[("buyer002", false)]).await;
    let id_of = |login: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, u64>("SELECT id FROM member WHERE login_id = ?")
                .bind(login)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (seller, buyer, blocked_buyer) = (
        id_of("seller01").await,
        id_of("buyer001").await,
        id_of("buyer002").await,
    );
    let now = chrono::Utc::now();
    let room_a = repo::open_room(&app.pool, listing, buyer, now)
        .await
        .unwrap();
    let room_b = repo::open_room(&app.pool, listing, blocked_buyer, now)
        .await
        .unwrap();
    let a = repo::participants(&app.pool, room_a).await.unwrap();
    let b = repo::participants(&app.pool, room_b).await.unwrap();
    sqlx::query(
        "INSERT INTO member_block (blocker_id, blocked_id, created_at) VALUES (?, ?, NOW())",
    )
    .bind(seller)
    .bind(blocked_buyer)
    .execute(&app.pool)
    .await
    .unwrap();
    let message = |room: repo::Participants, sender: u64, cid: &str, body: &str| NewMessage {
        room,
        sender_id: sender,
        client_msg_id: cid.into(),
        body: body.into(),
        notification: Some(Notice {
            text: format!("{body} 알림"),
            link: format!("/chat/{}", room.room_id),
        }),
        now,
    };

    let mut conn = app.pool.acquire().await.unwrap();
    let earlier = repo::send_batch(&mut conn, &[message(a, buyer, "pre", "먼저")])
        .await
        .unwrap();
    let earlier = earlier.into_iter().next().unwrap().unwrap();
    assert!(earlier.fresh);

    let batch = [
        message(a, buyer, "c1", "첫째"),
        message(a, seller, "c2", "판매자 답"),
        message(a, buyer, "c1", "첫째 재전송"),
        message(a, buyer, "pre", "먼저 재전송"),
        message(b, blocked_buyer, "x1", "차단된 사람"),
        message(a, buyer, "c4", "마지막"),
    ];
    let results = repo::send_batch(&mut conn, &batch).await.unwrap();
    let [first, reply, retry, old_retry, blocked, last] = results.try_into().unwrap();
    let (first, reply, retry, old_retry, last) = (
        first.unwrap(),
        reply.unwrap(),
        retry.unwrap(),
        old_retry.unwrap(),
        last.unwrap(),
    );
    assert!(first.fresh && reply.fresh && last.fresh);
    assert!(!retry.fresh && !old_retry.fresh, "retries store nothing");
    assert_eq!(
        (retry.message.id, retry.message.body.as_str()),
        (first.message.id, "첫째")
    );
    assert_eq!(
        (old_retry.message.id, old_retry.message.body.as_str()),
        (earlier.message.id, "먼저")
    );
    assert!(matches!(blocked, Err(bread_book::error::AppError::Rejected(m)) if m.contains("차단")));
    assert!(first.message.id < reply.message.id && reply.message.id < last.message.id);
    assert_eq!(reply.recipient_id, buyer);
    assert!(reply.notified && !retry.notified);
    assert_eq!(message_count(&app.pool, room_a).await, 4);
    assert_eq!(message_count(&app.pool, room_b).await, 0);

    let room: (u64, String, u64, u32, u32, u64, u64) = sqlx::query_as(
        "SELECT last_message_id, last_message_preview, last_sender_id, buyer_unread,
                seller_unread, buyer_last_read, seller_last_read
         FROM chat_room WHERE id = ?",
    )
    .bind(room_a)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        room,
        (
            last.message.id,
            "마지막".into(),
            buyer,
            1,
            3,
            last.message.id,
            reply.message.id
        ),
        "last message, unread per side (pre, c1, c4 for the seller), read pointers"
    );
    // Notifications: the newest per (member, room) wins, one statement for all.
    let notices: Vec<repo::PendingNotice> = [(&first, 0), (&reply, 1), (&last, 5)]
        .into_iter()
        .filter_map(|(sent, i)| repo::PendingNotice::for_sent(&batch[i], sent))
        .collect();
    assert_eq!(notices.len(), 3, "every fresh message to someone not muted");
    repo::upsert_chat_notifications(&app.pool, &notices)
        .await
        .unwrap();
    let stored: Vec<(u64, String)> = sqlx::query_as(
        "SELECT member_id, body FROM notification WHERE subject_id = ? ORDER BY member_id",
    )
    .bind(room_a)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected = vec![
        (buyer, "판매자 답 알림".to_owned()),
        (seller, "마지막 알림".to_owned()),
    ];
    expected.sort();
    assert_eq!(stored, expected);

    // A member who turned chat notices off (알림 설정) gets none; the other still does.
    sqlx::query(
        "INSERT INTO notification_setting (member_id, kind, enabled, updated_at)
         VALUES (?, 'chat', FALSE, NOW(6))",
    )
    .bind(buyer)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM notification")
        .execute(&app.pool)
        .await
        .unwrap();
    repo::upsert_chat_notifications(&app.pool, &notices)
        .await
        .unwrap();
    let stored: Vec<u64> =
        sqlx::query_scalar("SELECT member_id FROM notification WHERE subject_id = ?")
            .bind(room_a)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, [seller]);
}

/// A writer keeps its connection between batches; when the database drops it, the next
/// message is still stored (once) on a fresh connection.
#[sqlx::test]
async fn a_writer_whose_connection_is_killed_stores_the_next_message_once(pool: MySqlPool) {
    use bread_book::features::chat::server::repo::{self, NewMessage};
    use bread_book::features::chat::server::writer::ChatWriter;

    let (app, listing) = marketplace(pool, &[]).await;
    let buyer: u64 = sqlx::query_scalar("SELECT id FROM member WHERE login_id = 'buyer001'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let room_id = repo::open_room(&app.pool, listing, buyer, now)
        .await
        .unwrap();
    let room = repo::participants(&app.pool, room_id).await.unwrap();
    let message = |cid: &str| NewMessage {
        room,
        sender_id: buyer,
        client_msg_id: cid.into(),
        body: format!("{cid} 본문"),
        notification: None,
        now,
    };
    let writer = ChatWriter::start(app.pool.clone(), 1);
    let first = writer.send(message("k1")).await.unwrap();

    // Every other connection to this test's database, the writer's among them.
    let mut admin = app.pool.acquire().await.unwrap();
    let others: Vec<u64> = sqlx::query_scalar(
        "SELECT CAST(id AS UNSIGNED) FROM information_schema.processlist
         WHERE db = DATABASE() AND id <> CONNECTION_ID()",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap();
    assert!(!others.is_empty(), "the writer holds a connection");
    for id in others {
        // A number from the server itself.
        sqlx::query(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
            .execute(&mut *admin)
            .await
            .unwrap();
    }
    drop(admin);

    let second = writer.send(message("k2")).await.unwrap();
    assert!(second.fresh && second.message.id > first.message.id);
    let again = writer.send(message("k2")).await.unwrap();
    assert!(!again.fresh);
    assert_eq!(again.message.id, second.message.id);
    assert_eq!(message_count(&app.pool, room_id).await, 2);
}
