//! 알림 센터 (issue 23): each order step raises its notices once (also when the step is
//! replayed), to the side that did not take it; settings suppress a kind; the list is
//! the member's own, keyset-paged, with read marks.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::TestApp;
use crate::helpers::listings::{form, list_book, pairs, seeded};
use crate::helpers::moderation::of_kind;
use crate::helpers::orders::{order_parcel, pay_return};

async fn list(app: &TestApp, who: &reqwest::Client) -> Value {
    let res = app.call_as(who, "notifications/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn unread(app: &TestApp, who: &reqwest::Client) -> u64 {
    let res = app.call_as(who, "notifications/unread", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap().as_u64().unwrap()
}

fn bodies(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test]
async fn a_paid_and_shipped_order_tells_each_side_once(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    // Waiting for payment: nobody is told yet.
    assert_eq!(unread(&app, &seller).await, 0);

    pay_return(&app, &attempt, 9000).await;
    // The provider calls back again: the step does not happen twice, nor its notice.
    pay_return(&app, &attempt, 9000).await;
    let page = list(&app, &seller).await;
    assert_eq!(
        bodies(&page),
        ["〈채식주의자〉 결제가 완료됐어요. 책을 보내 주세요."]
    );
    assert_eq!(page["items"][0]["link"], format!("/orders/{id}"));
    assert_eq!(page["items"][0]["kind"], "order");
    assert_eq!(unread(&app, &seller).await, 1);
    // The buyer paid; they are not told what they just did.
    assert_eq!(unread(&app, &buyer).await, 0);

    let res = app
        .call_as(
            &seller,
            "orders/ship",
            &[
                ("id", &id.to_string()),
                ("carrier", "CJ대한통운"),
                ("tracking_no", "123456789012"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        bodies(&list(&app, &buyer).await),
        ["〈채식주의자〉 배송이 시작됐어요."]
    );

    // Opening a notice reads it; someone else's cannot be touched.
    let notice = list(&app, &buyer).await["items"][0]["id"].as_u64().unwrap();
    let res = app
        .call_as(
            &seller,
            "notifications/read",
            &[("id", &notice.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(unread(&app, &buyer).await, 1);
    let res = app
        .call_as(&buyer, "notifications/read", &[("id", &notice.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unread(&app, &buyer).await, 0);
    assert_eq!(list(&app, &buyer).await["items"][0]["read"], true);

    let res = app.call_as(&seller, "notifications/read_all", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unread(&app, &seller).await, 0);
}

#[sqlx::test]
async fn a_kind_turned_off_is_not_raised_and_sanctions_stay_on(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let res = app
        .call_as(
            &seller,
            "notifications/set",
            &[("kind", "order"), ("enabled", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let settings: Value = res.json().await.unwrap();
    assert_eq!(
        settings,
        serde_json::json!([
            {"kind": "chat", "enabled": true},
            {"kind": "order", "enabled": false},
            {"kind": "review", "enabled": true},
            {"kind": "wish", "enabled": true},
            {"kind": "wanted", "enabled": true},
        ])
    );
    let res = app
        .call_as(
            &seller,
            "notifications/set",
            &[("kind", "sanction"), ("enabled", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let listing = list_book(&app, &seller, "9000").await;
    let (_, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 9000).await;
    assert_eq!(unread(&app, &seller).await, 0);
    assert!(bodies(&list(&app, &seller).await).is_empty());

    // On again: the next step is told.
    app.call_as(
        &seller,
        "notifications/set",
        &[("kind", "order"), ("enabled", "true")],
    )
    .await;
    let (_, attempt) = {
        let listing = list_book(&app, &seller, "8000").await;
        order_parcel(&app, &buyer, listing, 2).await
    };
    pay_return(&app, &attempt, 8000).await;
    assert_eq!(unread(&app, &seller).await, 1);
}

#[sqlx::test]
async fn the_list_is_the_members_own_and_pages_by_keyset(pool: MySqlPool) {
    let app = seeded(pool).await;
    for endpoint in [
        "notifications/list",
        "notifications/read_all",
        "notifications/settings",
    ] {
        let res = app.call(endpoint, &[]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    // A visitor's bell just says nothing.
    assert_eq!(unread(&app, &app.client).await, 0);

    let member = app.member("reader01", false).await;
    let other = app.member("reader02", false).await;
    let id: u64 = sqlx::query_scalar("SELECT id FROM member WHERE login_id = 'reader01'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // 25 notices, some at the same instant (the keyset breaks ties by id).
    for n in 0..25u64 {
        sqlx::query(
            "INSERT INTO notification (member_id, kind, event, subject_id, body, link, created_at)
             VALUES (?, 'order', 'paid', ?, ?, '/', TIMESTAMP('2026-11-24 01:00:00') + INTERVAL ? MINUTE)",
        )
        .bind(id)
        .bind(n)
        .bind(format!("알림 {n}"))
        .bind(n / 2)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let first = list(&app, &member).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 20);
    assert_eq!(first["items"][0]["body"], "알림 24");
    let cursor = first["next"].clone();
    let res = app
        .call_as(
            &member,
            "notifications/list",
            &[
                ("before[at]", cursor["at"].as_str().unwrap()),
                ("before[id]", &cursor["id"].to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    let mut seen = bodies(&first);
    seen.extend(bodies(&second));
    let expected: Vec<String> = (0..25).rev().map(|n| format!("알림 {n}")).collect();
    assert_eq!(seen, expected);
    assert!(second["next"].is_null());
    assert_eq!(unread(&app, &member).await, 25);
    assert!(bodies(&list(&app, &other).await).is_empty());
}

#[sqlx::test]
async fn trade_history_opens_on_the_side_last_traded_on(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, _) = order_parcel(&app, &buyer, listing, 1).await;
    for (who, role) in [(&seller, "seller"), (&buyer, "buyer")] {
        let res = app.call_as(who, "orders/history", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["role"], role);
        assert_eq!(page["items"][0]["id"], id);
    }
    // Asked for a side, that side: the seller bought nothing.
    let page: Value = app
        .call_as(&seller, "orders/history", &[("role", "buyer")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["role"], "buyer");
    assert!(page["items"].as_array().unwrap().is_empty());
}

async fn set_kind(app: &TestApp, who: &reqwest::Client, kind: &str, on: bool) {
    let res = app
        .call_as(
            who,
            "notifications/set",
            &[
                ("kind", kind),
                ("enabled", if on { "true" } else { "false" }),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn a_wished_listings_price_and_status_reach_its_wishers(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let wisher = app.member("wisher01", false).await;
    let quiet = app.member("quiet001", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let id_s = listing.to_string();
    for who in [&wisher, &quiet] {
        let res = app
            .call_as(
                who,
                "listings/wish",
                &[("listing_id", id_s.as_str()), ("wished", "true")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    set_kind(&app, &quiet, "wish", false).await;
    let edit = |version: &str, price: &str| {
        let mut f = form(price);
        f.push(("input[version]".into(), version.into()));
        f.push(("id".into(), id_s.clone()));
        f
    };

    // The price drops: the wisher hears, with both prices.
    let res = app
        .call_as(&seller, "listings/update", &pairs(&edit("0", "7000")))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = list(&app, &wisher).await;
    assert_eq!(
        of_kind(&page, "wish"),
        ["찜한 〈채식주의자〉 가격이 9,000원에서 7,000원으로 내렸어요."]
    );
    assert_eq!(page["items"][0]["link"], format!("/listings/{listing}"));
    // An edit that keeps the price tells nobody anything new.
    let res = app
        .call_as(&seller, "listings/update", &pairs(&edit("1", "7000")))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unread(&app, &wisher).await, 1);
    // Read, then dropped again: the same notice says the latest price and is unread again.
    app.call_as(&wisher, "notifications/read_all", &[]).await;
    let res = app
        .call_as(&seller, "listings/update", &pairs(&edit("2", "6000")))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        of_kind(&list(&app, &wisher).await, "wish"),
        ["찜한 〈채식주의자〉 가격이 7,000원에서 6,000원으로 내렸어요."]
    );
    assert_eq!(unread(&app, &wisher).await, 1);

    // Someone buys it: reserved with the payment, in the payment's own step.
    let (_, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 6000).await;
    let wish = of_kind(&list(&app, &wisher).await, "wish");
    assert_eq!(wish.len(), 2);
    assert_eq!(wish[0], "찜한 〈채식주의자〉이(가) 예약중이 됐어요.");

    // Whoever turned wish notices off heard nothing; the seller is not told of their
    // own listing; the buyer, who did not wish it, neither.
    assert!(of_kind(&list(&app, &quiet).await, "wish").is_empty());
    assert!(of_kind(&list(&app, &seller).await, "wish").is_empty());
    assert!(of_kind(&list(&app, &buyer).await, "wish").is_empty());
}

#[sqlx::test]
async fn a_listing_set_by_hand_tells_wishers_of_real_changes_only(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let wisher = app.member("wisher01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let id_s = listing.to_string();
    app.call_as(
        &wisher,
        "listings/wish",
        &[("listing_id", id_s.as_str()), ("wished", "true")],
    )
    .await;
    let set = |status: &'static str| {
        let id_s = id_s.clone();
        let (app, seller) = (&app, &seller);
        async move {
            let res = app
                .call_as(
                    seller,
                    "listings/status",
                    &[("id", id_s.as_str()), ("status", status)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK, "{status}");
        }
    };
    set("sold").await;
    app.call_as(&wisher, "notifications/read_all", &[]).await;
    // Already sold: nothing changes, nobody is told again.
    set("sold").await;
    assert_eq!(unread(&app, &wisher).await, 0);
    set("deleted").await;
    assert_eq!(
        of_kind(&list(&app, &wisher).await, "wish"),
        ["찜한 〈채식주의자〉 판매글이 내려갔어요."]
    );
    assert_eq!(unread(&app, &wisher).await, 1);
}

#[sqlx::test]
async fn a_new_listing_tells_whoever_wanted_it_once(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let reader = app.member("reader01", false).await;
    let quiet = app.member("quiet001", false).await;
    // Two alerts of the reader's match the same book: one notice.
    for (query, isbn) in [("", "9788936433598"), ("채식주의자", "")] {
        let res = app
            .call_as(&reader, "alerts/save", &[("query", query), ("isbn", isbn)])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    app.call_as(
        &quiet,
        "alerts/save",
        &[("query", ""), ("isbn", "9788936433598")],
    )
    .await;
    set_kind(&app, &quiet, "wanted", false).await;
    let listing = list_book(&app, &seller, "8500").await;
    let page = list(&app, &reader).await;
    assert_eq!(
        of_kind(&page, "wanted"),
        ["찾던 책 〈채식주의자〉이(가) 8,500원에 올라왔어요."]
    );
    assert_eq!(page["items"][0]["link"], format!("/listings/{listing}"));
    assert!(of_kind(&list(&app, &quiet).await, "wanted").is_empty());
    // The seller's own alerts never match their own listing.
    assert!(of_kind(&list(&app, &seller).await, "wanted").is_empty());
}

#[sqlx::test]
async fn a_review_is_told_to_whom_it_is_about(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 9000).await;
    let id_s = id.to_string();
    let ship = [
        ("id", id_s.as_str()),
        ("carrier", "CJ대한통운"),
        ("tracking_no", "123456789012"),
    ];
    assert_eq!(
        app.call_as(&seller, "orders/ship", &ship).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call_as(&buyer, "orders/confirm", &[("id", id_s.as_str())])
            .await
            .status(),
        StatusCode::OK
    );
    let review = [
        ("id", id_s.as_str()),
        ("stars", "5"),
        ("body", "친절하게 포장해 주셨어요."),
    ];
    for _ in 0..2 {
        // Sent twice (a double tap): one review, one notice.
        assert_eq!(
            app.call_as(&buyer, "orders/review", &review).await.status(),
            StatusCode::OK
        );
    }
    let page = list(&app, &seller).await;
    assert_eq!(
        of_kind(&page, "review"),
        ["〈채식주의자〉 거래 상대가 후기를 남겼어요."]
    );
    assert!(of_kind(&list(&app, &buyer).await, "review").is_empty());
}

#[sqlx::test]
async fn the_trades_chat_room_shows_each_step_as_a_line(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let other = app.member("buyer002", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let listing_s = listing.to_string();
    let room: u64 = app
        .call_as(&buyer, "chat/open", &[("listing", listing_s.as_str())])
        .await
        .json()
        .await
        .unwrap();
    // Another buyer's room on the same listing shows none of this trade.
    let other_room: u64 = app
        .call_as(&other, "chat/open", &[("listing", listing_s.as_str())])
        .await
        .json()
        .await
        .unwrap();
    let lines = |who: &reqwest::Client, room: u64| {
        let (app, who) = (&app, who.clone());
        async move {
            let view: Value = app
                .call_as(&who, "chat/room", &[("room", room.to_string().as_str())])
                .await
                .json()
                .await
                .unwrap();
            view["trade_lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["kind"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(lines(&seller, room).await.is_empty());
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    // Waiting for payment is no line: only the steps both sides care about.
    assert!(lines(&seller, room).await.is_empty());
    pay_return(&app, &attempt, 9000).await;
    let id_s = id.to_string();
    let ship = [
        ("id", id_s.as_str()),
        ("carrier", "CJ대한통운"),
        ("tracking_no", "123456789012"),
    ];
    assert_eq!(
        app.call_as(&seller, "orders/ship", &ship).await.status(),
        StatusCode::OK
    );
    assert_eq!(lines(&seller, room).await, ["paid", "shipped"]);
    assert_eq!(lines(&buyer, room).await, ["paid", "shipped"]);
    assert!(lines(&other, other_room).await.is_empty());
}
