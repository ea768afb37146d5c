//! The admin queue of reported chat messages (CHAT_004's dashboard) over real HTTP and
//! WebSockets: who may see and act on it, its keyset pages, and what deleting or
//! dismissing does to the conversation and to the report rows.

use bread_book::features::chat::types::ServerFrame;
use bread_book::features::moderation::types::{REPORT_QUEUE_PAGE, ReportQueue};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::chat::{Member, Ws, call, fetch, marketplace, open_room, sign_in};

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
    let (app, listing) = marketplace(pool, &[("admin0001", true)]).await;
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
    let anonymous = reqwest::Client::new();
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
    let res = set(reqwest::Client::new(), "사기꾼", "true").await;
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
            "금지어는 공백을 빼고 50자까지 넣을 수 있어요. (지금 51자)",
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
