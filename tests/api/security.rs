//! Trust and safety: each test here failed on the code before its fix (SECURITY.md).

use std::net::IpAddr;

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::chat::{Ws, call, marketplace, open_room, sign_in};
use crate::helpers::listings::{form, seeded};
use crate::helpers::orders::{order, order_parcel, pay_return, place};
use crate::helpers::{PASSWORD, TestApp};

const SCRIPT: &str = "</title><img src=x onerror=alert(1)><script>alert(2)</script>";

/// A hostile string must never come back as markup: no raw tag anywhere in the page,
/// and the `<title>` holds it escaped.
fn assert_inert(html: &str, what: &str) {
    for raw in ["<img src=x", "<script>alert(2)", "</title><img"] {
        assert!(
            !html.contains(raw),
            "{what}: raw markup {raw:?} in the page"
        );
    }
    if let Some((title, _)) = html
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
    {
        assert!(
            !title.contains('<'),
            "{what}: the title must hold text only: {title}"
        );
    }
}

async fn page(client: &reqwest::Client, url: String) -> String {
    let res = client.get(url).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.text().await.unwrap()
}

#[sqlx::test]
async fn hostile_text_in_every_title_position_stays_text(pool: MySqlPool) {
    let (app, _) = marketplace(pool, &[]).await;
    let seller = sign_in(&app.base, "seller01").await;
    let buyer = sign_in(&app.base, "buyer001").await;

    // Reflected: the search query is the search page's title.
    let query: String = url_escape(SCRIPT);
    let html = page(&app.client, format!("{}/search?q={query}", app.base)).await;
    assert_inert(&html, "search");
    assert!(
        html.contains("&lt;/title&gt;"),
        "the query is shown, escaped"
    );

    // Stored: a seller's own title for a book no catalog knows is the listing page's
    // title and the chat room's.
    let mut f = form("15000");
    f.retain(|(k, _)| k != "input[isbn]");
    f.push(("input[isbn]".into(), "9788966262472".into()));
    f.push(("input[book_title]".into(), SCRIPT.into()));
    f.push(("input[book_author]".into(), SCRIPT.into()));
    f.push(("input[book_publisher]".into(), "제이펍".into()));
    let res = call(
        &app.base,
        &seller.client,
        "listings/create",
        &f.iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listing: u64 = res.json().await.unwrap();
    let html = page(&app.client, format!("{}/listings/{listing}", app.base)).await;
    assert_inert(&html, "listing");
    let room = open_room(&app.base, &buyer, listing).await;
    let html = page(&buyer.client, format!("{}/chat/{room}", app.base)).await;
    assert_inert(&html, "chat room");
    let html = page(&buyer.client, format!("{}/chat", app.base)).await;
    assert_inert(&html, "chat list");
    let html = page(&app.client, format!("{}/", app.base)).await;
    assert_inert(&html, "home");
}

/// Pages set only their title's text; the one formatter in `app.rs` escapes it. A page
/// with a formatter of its own would bypass that.
#[test]
fn no_page_sets_its_own_title_formatter() {
    let mut offenders = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path != std::path::Path::new("src/app/mod.rs")
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .contains("formatter=")
            {
                offenders.push(path);
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test]
async fn every_page_carries_security_headers_and_only_nonced_scripts(pool: MySqlPool) {
    let app = seeded(pool).await;
    for path in ["/", "/search?q=자바", "/login", "/no-such-page"] {
        let res = app.get(path).await;
        let h = res.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no script nonce in {csp}"))
            .to_owned();
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(
            h.get("strict-transport-security").is_none(),
            "http: no HSTS"
        );
        let html = res.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path}: the hydration loader is a script");
        assert_eq!(
            html.matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
                .count()
                + html.matches(&format!("<script nonce=\"{nonce}\"")).count(),
            scripts,
            "{path}: every script carries this response's nonce"
        );
    }
    // A new nonce per response.
    let a = app.get("/").await.headers()["content-security-policy"].clone();
    let b = app.get("/").await.headers()["content-security-policy"].clone();
    assert_ne!(a, b);
}

#[sqlx::test]
async fn https_deployments_get_hsts(pool: MySqlPool) {
    let app =
        TestApp::spawn_with(pool, |c| c.public_url = "https://breadbook.example".into()).await;
    let res = app.get("/").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// A member's browser visiting another site: the cookie goes along (SameSite=Lax lets
/// top-level POSTs through in some browsers, and sibling subdomains are same-site),
/// but the browser names the page's origin.
#[sqlx::test]
async fn writes_from_other_sites_are_refused(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[]).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let raw = reqwest::Client::new();
    let wish = |extra: Vec<(&'static str, String)>| {
        let mut req = raw
            .post(format!("{}/api/listings/wish", app.base))
            .header("cookie", &buyer.cookie)
            .form(&[
                ("listing_id", listing.to_string()),
                ("wished", "true".into()),
            ]);
        for (k, v) in extra {
            req = req.header(k, v);
        }
        req.send()
    };
    for (case, headers) in [
        (
            "evil origin",
            vec![("origin", "https://evil.example".to_owned())],
        ),
        (
            "cross-site fetch",
            vec![("sec-fetch-site", "cross-site".to_owned())],
        ),
        (
            "same-site sibling",
            vec![("sec-fetch-site", "same-site".to_owned())],
        ),
        (
            "text/plain form post",
            vec![
                ("origin", "https://evil.example".to_owned()),
                ("content-type", "text/plain".to_owned()),
            ],
        ),
        ("no browser headers", vec![]),
    ] {
        let res = wish(headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{case}");
    }
    let wished: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wish")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(wished, 0, "nothing was written");

    // Logout and uploads are writes too.
    let res = raw
        .post(format!("{}/api/accounts/logout", app.base))
        .header("cookie", &buyer.cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = raw
        .post(format!("{}/api/photos", app.base))
        .header("cookie", &buyer.cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Our own pages: by Sec-Fetch-Site, or by an Origin that is this server.
    let res = wish(vec![("origin", app.base.clone())]).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = wish(vec![("sec-fetch-site", "same-origin".to_owned())])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The session survived the forged logout.
    let me: Value = call(&app.base, &buyer.client, "accounts/me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["login_id"], "buyer001");
}

/// Logins as they arrive through our proxy from `from`.
async fn login_from(
    app: &TestApp,
    from: &str,
    login_id: &str,
    password: &str,
) -> reqwest::Response {
    TestApp::new_client()
        .post(format!("{}/api/accounts/login", app.base))
        .header("x-forwarded-for", from)
        .form(&[("input[login_id]", login_id), ("input[password]", password)])
        .send()
        .await
        .unwrap()
}

fn behind_proxy(c: &mut bread_book::server::config::Config) {
    c.trusted_proxies = vec![IpAddr::from([127, 0, 0, 1])];
}

#[sqlx::test]
async fn login_answers_do_not_tell_whether_an_id_exists(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, behind_proxy).await;
    app.member("reader01", false).await;
    let known = login_from(&app, "203.0.113.1", "reader01", "wrong-pass1").await;
    let unknown = login_from(&app, "203.0.113.1", "nobody999", "wrong-pass1").await;
    assert_eq!(known.status(), unknown.status());
    let known: Value = known.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(known, unknown);
    assert_eq!(
        known["BadCredentials"],
        "아이디 또는 비밀번호가 올바르지 않습니다. (남은 시도 4회)"
    );
}

#[sqlx::test]
async fn a_lock_out_from_one_address_does_not_lock_the_owner_out(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, behind_proxy).await;
    app.member("reader01", false).await;
    for _ in 0..5 {
        login_from(&app, "203.0.113.66", "reader01", "wrong-pass1").await;
    }
    let res = login_from(&app, "203.0.113.66", "reader01", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::LOCKED,
        "the attacker's address is locked"
    );
    let res = login_from(&app, "198.51.100.7", "reader01", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "the owner elsewhere is not");
    // Unknown IDs lock the same way.
    for _ in 0..5 {
        login_from(&app, "203.0.113.67", "nobody999", "wrong-pass1").await;
    }
    let res = login_from(&app, "203.0.113.67", "nobody999", "wrong-pass1").await;
    assert_eq!(res.status(), StatusCode::LOCKED);
}

#[sqlx::test]
async fn logins_and_signups_are_rate_limited_per_address(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, behind_proxy).await;
    // Spread over IDs so the lock-out does not answer first.
    let mut last = None;
    for n in 0..11 {
        let res = login_from(
            &app,
            "203.0.113.9",
            &format!("someone{n:03}"),
            "wrong-pass1",
        )
        .await;
        last = Some(res);
    }
    let res = last.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = res.json().await.unwrap();
    let message = body["RateLimited"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("로그인 시도가 너무 많아요."),
        "{message}"
    );
    // Another address is not affected.
    let res = login_from(&app, "203.0.113.10", "someone000", "wrong-pass1").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

/// Without TRUSTED_PROXIES nobody's X-Forwarded-For counts: a client cannot dodge its
/// limit by writing a new address into the header.
#[sqlx::test]
async fn forwarded_for_from_strangers_is_ignored(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let mut statuses = Vec::new();
    for n in 0..11 {
        let res = login_from(
            &app,
            &format!("198.51.100.{n}"),
            "someone001",
            "wrong-pass1",
        )
        .await;
        statuses.push(res.status());
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[sqlx::test]
async fn metrics_need_a_token_or_this_machine(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, |c| c.metrics_token = Some("s3cret-token".into())).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .header("authorization", "Bearer wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .header("authorization", "Bearer s3cret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[sqlx::test]
async fn metrics_on_their_own_address_are_not_on_the_public_one(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, |c| {
        c.metrics_addr = Some("127.0.0.1:9".parse().unwrap());
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn metrics_without_a_token_are_for_loopback_clients_only(pool: MySqlPool) {
    let app = TestApp::spawn_with(pool, behind_proxy).await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::OK);
    // Through our proxy from the internet.
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .header("x-forwarded-for", "203.0.113.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn oversized_or_garbled_bodies_are_the_clients_fault(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let huge = "a".repeat(3 * 1024 * 1024);
    let res = app
        .client
        .post(format!("{}/api/accounts/check", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("field=login_id&value={huge}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let res = app
        .client
        .post(format!("{}/api/accounts/check", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"field=login_id&value=\xff\xfe\xfd".to_vec())
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
}

#[sqlx::test]
async fn the_seller_sees_the_buyers_address_only_once_paid(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let first = crate::helpers::listings::list_book(&app, &seller, "9000").await;
    let second = crate::helpers::listings::list_book(&app, &seller, "8000").await;

    // Unpaid: the seller sees who, not where.
    let (unpaid, _) = order_parcel(&app, &buyer, first, 1).await;
    let o = order(&app, &seller, unpaid).await;
    assert!(o["ship_to"].is_null(), "{o}");
    assert!(order(&app, &buyer, unpaid).await["ship_to"].is_object());
    // Cancelled before paying: still nothing.
    let res = app
        .call_as(&buyer, "orders/cancel", &[("id", &unpaid.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(order(&app, &seller, unpaid).await["ship_to"].is_null());

    // Paid: the seller needs it to ship.
    let (paid, attempt) = order_parcel(&app, &buyer, second, 2).await;
    pay_return(&app, &attempt, 8000).await;
    let o = order(&app, &seller, paid).await;
    assert_eq!(o["status"], "paid");
    assert_eq!(o["ship_to"]["recipient"], "김독서");
    // Cancelled after payment: gone again.
    let res = app
        .call_as(&buyer, "orders/cancel", &[("id", &paid.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(order(&app, &seller, paid).await["ship_to"].is_null());
}

#[sqlx::test]
async fn a_buyer_holds_at_most_three_unpaid_orders(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    for n in 0..3 {
        let listing = crate::helpers::listings::list_book(&app, &seller, "9000").await;
        order_parcel(&app, &buyer, listing, n).await;
    }
    let listing = crate::helpers::listings::list_book(&app, &seller, "9000").await;
    let res = place(
        &app,
        &buyer,
        listing,
        "safe_pay",
        "parcel",
        &crate::helpers::orders::key(9),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["Rejected"]
            .as_str()
            .unwrap()
            .contains("결제하지 않은 주문이 3건")
    );
}

#[sqlx::test]
async fn an_idempotency_key_belongs_to_one_buyer_and_one_listing(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let other = app.member("buyer02", false).await;
    let first = crate::helpers::listings::list_book(&app, &seller, "9000").await;
    let second = crate::helpers::listings::list_book(&app, &seller, "8000").await;
    let (id, attempt) = order_parcel(&app, &buyer, first, 1).await;

    // The same key for another listing is refused, not answered with the first order.
    let k = crate::helpers::orders::key(1);
    let res = place(&app, &buyer, second, "safe_pay", "parcel", &k).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Another buyer with the same key gets an order and checkout of their own.
    let res = place(&app, &other, second, "safe_pay", "parcel", &k).await;
    assert_eq!(res.status(), StatusCode::OK);
    let placed: Value = res.json().await.unwrap();
    assert_ne!(placed["order_id"].as_u64().unwrap(), id);
    assert_ne!(placed["next_url"], format!("/pay/sandbox/{attempt}"));
}

#[sqlx::test]
async fn payment_returns_belong_to_their_provider_and_buyer(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;
    let stranger = app.member("stranger1", false).await;
    let listing = crate::helpers::listings::list_book(&app, &seller, "9000").await;
    let (id, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    let phishing = url_escape("결제 오류: 010-0000-0000으로 입금해 주세요");

    // Another member's session, or another provider's return path: refused.
    let res = stranger
        .get(format!(
            "{}/pay/fail/sandbox?attempt={attempt}&message={phishing}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .get(&format!(
            "/pay/fail/toss?attempt={attempt}&message={phishing}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A link with no session fails the attempt, but its words never reach the buyer.
    let res = app
        .get(&format!(
            "/pay/fail/sandbox?attempt={attempt}&message={phishing}"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let o = order(&app, &buyer, id).await;
    assert_eq!(o["payment_failure"], "결제가 완료되지 않았어요.");
}

/// A seller deleting a listing while buyers order it: afterwards no live order sits on
/// a deleted listing, and nobody got a 500.
#[sqlx::test]
async fn deleting_a_listing_and_ordering_it_never_leave_an_order_on_a_deleted_listing(
    pool: MySqlPool,
) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyers = [
        app.member("buyer01", false).await,
        app.member("buyer02", false).await,
    ];
    for round in 0..15u32 {
        let buyer = &buyers[round as usize % 2];
        let listing = crate::helpers::listings::list_book(&app, &seller, "9000").await;
        let k = crate::helpers::orders::key(100 + round);
        let listing_s = listing.to_string();
        let status_form = [("id", listing_s.as_str()), ("status", "deleted")];
        let (placed, deleted) = tokio::join!(
            place(&app, buyer, listing, "cash", "meet", &k),
            app.call_as(&seller, "listings/status", &status_form,)
        );
        for res in [&placed, &deleted] {
            assert!(
                !res.status().is_server_error(),
                "round {round}: {}",
                res.status()
            );
        }
        let live_on_deleted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM trade_order o JOIN listing l ON l.id = o.listing_id
             WHERE l.status = 'deleted' AND o.live_listing_id IS NOT NULL",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(live_on_deleted, 0, "round {round}");
    }
}

#[sqlx::test]
async fn a_chat_report_outlives_the_room(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[("admin001", true)]).await;
    let seller = sign_in(&app.base, "seller01").await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let admin = sign_in(&app.base, "admin001").await;
    let room = open_room(&app.base, &buyer, listing).await;
    let mut ws = Ws::connect(&app.base, &seller.cookie).await;
    ws.say(room, "c1", "입금 먼저 하시면 보내드림").await;
    let message = ws.ack().await;
    let res = call(
        &app.base,
        &buyer.client,
        "chat/report",
        &[
            ("room", &room.to_string()),
            ("message", &message.id.to_string()),
            ("reason", "fraud"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    for who in [&buyer, &seller] {
        let res = call(
            &app.base,
            &who.client,
            "chat/leave",
            &[("room", &room.to_string())],
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let rooms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chat_room WHERE id = ?")
        .bind(room)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rooms, 0, "both left: the room is gone");
    let queue: Value = call(&app.base, &admin.client, "admin/chat-reports", &[])
        .await
        .json()
        .await
        .unwrap();
    let item = &queue["items"][0];
    assert_eq!(item["body"], "입금 먼저 하시면 보내드림", "{queue}");
    assert_eq!(item["room_gone"], true);
}

#[sqlx::test]
async fn chat_senders_are_rate_limited(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[]).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let room = open_room(&app.base, &buyer, listing).await;
    let mut ws = Ws::connect(&app.base, &buyer.cookie).await;
    // The default allowance is 20 per 10 s: a burst of 20 goes through, the rest waits.
    for n in 0..20 {
        ws.say(room, &format!("m{n}"), "안녕하세요").await;
        ws.ack().await;
    }
    ws.say(room, "m20", "안녕하세요").await;
    let refused = ws.refused().await;
    assert!(
        refused.starts_with("메시지를 너무 빨리 보내고 있어요."),
        "{refused}"
    );
}

/// Lists the book with `isbn` as `who`, typing its facts; the listing's id.
async fn list_typed(app: &TestApp, who: &reqwest::Client, isbn: &str, title: &str) -> u64 {
    let mut f = form("9000");
    f.retain(|(k, _)| k != "input[isbn]");
    f.push(("input[isbn]".into(), isbn.into()));
    f.push(("input[book_title]".into(), title.into()));
    f.push(("input[book_author]".into(), "아무개".into()));
    f.push(("input[book_publisher]".into(), "어느출판".into()));
    let res = crate::helpers::listings::create(app, who, &f).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

#[sqlx::test]
async fn a_sellers_typed_book_facts_do_not_become_the_catalogs(pool: MySqlPool) {
    let app = seeded(pool).await;
    let first = app.member("seller01", false).await;
    let second = app.member("seller02", false).await;
    let admin = app.member("admin001", true).await;
    let isbn = "9788966262472";

    let poisoned = list_typed(&app, &first, isbn, "이 책은 사기입니다 010-0000-0000").await;
    // The next seller's ISBN lookup does not offer the first seller's words…
    let res = app
        .call_as(&second, "catalog/isbn", &[("isbn", isbn)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
    // …and their listing shows what they typed; the first listing keeps its own.
    let honest = list_typed(&app, &second, isbn, "러스트 프로그래밍 공식 가이드").await;
    let title = |id: u64| {
        let app = &app;
        async move {
            crate::helpers::listings::detail(app, &app.client, id)
                .await
                .json::<Value>()
                .await
                .unwrap()["title"]
                .clone()
        }
    };
    assert_eq!(title(honest).await, "러스트 프로그래밍 공식 가이드");
    assert_eq!(title(poisoned).await, "이 책은 사기입니다 010-0000-0000");
    // Both are found by the ISBN.
    let found: Value = app
        .call("search/listings", &[("params[q]", isbn)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().map(Vec::len), Some(2), "{found}");

    // An admin's facts are the catalog's.
    let other_isbn = "9791162241219";
    list_typed(&app, &admin, other_isbn, "관리자가 확인한 제목").await;
    let res = app
        .call_as(&second, "catalog/isbn", &[("isbn", other_isbn)])
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["title"],
        "관리자가 확인한 제목"
    );
}

/// What an attacker or a confused client types: markup, SQL, bidi overrides, zero-width
/// characters, 4-byte emoji, NUL, and something very long.
fn hostile_strings() -> Vec<String> {
    vec![
        SCRIPT.to_owned(),
        "' OR '1'='1' -- ; DROP TABLE member;".to_owned(),
        "\u{202e}gpj.exe\u{202c} 사진".to_owned(),
        "시\u{200b}발\u{feff}".to_owned(),
        "𝕏🙂👩\u{200d}💻 책".to_owned(),
        "NUL\u{0}바이트".to_owned(),
        "가".repeat(20_000),
        "%00%0d%0aSet-Cookie: x=1".to_owned(),
    ]
}

type Form = Vec<(String, String)>;

/// Every form's server function, given hostile text in each free-text field: a 4xx with
/// a message, or stored — never a 500.
#[sqlx::test]
async fn hostile_text_through_every_form_is_refused_or_stored_never_a_500(pool: MySqlPool) {
    let (app, listing) = marketplace(pool, &[("admin001", true)]).await;
    let buyer = sign_in(&app.base, "buyer001").await;
    let admin = sign_in(&app.base, "admin001").await;
    let listing_s = listing.to_string();
    let anonymous = TestApp::new_client();
    let signup = crate::helpers::signup_form("hostile01", "hostile@example.com", "적대자");
    let mut checked = 0;
    for text in hostile_strings() {
        let t = text.as_str();
        let mut calls: Vec<(&reqwest::Client, &str, Form)> = Vec::new();
        for field in [
            "login_id",
            "name",
            "nickname",
            "email",
            "phone",
            "birth_date",
            "password",
        ] {
            calls.push((
                &anonymous,
                "accounts/signup",
                crate::helpers::with(signup.clone(), field, t),
            ));
        }
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        calls.push((
            &anonymous,
            "accounts/login",
            pairs(&[("input[login_id]", t), ("input[password]", t)]),
        ));
        calls.push((
            &anonymous,
            "accounts/check",
            pairs(&[("field", "nickname"), ("value", t)]),
        ));
        calls.push((&anonymous, "search/listings", pairs(&[("params[q]", t)])));
        calls.push((
            &anonymous,
            "courses/find",
            pairs(&[("school", "1"), ("q", t)]),
        ));
        calls.push((&buyer.client, "catalog/title", pairs(&[("query", t)])));
        calls.push((&buyer.client, "alerts/save", pairs(&[("query", t)])));
        calls.push((
            &buyer.client,
            "listings/report",
            pairs(&[
                ("listing_id", &listing_s),
                ("reason", "fake"),
                ("detail", t),
            ]),
        ));
        for field in [
            "book_title",
            "book_author",
            "book_publisher",
            "description",
            "meet_label",
            "price",
            "isbn",
            "course_name",
        ] {
            let mut f = form("9000");
            f.retain(|(k, _)| *k != format!("input[{field}]"));
            f.push((format!("input[{field}]"), t.to_owned()));
            calls.push((&buyer.client, "listings/create", f));
        }
        for field in ["recipient", "phone", "postcode", "address1", "address2"] {
            let mut f = pairs(&[
                ("input[listing_id]", &listing_s),
                ("input[method]", "safe_pay"),
                ("input[provider]", "sandbox"),
                ("input[delivery]", "parcel"),
                ("input[idempotency_key]", "0b7a7d2e-hostile-key"),
                ("input[address][recipient]", "김독서"),
                ("input[address][phone]", "010-1234-5678"),
                ("input[address][postcode]", "03722"),
                ("input[address][address1]", "서울 서대문구 연세로 50"),
            ]);
            f.retain(|(k, _)| *k != format!("input[address][{field}]"));
            f.push((format!("input[address][{field}]"), t.to_owned()));
            // Each try is its own purchase attempt.
            f.retain(|(k, _)| k != "input[idempotency_key]");
            f.push((
                "input[idempotency_key]".into(),
                format!("hostile-{checked}-{field}"),
            ));
            calls.push((&buyer.client, "orders/place", f));
        }
        calls.push((
            &admin.client,
            "chat/banned-words/set",
            pairs(&[("word", t), ("on", "true")]),
        ));
        for (client, endpoint, form) in calls {
            let body: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let res = call(&app.base, client, endpoint, &body).await;
            let status = res.status();
            assert!(
                !status.is_server_error(),
                "{endpoint} with {:?}: {status} {}",
                t.chars().take(40).collect::<String>(),
                res.text().await.unwrap_or_default()
            );
            checked += 1;
            // Orders that went through are cancelled, so the next try is not refused as
            // a fourth unpaid order.
            if endpoint == "orders/place" && status == StatusCode::OK {
                let placed: Value = res.json().await.unwrap();
                let id = placed["order_id"].to_string();
                call(&app.base, client, "orders/cancel", &[("id", &id)]).await;
            }
        }
    }
    assert!(checked > 200, "{checked}");

    // Bytes that are not UTF-8 at all, in a form body and in a query string.
    for endpoint in [
        "accounts/login",
        "accounts/check",
        "search/listings",
        "listings/create",
    ] {
        let res = buyer
            .client
            .post(format!("{}/api/{endpoint}", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"input[login_id]=\xff\xfe&value=\xc3\x28&params[q]=\xed\xa0\x80".to_vec())
            .send()
            .await
            .unwrap();
        assert!(
            !res.status().is_server_error(),
            "{endpoint}: {}",
            res.status()
        );
    }
    let res = app.get("/search?q=%FF%FE%ED%A0%80").await;
    assert!(!res.status().is_server_error(), "{}", res.status());

    // The payment return URLs and the sandbox checkout take an attempt key anyone can
    // edit.
    for text in hostile_strings() {
        let key = url_escape(&text.chars().take(60).collect::<String>());
        for path in [
            format!("/pay/return/sandbox?attempt={key}&paymentKey={key}&amount=1"),
            format!("/pay/fail/sandbox?attempt={key}&message={key}"),
        ] {
            let res = app.get(&path).await;
            assert!(!res.status().is_server_error(), "{path}: {}", res.status());
        }
        let res = call(
            &app.base,
            &buyer.client,
            "orders/attempt",
            &[("attempt", &text)],
        )
        .await;
        assert!(
            !res.status().is_server_error(),
            "orders/attempt: {}",
            res.status()
        );
    }
}

#[sqlx::test]
async fn searches_are_rate_limited_per_address(pool: MySqlPool) {
    use bread_book::server::limits::{Allowance, Limit};
    let app = TestApp::spawn_with(pool, |c| {
        c.rate_limits
            .set(Limit::Search, Allowance::parse("3/60").unwrap());
    })
    .await;
    for _ in 0..2 {
        assert_eq!(app.get("/search?q=자바").await.status(), StatusCode::OK);
    }
    let res = app.call("search/listings", &[("params[q]", "자바")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    // The page and the server function count together.
    let res = app.get("/search?q=자바").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().starts_with("검색이 너무 많아요."));
    let res = app.call("search/listings", &[("params[q]", "자바")]).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}
