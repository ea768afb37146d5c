//! Listing reports handled by admins (issue 23, PRODUCT_10): the queue, take-down and
//! dismissal with everyone concerned told once, a daily cap per reporter, admins only,
//! and an audit log nobody can change.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::TestApp;
use crate::helpers::listings::{detail, list_book, seeded};
use crate::helpers::moderation::{audit, notices};
use crate::helpers::orders::{order_parcel, pay_return};

async fn report(app: &TestApp, who: &reqwest::Client, listing: u64, reason: &str) -> StatusCode {
    app.call_as(
        who,
        "listings/report",
        &[
            ("listing_id", listing.to_string().as_str()),
            ("reason", reason),
            ("detail", "스캔해서 제본한 책이에요"),
        ],
    )
    .await
    .status()
}

async fn queue(app: &TestApp, admin: &reqwest::Client) -> Value {
    let res = app.call_as(admin, "admin/listing-reports", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn close(
    app: &TestApp,
    admin: &reqwest::Client,
    listing: u64,
    outcome: &str,
    note: &str,
) -> reqwest::Response {
    app.call_as(
        admin,
        "admin/listing-reports/close",
        &[
            ("listing", listing.to_string().as_str()),
            ("outcome", outcome),
            ("note", note),
        ],
    )
    .await
}

#[sqlx::test]
async fn every_admin_function_refuses_visitors_and_members(pool: MySqlPool) {
    let app = seeded(pool).await;
    let member = app.member("member01", false).await;
    let admin = app.member("admin001", true).await;
    let seller = app.member("seller01", false).await;
    let listing = list_book(&app, &seller, "9000").await;
    assert_eq!(
        report(&app, &member, listing, "pirated").await,
        StatusCode::OK
    );
    let listing_s = listing.to_string();
    let calls: [(&str, Vec<(&str, &str)>); 3] = [
        ("admin/listing-reports", vec![]),
        (
            "admin/listing-reports/close",
            vec![("listing", listing_s.as_str()), ("outcome", "removed")],
        ),
        ("admin/audit", vec![]),
    ];
    for (endpoint, form) in &calls {
        let res = app.call_as(&TestApp::new_client(), endpoint, form).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        let res = app.call_as(&member, endpoint, form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
        // The seller of the reported listing is no admin either.
        let res = app.call_as(&seller, endpoint, form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    // Nothing happened: the listing is up, its report open.
    assert_eq!(
        detail(&app, &member, listing).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        queue(&app, &admin).await["items"].as_array().unwrap().len(),
        1
    );
    assert!(audit(&app, &admin).await.is_empty());
}

#[sqlx::test]
async fn an_admin_takes_a_listing_down_and_everyone_concerned_is_told_once(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let first = app.member("reporter1", false).await;
    let second = app.member("reporter2", false).await;
    let wisher = app.member("wisher01", false).await;
    let admin = app.member("admin001", true).await;
    let pirate = list_book(&app, &seller, "3000").await;
    let fine = list_book(&app, &seller, "9000").await;
    app.call_as(
        &wisher,
        "listings/wish",
        &[
            ("listing_id", pirate.to_string().as_str()),
            ("wished", "true"),
        ],
    )
    .await;
    assert_eq!(
        report(&app, &first, pirate, "pirated").await,
        StatusCode::OK
    );
    assert_eq!(report(&app, &second, pirate, "other").await, StatusCode::OK);
    assert_eq!(
        report(&app, &first, fine, "misleading").await,
        StatusCode::OK
    );

    // The queue: the longest-waiting listing first, with every report and the seller's
    // record beside it.
    let q = queue(&app, &admin).await;
    let items = q["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["listing_id"], pirate);
    assert_eq!(items[0]["title"], "채식주의자");
    assert_eq!(items[0]["status"], "on_sale");
    assert_eq!(items[0]["reports"].as_array().unwrap().len(), 2);
    assert_eq!(items[0]["reports"][0]["reason"], "pirated");
    assert_eq!(items[0]["reports"][0]["detail"], "스캔해서 제본한 책이에요");
    assert_eq!(items[0]["seller_other_open"], 1);
    assert_eq!(items[0]["seller_removed_before"], 0);
    assert!(q["next"].is_null());

    let res = close(
        &app,
        &admin,
        pirate,
        "removed",
        "불법 복제물은 팔 수 없어요.",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Gone for everyone.
    assert_eq!(
        detail(&app, &wisher, pirate).await.status(),
        StatusCode::NOT_FOUND
    );
    // Each reporter hears what became of their report; the seller hears why, with the
    // admin's words; the wisher that it is gone.
    let thanks = "신고하신 〈채식주의자〉 판매글을 내렸어요. 알려 주셔서 고마워요.";
    assert_eq!(notices(&app, &first, "report").await, [thanks]);
    assert_eq!(notices(&app, &second, "report").await, [thanks]);
    assert_eq!(
        notices(&app, &seller, "report").await,
        [
            "〈채식주의자〉 판매글이 신고(불법 복제물 (제본·스캔본), 기타)로 내려졌어요. 사유: 불법 복제물은 팔 수 없어요."
        ]
    );
    assert_eq!(
        notices(&app, &wisher, "wish").await,
        ["찜한 〈채식주의자〉 판매글이 내려갔어요."]
    );

    // A second admin (or a double tap) finds it handled: refused, nobody told twice.
    let res = close(&app, &admin, pirate, "removed", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(notices(&app, &first, "report").await.len(), 1);
    assert_eq!(notices(&app, &seller, "report").await.len(), 1);

    // The other listing is fine: dismissed, the reporter told so, the listing stays.
    let q = queue(&app, &admin).await;
    assert_eq!(q["items"][0]["listing_id"], fine);
    assert_eq!(
        q["items"][0]["seller_removed_before"], 1,
        "the record shows"
    );
    assert_eq!(
        close(&app, &admin, fine, "dismissed", "").await.status(),
        StatusCode::OK
    );
    assert_eq!(detail(&app, &first, fine).await.status(), StatusCode::OK);
    assert_eq!(
        notices(&app, &first, "report").await[0],
        "신고하신 〈채식주의자〉 판매글을 살펴봤지만 운영 정책에 어긋나는 점은 찾지 못했어요."
    );
    assert_eq!(notices(&app, &seller, "report").await.len(), 1);
    assert!(
        queue(&app, &admin).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Both decisions are in the audit log, newest first, with who and why.
    let log = audit(&app, &admin).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["action"], "listing_report_dismissed");
    assert_eq!(log[0]["target_id"], fine);
    assert_eq!(log[1]["action"], "listing_removed");
    assert_eq!(log[1]["target_id"], pirate);
    assert_eq!(log[1]["admin_nickname"], "admin001");
    assert!(
        log[1]["detail"]
            .as_str()
            .unwrap()
            .contains("불법 복제물은 팔 수 없어요.")
    );
}

#[sqlx::test]
async fn a_listing_an_order_holds_is_not_taken_down_and_its_reports_stay_open(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let reporter = app.member("reporter1", false).await;
    let admin = app.member("admin001", true).await;
    let listing = list_book(&app, &seller, "9000").await;
    assert_eq!(
        report(&app, &reporter, listing, "pirated").await,
        StatusCode::OK
    );
    let (_, attempt) = order_parcel(&app, &buyer, listing, 1).await;
    pay_return(&app, &attempt, 9000).await;
    let res = close(&app, &admin, listing, "removed", "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        res.json::<Value>().await.unwrap()["Rejected"]
            .as_str()
            .unwrap()
            .contains("진행 중인 주문")
    );
    assert_eq!(
        queue(&app, &admin).await["items"].as_array().unwrap().len(),
        1
    );
    assert!(notices(&app, &reporter, "report").await.is_empty());
    assert!(
        audit(&app, &admin).await.is_empty(),
        "nothing happened, nothing logged"
    );
}

#[sqlx::test]
async fn a_member_may_report_ten_listings_a_day(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let reporter = app.member("reporter1", false).await;
    let mut listings = Vec::new();
    for n in 0..11 {
        listings.push(list_book(&app, &seller, &(5000 + n * 100).to_string()).await);
    }
    for listing in &listings[..10] {
        assert_eq!(
            report(&app, &reporter, *listing, "spam").await,
            StatusCode::OK
        );
    }
    let res = app
        .call_as(
            &reporter,
            "listings/report",
            &[
                ("listing_id", listings[10].to_string().as_str()),
                ("reason", "spam"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        res.json::<Value>().await.unwrap()["Rejected"]
            .as_str()
            .unwrap()
            .contains("하루 10번")
    );
    // A day later (the app's clock), reporting works again.
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(
        report(&app, &reporter, listings[10], "spam").await,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn the_audit_log_takes_entries_and_refuses_changes(pool: MySqlPool) {
    let app = seeded(pool).await;
    let admin = app.member("admin001", true).await;
    let res = app
        .call_as(
            &admin,
            "chat/banned-words/set",
            &[("word", "사기꾼"), ("on", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call_as(
            &admin,
            "chat/banned-words/set",
            &[("word", "사기꾼"), ("on", "false")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let log = audit(&app, &admin).await;
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["banned_word_removed", "banned_word_added"]);
    assert_eq!(log[0]["detail"], "사기꾼");

    // Not even the app's own database user can change or remove an entry.
    let update = sqlx::query("UPDATE admin_audit SET detail = 'nothing to see'")
        .execute(&app.pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM admin_audit")
        .execute(&app.pool)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(audit(&app, &admin).await.len(), 2);
}

#[sqlx::test]
async fn the_dashboard_counts_each_kst_day_and_only_admins_see_it(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer001", false).await;
    let admin = app.member("admin001", true).await;
    assert_eq!(
        app.call_as(&TestApp::new_client(), "admin/stats", &[])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call_as(&seller, "admin/stats", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let stats = || async {
        let days: Vec<Value> = app
            .call_as(&admin, "admin/stats", &[])
            .await
            .json()
            .await
            .unwrap();
        days
    };
    let of = |day: &Value, key: &str| day[key].as_i64().unwrap();
    // The demo data was made at the test clock's time, today: what this test adds is
    // counted on top of it.
    let before = stats().await;
    assert_eq!(before.len(), 30, "every day, zeros too");
    let today = before.last().unwrap().clone();
    // The test clock reads 2026-11-24 03:00 UTC, which is noon in Korea.
    assert_eq!(today["day"], "2026-11-24");
    assert_eq!(before[0]["day"], "2026-10-26");
    assert!(of(&today, "signups") >= 3, "the members made for this test");

    // Two listings, one paid order (거래액) and one left unpaid (not 거래액).
    let paid = list_book(&app, &seller, "9000").await;
    let unpaid = list_book(&app, &seller, "4000").await;
    let (_, attempt) = order_parcel(&app, &buyer, paid, 1).await;
    pay_return(&app, &attempt, 9000).await;
    order_parcel(&app, &buyer, unpaid, 2).await;
    let after = stats().await;
    let now = after.last().unwrap();
    assert_eq!(of(now, "listings") - of(&today, "listings"), 2);
    assert_eq!(of(now, "orders") - of(&today, "orders"), 2);
    assert_eq!(of(now, "gmv") - of(&today, "gmv"), 9000);

    // 15:30 UTC is already the next day in Korea: a listing then counts for the 25th.
    app.clock.advance(chrono::Duration::minutes(12 * 60 + 30));
    list_book(&app, &seller, "5000").await;
    let days = stats().await;
    assert_eq!(days.last().unwrap()["day"], "2026-11-25");
    assert_eq!(days.last().unwrap()["listings"], 1);
    assert_eq!(days[28]["listings"], now["listings"]);
}
