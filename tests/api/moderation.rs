//! The admin queue of reported chat messages (CHAT_004's dashboard) over real HTTP and
//! WebSockets: who may see and act on it, its keyset pages, and what deleting or
//! dismissing does to the conversation and to the report rows.

use bread_book::features::chat::types::ServerFrame;
use bread_book::features::moderation::types::{
    ChatRestriction, FIRST_RESTRICTION_HOURS, REPEAT_RESTRICTION_HOURS, REPORT_QUEUE_PAGE,
    ReportQueue, SanctionSource,
};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::TestApp;
use crate::helpers::chat::{
    Member, Ws, call, chatty, fetch, marketplace, marketplace_with, open_room, sign_in,
};
use bread_book::features::moderation::server::repo::restrict_if_reported;
use bread_book::server::clock::Clock;

async fn report(base: &str, member: &Member, room: u64, message: u64, reason: &str) {
    let res = call(
        base,
        &member.client,
        "chat/report",
        &[
            ("room", &room.to_string()),
            ("message", &message.to_string()),
            ("reason", reason),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK, "report {message}");
}

async fn close(base: &str, member: &Member, message: u64, outcome: &str) -> StatusCode {
    call(
        base,
        &member.client,
        "admin/chat-reports/close",
        &[("message", &message.to_string()), ("outcome", outcome)],
    )
    .await
    .status()
}

/// The next frame on `ws` that says a message was deleted, skipping others.
async fn next_deleted(ws: &mut Ws) -> ServerFrame {
    loop {
        let frame = ws.next().await;
        if matches!(frame, ServerFrame::Deleted { .. }) {
            return frame;
        }
    }
}

#[sqlx::test]
async fn admins_work_through_reported_chat_messages(pool: MySqlPool) {
    let (app, listing) = marketplace_with(pool, &[("admin0001", true)], chatty).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let seller = sign_in(&app.base, "seller01").await;
    let admin = sign_in(&app.base, "admin0001").await;
    let room = open_room(&app.base, &buyer, listing).await;
    let mut buyer_ws = Ws::connect(&app.base, &buyer.cookie).await;
    let mut seller_ws = Ws::connect(&app.base, &seller.cookie).await;

    // The buyer sends one more message than a queue page holds; the seller reports each.
    let mut ids = Vec::new();
    for i in 0..=REPORT_QUEUE_PAGE {
        buyer_ws
            .say(room, &format!("m-{i}"), &format!("메시지 {i}"))
            .await;
        ids.push(buyer_ws.ack().await.id);
        seller_ws.next().await;
    }
    let reasons = ["abuse", "spam", "fraud", "other"];
    for (i, id) in ids.iter().enumerate() {
        report(&app.base, &seller, room, *id, reasons[i % 4]).await;
    }

    // Only admins: 401 without a session, 403 for a member (the reporter included).
    let anonymous = TestApp::new_client();
    for endpoint in ["admin/chat-reports", "admin/chat-reports/close"] {
        let form = [
            ("message", ids[0].to_string()),
            ("outcome", "dismissed".into()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = call(&app.base, &anonymous, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        let res = call(&app.base, &seller.client, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_report WHERE handled_at IS NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(open, ids.len() as i64, "a refused close changes nothing");

    // Newest first, a full page and then the rest, each with who and how often.
    let first: ReportQueue = fetch(&app.base, &admin.client, "admin/chat-reports", &[]).await;
    let newest_first: Vec<u64> = ids.iter().rev().copied().collect();
    assert_eq!(
        first.items.iter().map(|m| m.message_id).collect::<Vec<_>>(),
        newest_first[..REPORT_QUEUE_PAGE as usize]
    );
    let top = &first.items[0];
    assert_eq!(top.body, format!("메시지 {REPORT_QUEUE_PAGE}"));
    assert_eq!(top.sender_nickname, "buyer001");
    assert_eq!(top.reporter_nickname, "seller01");
    assert_eq!(top.reason.as_str(), reasons[REPORT_QUEUE_PAGE as usize % 4]);
    assert_eq!(top.sender_recent_reports, ids.len() as u32);
    assert_eq!(top.reporter_dismissed, 0);
    let before = first.next.expect("a second page").to_string();
    let second: ReportQueue = fetch(
        &app.base,
        &admin.client,
        "admin/chat-reports",
        &[("before", &before)],
    )
    .await;
    assert_eq!(
        second
            .items
            .iter()
            .map(|m| m.message_id)
            .collect::<Vec<_>>(),
        vec![ids[0]]
    );
    assert_eq!(second.next, None);

    // Dismiss: the message stays, the report leaves the queue, a second close is refused.
    let (kept, erased) = (ids[1], ids[2]);
    assert_eq!(
        close(&app.base, &admin, kept, "dismissed").await,
        StatusCode::OK
    );
    assert_eq!(
        close(&app.base, &admin, kept, "dismissed").await,
        StatusCode::CONFLICT
    );
    // Delete: both participants hear it at once and see "삭제됨" from then on.
    assert_eq!(
        close(&app.base, &admin, erased, "deleted").await,
        StatusCode::OK
    );
    let deleted = ServerFrame::Deleted { room, id: erased };
    assert_eq!(next_deleted(&mut seller_ws).await, deleted);
    assert_eq!(next_deleted(&mut buyer_ws).await, deleted);
    let history: Value = fetch(
        &app.base,
        &seller.client,
        "chat/history",
        &[("room", &room.to_string())],
    )
    .await;
    let message = |id: u64| {
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(message(erased)["deleted"], true);
    assert_eq!(message(erased)["body"], "");
    assert_eq!(message(kept)["deleted"], false);
    assert_eq!(message(kept)["body"], "메시지 1");

    // Who handled each, and how, stays on the row.
    let admin_id: u64 = sqlx::query_scalar("SELECT id FROM member WHERE login_id = 'admin0001'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let handled: Vec<(u64, String, u64)> = sqlx::query_as(
        "SELECT message_id, CAST(outcome AS CHAR), handled_by FROM chat_report
         WHERE handled_at IS NOT NULL ORDER BY message_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        handled,
        vec![
            (kept, "dismissed".into(), admin_id),
            (erased, "deleted".into(), admin_id)
        ]
    );

    // The queue moves on; the reporter's dismissed report shows on their others.
    let queue: ReportQueue = fetch(&app.base, &admin.client, "admin/chat-reports", &[]).await;
    let listed: Vec<u64> = queue.items.iter().map(|m| m.message_id).collect();
    assert_eq!(listed.len(), REPORT_QUEUE_PAGE as usize - 1);
    assert!(!listed.contains(&kept) && !listed.contains(&erased));
    assert_eq!(queue.items[0].reporter_dismissed, 1);
    assert_eq!(queue.next, None);

    // Wrong outcome, a message nobody reported, one that does not exist.
    assert_eq!(
        close(&app.base, &admin, ids[3], "ban").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    buyer_ws.say(room, "fresh", "신고 안 된 메시지").await;
    let fresh = buyer_ws.ack().await.id;
    assert_eq!(
        close(&app.base, &admin, fresh, "deleted").await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        close(&app.base, &admin, fresh + 1_000, "deleted").await,
        StatusCode::NOT_FOUND
    );
    let history: Value = fetch(
        &app.base,
        &buyer.client,
        "chat/history",
        &[("room", &room.to_string())],
    )
    .await;
    let last = history["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(
        last["body"], "신고 안 된 메시지",
        "a refused delete erases nothing"
    );
}

#[sqlx::test]
async fn admins_edit_the_banned_word_list_with_precise_errors(pool: MySqlPool) {
    let (app, _) = marketplace(pool, &[("admin0001", true)]).await;
    let admin = sign_in(&app.base, "admin0001").await;
    let member = sign_in(&app.base, "buyer001").await;
    let set = |client: reqwest::Client, word: &'static str, on: &'static str| {
        let base = app.base.clone();
        async move {
            call(
                &base,
                &client,
                "chat/banned-words/set",
                &[("word", word), ("on", on)],
            )
            .await
        }
    };
    let res = set(TestApp::new_client(), "사기꾼", "true").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = set(member.client.clone(), "사기꾼", "true").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Stored as matched: spaces out, lower case. A second add says it is there already.
    let res = set(admin.client.clone(), " 사기 꾼 ", "true").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = set(admin.client.clone(), "사기꾼", "true").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        crate::helpers::field_message(&body, "word").as_deref(),
        Some("‘사기꾼’은(는) 이미 금지어예요.")
    );
    for (word, expected) in [
        ("   ", "금지어를 입력해 주세요."),
        (
            "가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자",
            "금지어는 공백과 기호를 빼고 50자까지 넣을 수 있어요. (지금 51자)",
        ),
    ] {
        let res = set(admin.client.clone(), word, "true").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{word:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            crate::helpers::field_message(&body, "word").as_deref(),
            Some(expected)
        );
    }
    let words: Vec<String> = fetch(&app.base, &admin.client, "chat/banned-words", &[]).await;
    assert!(words.contains(&"사기꾼".to_owned()));

    // Removing takes it off at once; removing again is harmless.
    for _ in 0..2 {
        let res = set(admin.client.clone(), "사기꾼", "false").await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let words: Vec<String> = fetch(&app.base, &admin.client, "chat/banned-words", &[]).await;
    assert!(!words.contains(&"사기꾼".to_owned()));
}

/// What `seller01` sends in `room`: its id once stored.
async fn says(ws: &mut Ws, room: u64, cid: &str) -> u64 {
    ws.say(room, cid, &format!("{cid} 입금 먼저 해 주세요"))
        .await;
    ws.ack().await.id
}

/// The next restriction news on `ws`, skipping others.
async fn next_restricted(ws: &mut Ws) -> Option<chrono::DateTime<chrono::Utc>> {
    loop {
        if let ServerFrame::Restricted { until } = ws.next().await {
            return until;
        }
    }
}

async fn restrictions(base: &str, admin: &Member) -> Vec<ChatRestriction> {
    fetch(base, &admin.client, "admin/chat-restrictions", &[]).await
}

#[sqlx::test]
async fn repeated_reports_restrict_the_sender_and_false_reports_do_not(pool: MySqlPool) {
    let others = [
        ("buyer002", false),
        ("buyer003", false),
        ("buyer004", false),
        ("admin0001", true),
    ];
    let (app, listing) = marketplace(pool, &others).await;
    let seller = sign_in(&app.base, "seller01").await;
    let admin = sign_in(&app.base, "admin0001").await;
    let mut buyers = Vec::new();
    for login in ["buyer001", "buyer002", "buyer003", "buyer004"] {
        let buyer = sign_in(&app.base, login).await;
        let room = open_room(&app.base, &buyer, listing).await;
        buyers.push((buyer, room));
    }
    let mut ws = Ws::connect(&app.base, &seller.cookie).await;
    // One reporter counts once, however many messages they report.
    for cid in ["a1", "a2", "a3"] {
        let id = says(&mut ws, buyers[0].1, cid).await;
        report(&app.base, &buyers[0].0, buyers[0].1, id, "fraud").await;
    }
    // A reporter whose reports admins dismissed twice is not counted.
    for cid in ["d1", "d2", "d3"] {
        let id = says(&mut ws, buyers[3].1, cid).await;
        report(&app.base, &buyers[3].0, buyers[3].1, id, "abuse").await;
        if cid != "d3" {
            assert_eq!(
                close(&app.base, &admin, id, "dismissed").await,
                StatusCode::OK
            );
        }
    }
    let id = says(&mut ws, buyers[1].1, "b1").await;
    report(&app.base, &buyers[1].0, buyers[1].1, id, "spam").await;
    // Two trusted reporters so far: the seller still writes.
    says(&mut ws, buyers[1].1, "still-ok").await;
    assert!(restrictions(&app.base, &admin).await.is_empty());

    // The third different reporter restricts them for a day, at once on their socket.
    let tipping = says(&mut ws, buyers[2].1, "c1").await;
    report(&app.base, &buyers[2].0, buyers[2].1, tipping, "fraud").await;
    let day = app.clock.now() + chrono::Duration::hours(FIRST_RESTRICTION_HOURS);
    assert_eq!(next_restricted(&mut ws).await, Some(day));
    ws.say(buyers[1].1, "refused-1", "보내질까요").await;
    let refusal = ws.refused().await;
    assert!(
        refusal.contains("채팅 메시지를 보낼 수 없어요"),
        "{refusal}"
    );
    let view: Value = fetch(
        &app.base,
        &seller.client,
        "chat/room",
        &[("room", &buyers[1].1.to_string())],
    )
    .await;
    assert!(view["restricted_until"].is_string(), "{view}");
    let notice: String = sqlx::query_scalar(
        "SELECT n.body FROM notification n JOIN member m ON m.id = n.member_id
         WHERE m.login_id = 'seller01' AND n.kind = 'sanction'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(notice.starts_with("신고가 여러 번 접수되어"), "{notice}");

    // Admins see it; nobody else may look or lift.
    let listed = restrictions(&app.base, &admin).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].nickname, "seller01");
    assert_eq!(listed[0].source, SanctionSource::Reports);
    assert_eq!(listed[0].reporters, 3);
    assert_eq!(listed[0].ends_at, day);

    // The admin page renders the list on the server, too, and finishes: its sections
    // sit behind the admin check, a view SSR builds more than once.
    let page = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        admin
            .client
            .get(format!("{}/admin/chat", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    })
    .await
    .expect("/admin/chat finished rendering");
    assert!(page.contains("제한 중인 회원"), "{page}");
    assert!(page.contains("신고 3명 · 자동"), "{page}");
    let lift_form = [("id", listed[0].id.to_string())];
    let lift_form: Vec<(&str, &str)> = lift_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for endpoint in ["admin/chat-restrictions", "admin/chat-restrictions/lift"] {
        let res = call(&app.base, &TestApp::new_client(), endpoint, &lift_form).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        let res = call(&app.base, &seller.client, endpoint, &lift_form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }

    // Dismissing the tipping report leaves two reporters: the restriction lifts itself.
    assert_eq!(
        close(&app.base, &admin, tipping, "dismissed").await,
        StatusCode::OK
    );
    assert_eq!(next_restricted(&mut ws).await, None);
    says(&mut ws, buyers[1].1, "after-lift").await;
    assert!(restrictions(&app.base, &admin).await.is_empty());

    // Reports from before a restriction do not count again: one new report is not enough…
    app.clock.advance(chrono::Duration::minutes(1));
    let id = says(&mut ws, buyers[0].1, "a4").await;
    report(&app.base, &buyers[0].0, buyers[0].1, id, "fraud").await;
    says(&mut ws, buyers[0].1, "a5").await;
    // …three new reporters are; a lifted restriction does not make the next one longer.
    for n in [1, 2] {
        let id = says(&mut ws, buyers[n].1, &format!("new-{n}")).await;
        report(&app.base, &buyers[n].0, buyers[n].1, id, "fraud").await;
    }
    let day = app.clock.now() + chrono::Duration::hours(FIRST_RESTRICTION_HOURS);
    assert_eq!(next_restricted(&mut ws).await, Some(day));

    // It ends on its own after a day; the next one within 30 days lasts a week.
    app.clock
        .advance(chrono::Duration::hours(FIRST_RESTRICTION_HOURS + 1));
    let mut fresh = Vec::new();
    for (n, (_, room)) in buyers.iter().take(3).enumerate() {
        fresh.push(says(&mut ws, *room, &format!("week-{n}")).await);
    }
    for ((buyer, room), id) in buyers.iter().zip(fresh) {
        report(&app.base, buyer, *room, id, "fraud").await;
    }
    let week = app.clock.now() + chrono::Duration::hours(REPEAT_RESTRICTION_HOURS);
    assert_eq!(next_restricted(&mut ws).await, Some(week));

    // An admin may end it early, once.
    let listed = restrictions(&app.base, &admin).await;
    assert_eq!(listed.len(), 1);
    let lift = |id: u64| {
        let admin = &admin;
        let base = app.base.clone();
        async move {
            call(
                &base,
                &admin.client,
                "admin/chat-restrictions/lift",
                &[("id", &id.to_string())],
            )
            .await
            .status()
        }
    };
    assert_eq!(lift(listed[0].id).await, StatusCode::OK);
    assert_eq!(next_restricted(&mut ws).await, None);
    says(&mut ws, buyers[2].1, "free-again").await;
    assert_eq!(lift(listed[0].id).await, StatusCode::CONFLICT);
}

/// Reports against one member are judged one after another, each seeing what the one
/// before committed: a report arriving while another is being judged waits for it and
/// counts its reporter. (Without the wait, or reading the snapshot taken before it, both
/// would count two reporters and the rule would never fire.)
#[sqlx::test]
async fn a_report_waits_for_the_one_being_judged_and_counts_it(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[("buyer002", false), ("buyer003", false)]).await;
    let seller = sign_in(&app.base, "seller01").await;
    let mut ws = Ws::connect(&app.base, &seller.cookie).await;
    let mut rooms = Vec::new();
    for login in ["buyer001", "buyer002", "buyer003"] {
        let buyer = sign_in(&app.base, login).await;
        let room = open_room(&app.base, &buyer, listing).await;
        let id = says(&mut ws, room, login).await;
        rooms.push((buyer, room, id));
    }
    let (b1, room1, m1) = &rooms[0];
    report(&app.base, b1, *room1, *m1, "spam").await;

    // buyer002's report, as the app stores it, judged but not yet committed.
    let ids: Vec<(u64,)> = sqlx::query_as(
        "SELECT id FROM member WHERE login_id IN ('seller01', 'buyer002') ORDER BY login_id DESC",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let (seller_id, buyer2_id) = (ids[0].0, ids[1].0);
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        .execute(&mut *conn)
        .await
        .unwrap();
    let mut judging = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query(
        "INSERT INTO chat_report
             (room_id, message_id, reporter_id, sender_id, body, sent_at, reason, created_at)
         VALUES (?, ?, ?, ?, '', ?, 'spam', ?)",
    )
    .bind(rooms[1].1)
    .bind(rooms[1].2)
    .bind(buyer2_id)
    .bind(seller_id)
    .bind(app.clock.now().naive_utc())
    .bind(app.clock.now().naive_utc())
    .execute(&mut *judging)
    .await
    .unwrap();
    let verdict = restrict_if_reported(&mut judging, seller_id, app.clock.now())
        .await
        .unwrap();
    assert_eq!(verdict, None, "two reporters so far");

    // buyer003 reports meanwhile: the request waits for the judgement in flight…
    let (base, client, room3, m3) = (
        app.base.clone(),
        rooms[2].0.client.clone(),
        rooms[2].1,
        rooms[2].2,
    );
    let third = tokio::spawn(async move {
        let form = [
            ("room", room3.to_string()),
            ("message", m3.to_string()),
            ("reason", "fraud".to_owned()),
        ];
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        call(&base, &client, "chat/report", &form).await.status()
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "the third report waits for the second"
    );
    // …and once it commits, counts three reporters.
    judging.commit().await.unwrap();
    assert_eq!(third.await.unwrap(), StatusCode::OK);
    let rows: Vec<(u32, Option<u32>)> =
        sqlx::query_as("SELECT reporters, rule_seq FROM sanction WHERE member_id = ?")
            .bind(seller_id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(rows, vec![(3, Some(1))]);
    assert!(next_restricted(&mut ws).await.is_some());
}
