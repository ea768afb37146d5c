//! Orders and escrow (issue 6): every transition and the forbidden ones, expiry and
//! auto-confirm with the injected clock, races, replays, refunds, reviews and grades.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use bread_book::server::clock::Clock;

use crate::helpers::listings::{list_book, seeded};
use crate::helpers::orders::{key, order, order_parcel, pay_return, place};
use crate::helpers::{TestApp, field_message};

/// "결제하기" again on a pending order; the new attempt's key.
async fn new_sandbox_attempt(app: &TestApp, buyer: &reqwest::Client, id: u64) -> String {
    let res = app
        .call_as(
            buyer,
            "orders/pay",
            &[("id", &id.to_string()), ("provider", "sandbox")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let url: String = res.json().await.unwrap();
    url.trim_start_matches("/pay/sandbox/").to_owned()
}

async fn act(
    app: &TestApp,
    who: &reqwest::Client,
    endpoint: &str,
    id: u64,
    extra: &[(&str, &str)],
) -> StatusCode {
    let id = id.to_string();
    let mut form = vec![("id", id.as_str())];
    form.extend_from_slice(extra);
    app.call_as(who, endpoint, &form).await.status()
}

async fn listing_status(app: &TestApp, id: u64) -> String {
    sqlx::query_scalar!("SELECT status AS `s: String` FROM listing WHERE id = ?", id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn events(app: &TestApp, id: u64) -> Vec<String> {
    sqlx::query_scalar!(
        "SELECT kind FROM payment_event WHERE order_id = ? ORDER BY id",
        id
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn trust(app: &TestApp, login_id: &str) -> u16 {
    sqlx::query_scalar!(
        "SELECT trust_score FROM member WHERE login_id = ?",
        login_id
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn sweep(app: &TestApp) -> bread_book::features::orders::server::sweep::Swept {
    let state = app.state();
    bread_book::features::orders::server::sweep::sweep(&state, app.clock.now())
        .await
        .unwrap()
}

#[sqlx::test]
async fn escrow_from_order_to_settlement_with_reviews(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;

    // The confirmation page shows what is being bought (pay_002).
    let quote: Value = app
        .call_as(
            &buyer,
            "orders/quote",
            &[("listing_id", &listing.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quote["title"], "채식주의자");
    assert_eq!(quote["isbn13"], "9788936433598");
    assert_eq!(quote["price"], 9000);
    assert_eq!(quote["providers"][0], "sandbox");

    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "pending");
    assert_eq!(o["ship_to"]["phone"], "010-1234-5678");
    assert_eq!(o["actions"]["pay"], true);
    assert_eq!(listing_status(&app, listing).await, "on_sale");

    assert_eq!(
        pay_return(&app, &attempt, 9000).await,
        format!("/orders/{id}?pay=ok")
    );
    assert_eq!(order(&app, &buyer, id).await["status"], "paid");
    assert_eq!(listing_status(&app, listing).await, "reserved");
    // A replayed provider callback changes nothing.
    assert_eq!(
        pay_return(&app, &attempt, 9000).await,
        format!("/orders/{id}?pay=ok")
    );
    assert_eq!(events(&app, id).await, ["ordered", "paid"]);

    // Only the seller ships, with a real-looking tracking number.
    assert_eq!(
        act(
            &app,
            &buyer,
            "orders/ship",
            id,
            &[("carrier", "CJ대한통운"), ("tracking_no", "123456789012")]
        )
        .await,
        StatusCode::FORBIDDEN
    );
    let res = app
        .call_as(
            &seller,
            "orders/ship",
            &[
                ("id", &id.to_string()),
                ("carrier", "CJ대한통운"),
                ("tracking_no", "12"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&res.json().await.unwrap(), "tracking_no").is_some());
    assert_eq!(
        act(
            &app,
            &seller,
            "orders/ship",
            id,
            &[("carrier", "CJ대한통운"), ("tracking_no", "1234-5678-9012")]
        )
        .await,
        StatusCode::OK
    );
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "shipped");
    assert_eq!(o["tracking_no"], "123456789012");
    // Shipped orders can no longer be cancelled; the seller cannot confirm for the buyer.
    assert_eq!(
        act(&app, &buyer, "orders/cancel", id, &[]).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        act(&app, &seller, "orders/confirm", id, &[]).await,
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        act(&app, &buyer, "orders/confirm", id, &[]).await,
        StatusCode::OK
    );
    assert_eq!(
        act(&app, &buyer, "orders/confirm", id, &[]).await,
        StatusCode::CONFLICT
    );
    assert_eq!(listing_status(&app, listing).await, "sold");
    assert_eq!(trust(&app, "seller01").await, 51, "one completed trade");

    let swept = sweep(&app).await;
    assert_eq!(swept.settled, 1);
    assert_eq!(sweep(&app).await.settled, 0, "settled once");
    assert_eq!(order(&app, &seller, id).await["status"], "settled");
    let payout: u32 = sqlx::query_scalar!("SELECT amount FROM payout WHERE order_id = ?", id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(payout, 9000);

    // Double-blind reviews.
    let review = |stars: &'static str, body: &'static str| [("stars", stars), ("body", body)];
    assert_eq!(
        act(&app, &buyer, "orders/review", id, &review("0", "")).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(
            &app,
            &buyer,
            "orders/review",
            id,
            &review("5", "책 상태가 설명과 같아요.")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        act(&app, &buyer, "orders/review", id, &review("1", "again")).await,
        StatusCode::CONFLICT
    );
    // The same review sent again (a double tap, or the retry after a lost answer) is the
    // review already stored: fine, and still one.
    assert_eq!(
        act(
            &app,
            &buyer,
            "orders/review",
            id,
            &review("5", "책 상태가 설명과 같아요.")
        )
        .await,
        StatusCode::OK
    );
    let reviews: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM review WHERE order_id = ?", id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(reviews, 1);
    let seen_by_seller = order(&app, &seller, id).await;
    assert_eq!(seen_by_seller["their_review"], Value::Null);
    assert_eq!(seen_by_seller["their_review_hidden"], true);
    assert_eq!(
        trust(&app, "seller01").await,
        51,
        "hidden reviews do not count yet"
    );
    assert_eq!(
        act(
            &app,
            &seller,
            "orders/review",
            id,
            &review("4", "빠른 입금 감사합니다.")
        )
        .await,
        StatusCode::OK
    );
    let seen_by_seller = order(&app, &seller, id).await;
    assert_eq!(seen_by_seller["their_review"]["stars"], 5);
    assert_eq!(
        trust(&app, "seller01").await,
        56,
        "trust_score(1 review, 5 stars, 1 trade)"
    );
    assert_eq!(
        trust(&app, "buyer01").await,
        53,
        "trust_score(1 review, 4 stars, 1 trade)"
    );
    assert_eq!(
        events(&app, id).await,
        ["ordered", "paid", "shipped", "received", "settled"]
    );
}

#[sqlx::test]
async fn a_wrong_amount_or_key_charges_nothing(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;

    // pay_003: the amount coming back differs from the order → fail, nothing captured.
    assert_eq!(
        pay_return(&app, &attempt, 100).await,
        format!("/orders/{id}?pay=failed")
    );
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "pending");
    assert!(o["payment_failure"].as_str().unwrap().contains("금액"));
    assert_eq!(listing_status(&app, listing).await, "on_sale");

    // A new attempt each time; the sandbox declines a made-up key, and the one that used
    // to be computable from the attempt key.
    let forgeries: [fn(&str) -> String; 2] = [|_| "forged".into(), |a| format!("sandbox_{a}")];
    for forge in forgeries {
        let attempt2 = new_sandbox_attempt(&app, &buyer, id).await;
        assert_ne!(attempt2, attempt);
        let forged = forge(&attempt2);
        let res = app
            .get(&format!(
                "/pay/return/sandbox?attempt={attempt2}&paymentKey={forged}&amount=9000"
            ))
            .await;
        assert_eq!(
            res.headers()["location"],
            format!("/orders/{id}?pay=failed").as_str()
        );
    }
    // The failed first attempt cannot be revived.
    assert_eq!(
        pay_return(&app, &attempt, 9000).await,
        format!("/orders/{id}?pay=failed")
    );
    assert_eq!(order(&app, &buyer, id).await["status"], "pending");

    // Someone else cannot open the buyer's checkout.
    let other = app.member("other01", false).await;
    let res = app
        .call_as(
            &other,
            "orders/pay",
            &[("id", &id.to_string()), ("provider", "sandbox")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let open_attempt = new_sandbox_attempt(&app, &buyer, id).await;
    let res = app
        .call_as(&other, "orders/attempt", &[("attempt", &open_attempt)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn unpaid_orders_expire_after_fifteen_minutes(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let second = app.member("buyer02", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;

    // While it waits for payment nobody else can buy the book.
    let res = place(&app, &second, listing, "safe_pay", "parcel", &key(2)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    app.clock.advance(Duration::minutes(14));
    assert_eq!(sweep(&app).await.expired, 0);
    app.clock.advance(Duration::minutes(2));
    // Paying after the deadline does not go through.
    assert_eq!(
        pay_return(&app, &attempt, 9000).await,
        format!("/orders/{id}?pay=failed")
    );
    assert_eq!(sweep(&app).await.expired, 1);
    assert_eq!(order(&app, &buyer, id).await["status"], "expired");
    assert_eq!(listing_status(&app, listing).await, "on_sale");

    let (_, attempt2) = order_parcel(&app, &second, listing, 3).await;
    assert!(pay_return(&app, &attempt2, 9000).await.ends_with("pay=ok"));
}

#[sqlx::test]
async fn shipped_orders_confirm_themselves_unless_disputed(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let admin = app.member("admin01", true).await;
    let mut ids = Vec::new();
    for n in 0..2 {
        let listing = list_book(&app, &seller, "9000").await;
        let (id, attempt) = order_parcel(&app, &buyer, listing, n).await;
        pay_return(&app, &attempt, 9000).await;
        assert_eq!(
            act(
                &app,
                &seller,
                "orders/ship",
                id,
                &[("carrier", "우체국택배"), ("tracking_no", "6865012345678")]
            )
            .await,
            StatusCode::OK
        );
        ids.push(id);
    }
    let (quiet, disputed) = (ids[0], ids[1]);
    assert_eq!(
        act(&app, &buyer, "orders/dispute", disputed, &[("reason", "")]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        act(
            &app,
            &buyer,
            "orders/dispute",
            disputed,
            &[("reason", "다른 책이 왔어요")]
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        act(
            &app,
            &buyer,
            "orders/dispute",
            disputed,
            &[("reason", "또")]
        )
        .await,
        StatusCode::CONFLICT
    );

    app.clock.advance(Duration::days(6));
    assert_eq!(sweep(&app).await.auto_confirmed, 0);
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    let swept = sweep(&app).await;
    assert_eq!((swept.auto_confirmed, swept.settled), (1, 1));
    assert_eq!(order(&app, &buyer, quiet).await["status"], "settled");
    assert_eq!(order(&app, &buyer, disputed).await["status"], "shipped");

    // Only an admin resolves; the admin sees the order and may release it.
    assert_eq!(
        act(
            &app,
            &seller,
            "orders/resolve",
            disputed,
            &[("refund", "false")]
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        order(&app, &admin, disputed).await["actions"]["resolve"],
        true
    );
    assert_eq!(
        act(
            &app,
            &admin,
            "orders/resolve",
            disputed,
            &[("refund", "false")]
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(order(&app, &buyer, disputed).await["status"], "received");
    assert!(
        events(&app, disputed)
            .await
            .contains(&"released".to_owned())
    );
}

#[sqlx::test]
async fn a_paid_order_cancelled_before_shipping_is_refunded(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 9000).await;
    // The seller may not flip the listing's status while the order holds it.
    let res = app
        .call_as(
            &seller,
            "listings/status",
            &[("id", &listing.to_string()), ("status", "on_sale")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    assert_eq!(
        act(
            &app,
            &seller,
            "orders/cancel",
            id,
            &[("reason", "책을 잃어버렸어요")]
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        act(&app, &buyer, "orders/cancel", id, &[]).await,
        StatusCode::CONFLICT
    );
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "cancelled");
    assert_eq!(o["cancel_reason"], "책을 잃어버렸어요");
    assert_eq!(listing_status(&app, listing).await, "on_sale");
    let payment: String = sqlx::query_scalar!(
        "SELECT status AS `s: String` FROM payment WHERE order_id = ?",
        id
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(payment, "cancelled");
    assert_eq!(
        events(&app, id).await,
        ["ordered", "paid", "cancelled", "refunded"]
    );
    assert_eq!(sweep(&app).await.refunds_retried, 0);
}

#[sqlx::test]
async fn cash_trades_are_completed_by_the_seller(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let late = app.member("buyer02", false).await;
    let listing = list_book(&app, &seller, "9000").await;

    // Cash only in person: a parcel must go through safe payment.
    let res = place(&app, &buyer, listing, "cash", "parcel", &key(1)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&res.json().await.unwrap(), "method").is_some());
    // The seller cannot buy their own book.
    assert_eq!(
        place(&app, &seller, listing, "cash", "meet", &key(2))
            .await
            .status(),
        StatusCode::CONFLICT
    );

    let res = place(&app, &buyer, listing, "cash", "meet", &key(3)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let placed: Value = res.json().await.unwrap();
    let id = placed["order_id"].as_u64().unwrap();
    assert_eq!(placed["next_url"], format!("/orders/{id}"));
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["status"], "agreed");
    assert_eq!(o["ship_to"], Value::Null);
    assert_eq!(listing_status(&app, listing).await, "reserved");

    assert_eq!(
        act(&app, &buyer, "orders/complete", id, &[]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(&app, &seller, "orders/complete", id, &[]).await,
        StatusCode::OK
    );
    assert_eq!(order(&app, &seller, id).await["status"], "completed");
    // pay_004: sold, still in the seller's history, no longer for sale.
    assert_eq!(listing_status(&app, listing).await, "sold");
    assert_eq!(
        place(&app, &late, listing, "cash", "meet", &key(4))
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let profile: Value = app
        .call(
            "listings/seller",
            &[("seller_id", &seller_id(&app, "seller01").await.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        profile["listings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == listing)
    );
    assert_eq!(profile["trades"], 1);
}

async fn seller_id(app: &TestApp, login_id: &str) -> u64 {
    sqlx::query_scalar!("SELECT id FROM member WHERE login_id = ?", login_id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_hundred_concurrent_buy_attempts_make_one_order(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let mut buyers = Vec::new();
    for b in 0..10 {
        buyers.push(app.member(&format!("racer{b:02}"), false).await);
    }
    // 10 buyers × 10 attempts each, every attempt with its own key, all at once.
    let attempts = (0..100u32).map(|n| {
        let buyer = buyers[(n % 10) as usize].clone();
        let app = &app;
        async move {
            place(app, &buyer, listing, "safe_pay", "parcel", &key(n))
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, refused), (1, 99), "{statuses:?}");
    let orders: i64 = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM trade_order WHERE listing_id = ?",
        listing
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(orders, 1);
}

/// The seller flips the listing's status while buyers agree to meet for it: both lock
/// the listing and the order row in opposite orders, and MariaDB picks a deadlock victim
/// (1213, which is also how Galera reports a certification conflict). Every request gets
/// an answer a person can act on (done, refused, or busy: try again), never a 500, and
/// the listing ends with at most one live order.
#[sqlx::test]
async fn status_changes_racing_orders_get_clear_answers(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let mut buyers = Vec::new();
    for b in 0..4 {
        buyers.push(app.member(&format!("meet{b:02}"), false).await);
    }
    // Once an order holds a book, everything after is refused without locking; so each
    // round races on a fresh book.
    for round in 0..12u32 {
        let listing = list_book(&app, &seller, "9000").await;
        let flips = (0..6u32).map(|n| {
            let (app, seller) = (&app, &seller);
            async move {
                let status = if n % 2 == 0 { "reserved" } else { "on_sale" };
                app.call_as(
                    seller,
                    "listings/status",
                    &[("id", &listing.to_string()), ("status", status)],
                )
                .await
                .status()
            }
        });
        let orders = (0..4u32).map(|n| {
            let buyer = buyers[n as usize].clone();
            let app = &app;
            async move {
                place(app, &buyer, listing, "cash", "meet", &key(round * 10 + n))
                    .await
                    .status()
            }
        });
        let (flipped, ordered) = tokio::join!(
            futures_util::future::join_all(flips),
            futures_util::future::join_all(orders)
        );
        for status in flipped.iter().chain(&ordered) {
            assert!(
                [
                    StatusCode::OK,
                    StatusCode::CONFLICT,
                    StatusCode::SERVICE_UNAVAILABLE
                ]
                .contains(status),
                "round {round}: flips {flipped:?}, orders {ordered:?}"
            );
        }
        let live: i64 = sqlx::query_scalar!(
            "SELECT COUNT(*) FROM trade_order WHERE listing_id = ? AND live_listing_id IS NOT NULL",
            listing
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert!(live <= 1, "{live} live orders for one book");
        if live == 1 {
            assert_eq!(listing_status(&app, listing).await, "reserved");
        }
    }
}

#[sqlx::test]
async fn a_double_submit_is_one_order_and_one_payment(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    let k = key(7);
    let (a, b) = tokio::join!(
        place(&app, &buyer, listing, "safe_pay", "parcel", &k),
        place(&app, &buyer, listing, "safe_pay", "parcel", &k)
    );
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["order_id"], b["order_id"]);
    assert_eq!(a["next_url"], b["next_url"]);
    let id = a["order_id"].as_u64().unwrap();
    let (orders, payments): (i64, i64) = (
        sqlx::query_scalar!(
            "SELECT COUNT(*) FROM trade_order WHERE listing_id = ?",
            listing
        )
        .fetch_one(&app.pool)
        .await
        .unwrap(),
        sqlx::query_scalar!("SELECT COUNT(*) FROM payment WHERE order_id = ?", id)
            .fetch_one(&app.pool)
            .await
            .unwrap(),
    );
    assert_eq!((orders, payments), (1, 1));
    // Paying twice through the same checkout: one payment, one "paid".
    let attempt = a["next_url"]
        .as_str()
        .unwrap()
        .trim_start_matches("/pay/sandbox/")
        .to_owned();
    let (r1, r2) = tokio::join!(
        pay_return(&app, &attempt, 9000),
        pay_return(&app, &attempt, 9000)
    );
    assert!(r1.ends_with("pay=ok") && r2.ends_with("pay=ok"));
    assert_eq!(events(&app, id).await, ["ordered", "paid"]);
}

#[sqlx::test]
async fn only_the_two_sides_and_admins_see_an_order(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let other = app.member("other01", false).await;
    let admin = app.member("admin01", true).await;
    let anonymous = TestApp::new_client();
    let listing = list_book(&app, &seller, "9000").await;
    // The confirmation page and the purchase itself: members other than the seller.
    let quote = [("listing_id", listing.to_string())];
    let quote: Vec<(&str, &str)> = quote.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        app.call_as(&anonymous, "orders/quote", &quote)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call_as(&seller, "orders/quote", &quote).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        place(&app, &anonymous, listing, "safe_pay", "parcel", &key(9))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 9000).await;

    let ship = [("carrier", "CJ대한통운"), ("tracking_no", "123456789012")];
    let review = [("stars", "5"), ("body", "")];
    let resolve = [("refund", "true")];
    let reason = [("reason", "문제")];
    let calls: [(&str, &[(&str, &str)]); 8] = [
        ("orders/get", &[]),
        ("orders/ship", &ship),
        ("orders/confirm", &[]),
        ("orders/complete", &[]),
        ("orders/cancel", &[]),
        ("orders/dispute", &reason),
        ("orders/review", &review),
        ("orders/resolve", &resolve),
    ];
    for (endpoint, extra) in calls {
        assert_eq!(
            act(&app, &anonymous, endpoint, id, extra).await,
            StatusCode::UNAUTHORIZED,
            "{endpoint} anonymous"
        );
        assert_eq!(
            act(&app, &other, endpoint, id, extra).await,
            StatusCode::FORBIDDEN,
            "{endpoint} other member"
        );
    }
    // Admins may look and resolve disputes, but not act for either side.
    assert_eq!(
        act(&app, &admin, "orders/get", id, &[]).await,
        StatusCode::OK
    );
    for endpoint in [
        "orders/ship",
        "orders/confirm",
        "orders/complete",
        "orders/cancel",
        "orders/dispute",
        "orders/review",
    ] {
        let extra: &[(&str, &str)] = match endpoint {
            "orders/ship" => &ship,
            "orders/dispute" => &reason,
            "orders/review" => &review,
            _ => &[],
        };
        assert_eq!(
            act(&app, &admin, endpoint, id, extra).await,
            StatusCode::FORBIDDEN,
            "{endpoint} admin"
        );
    }
    assert_eq!(
        act(&app, &admin, "orders/resolve", id, &resolve).await,
        StatusCode::CONFLICT,
        "nothing to resolve"
    );
    // Not-yet-done trades cannot be reviewed, even by their sides.
    assert_eq!(
        act(&app, &buyer, "orders/review", id, &review).await,
        StatusCode::CONFLICT
    );
    // History: each side sees it on their own tab only.
    let mine = |who: &reqwest::Client, role: &'static str| {
        let who = who.clone();
        let app = &app;
        async move {
            let page: Value = app
                .call_as(&who, "orders/history", &[("role", role)])
                .await
                .json()
                .await
                .unwrap();
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(mine(&buyer, "buyer").await, 1);
    assert_eq!(mine(&buyer, "seller").await, 0);
    assert_eq!(mine(&seller, "seller").await, 1);
    assert_eq!(mine(&other, "buyer").await, 0);
    assert_eq!(
        app.call_as(&anonymous, "orders/history", &[("role", "buyer")])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test]
async fn trade_history_pages_and_filters(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let mut ids = Vec::new();
    for n in 0..23u32 {
        let listing = list_book(&app, &seller, "9000").await;
        let res = place(&app, &buyer, listing, "cash", "meet", &key(n)).await;
        ids.push(
            res.json::<Value>().await.unwrap()["order_id"]
                .as_u64()
                .unwrap(),
        );
        // One order a day, so the date filter has something to cut.
        app.clock.advance(Duration::days(1));
    }
    assert_eq!(
        act(&app, &seller, "orders/complete", ids[22], &[]).await,
        StatusCode::OK
    );

    let page = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let buyer = buyer.clone();
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.call_as(&buyer, "orders/history", &pairs).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };
    let first = page(vec![("role", "buyer".into())]).await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(items[0]["id"], ids[22], "newest first");
    assert_eq!(items[0]["status"], "completed");
    assert_eq!(items[0]["title"], "채식주의자");
    assert_eq!(items[0]["amount"], 9000);
    let next = &first["next"];
    let second = page(vec![
        ("role", "buyer".into()),
        (
            "after[created_at]",
            next["created_at"].as_str().unwrap().to_owned(),
        ),
        ("after[id]", next["id"].to_string()),
    ])
    .await;
    let rest: Vec<u64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    assert_eq!(rest, [ids[2], ids[1], ids[0]]);
    assert_eq!(second["next"], Value::Null);

    let completed = page(vec![
        ("role", "buyer".into()),
        ("status", "completed".into()),
    ])
    .await;
    assert_eq!(completed["items"].as_array().unwrap().len(), 1);
    // Orders were placed from 2026-11-24 12:00 KST, one a day: the 25th–26th hold two.
    let range = page(vec![
        ("role", "buyer".into()),
        ("from", "2026-11-25".into()),
        ("to", "2026-11-26".into()),
    ])
    .await;
    let range_ids: Vec<u64> = range["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    assert_eq!(range_ids, [ids[2], ids[1]]);
    let res = app
        .call_as(
            &buyer,
            "orders/history",
            &[
                ("role", "buyer"),
                ("from", "2026-11-26"),
                ("to", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call_as(
            &buyer,
            "orders/history",
            &[("role", "buyer"), ("from", "어제")],
        )
        .await;
    assert!(field_message(&res.json().await.unwrap(), "from").is_some());
}

#[sqlx::test]
async fn the_demo_grades_come_from_real_trades_and_reviews(pool: MySqlPool) {
    let app = seeded(pool).await;
    let settled: i64 = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM trade_order o JOIN payout p ON p.order_id = o.id
         WHERE o.status = 'settled'"
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(settled, 8);
    // Every stored score is the formula applied to the stored record.
    let members = sqlx::query!(
        "SELECT login_id, trust_score, review_count, review_star_sum, completed_trades FROM member"
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for m in &members {
        let expected = bread_book::features::reviews::types::trust_score(
            m.review_count,
            m.review_star_sum,
            m.completed_trades,
        );
        assert_eq!(m.trust_score, expected, "{}", m.login_id);
    }
    assert!(
        members.iter().any(|m| m.trust_score > 55),
        "someone earned a grade"
    );
    let reviews: Vec<Value> = app
        .call("orders/reviews_of", &[("member_id", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert!(!reviews.is_empty());
}
