use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::MySqlPool;

use crate::helpers::listings::{create, detail, form, list_book, pairs, seeded};
use crate::helpers::{TestApp, field_message};

#[sqlx::test]
async fn a_member_lists_a_book_and_everyone_sees_it(pool: MySqlPool) {
    let app = seeded(pool).await;
    let anonymous = TestApp::new_client();
    assert_eq!(
        create(&app, &anonymous, &form("9000")).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let seller = app.member("seller01", false).await;
    let res = create(&app, &seller, &form("9,000")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: u64 = res.json().await.unwrap();

    let d: Value = detail(&app, &anonymous, id).await.json().await.unwrap();
    assert_eq!(d["title"], "채식주의자");
    assert_eq!(d["price"], 9000);
    assert_eq!(d["condition"], "fair");
    assert_eq!(d["checklist"]["writing"], true);
    assert_eq!(d["status"], "on_sale");
    assert_eq!(
        (d["parcel"].clone(), d["meet"].clone(), d["pickup"].clone()),
        (json!(true), json!(true), json!(false))
    );
    assert_eq!(d["meet_label"], "신촌역 2번 출구");
    assert!((d["meet_lat"].as_f64().unwrap() - 37.5551).abs() < 1e-6);
    assert_eq!(
        (d["pay_safe"].clone(), d["pay_cash"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(d["category_trail"], json!(["문학", "한국문학"]));
    assert_eq!(d["seller_nickname"], "seller01");
    assert_eq!(d["can_edit"], false, "a visitor cannot edit");
    let mine: Value = detail(&app, &seller, id).await.json().await.unwrap();
    assert_eq!(mine["can_edit"], true);

    // On the home feed, newest first.
    let feed: Vec<Value> = app
        .call_as(&anonymous, "listings/newest", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(feed[0]["id"], id);
}

#[sqlx::test]
async fn bad_sale_forms_get_every_field_error_at_once(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let mut bad = form("12.5");
    bad.retain(|(k, _)| k != "input[meet_label]" && k != "input[isbn]" && k != "input[condition]");
    bad.push(("input[isbn]".into(), "9788936433599".into()));
    bad.push(("input[condition]".into(), "good".into()));
    let res = create(&app, &seller, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "price").unwrap(),
        "가격은 숫자로만 입력해 주세요. (원 단위)"
    );
    assert!(field_message(&body, "isbn").unwrap().contains("검증 숫자"));
    assert!(
        field_message(&body, "meet_label")
            .unwrap()
            .contains("직거래 장소")
    );
    assert!(
        field_message(&body, "condition")
            .unwrap()
            .contains("'중' 추천")
    );

    // An unknown category is a field error, not a foreign-key 500.
    let mut f = form("9000");
    f.retain(|(k, _)| k != "input[category_id]");
    f.push(("input[category_id]".into(), "99999".into()));
    let res = create(&app, &seller, &f).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_message(&res.json().await.unwrap(), "category_id").unwrap(),
        "분야를 다시 선택해 주세요."
    );

    let count: i64 = sqlx::query_scalar!("SELECT COUNT(*) FROM listing WHERE seller_id = (SELECT id FROM member WHERE login_id = 'seller01')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test]
async fn an_unknown_isbn_needs_the_book_typed_in(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let mut f = form("15000");
    f.retain(|(k, _)| k != "input[isbn]");
    f.push(("input[isbn]".into(), "978-89-6626-247-2".into()));
    let res = create(&app, &seller, &f).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        field_message(&body, "book_title").unwrap(),
        "책 정보를 찾지 못했어요. 제목을(를) 직접 입력해 주세요."
    );
    assert!(field_message(&body, "book_author").is_some());

    f.push((
        "input[book_title]".into(),
        "러스트 프로그래밍 공식 가이드".into(),
    ));
    f.push((
        "input[book_author]".into(),
        "스티브 클라브닉, 캐럴 니콜스".into(),
    ));
    f.push(("input[book_publisher]".into(), "제이펍".into()));
    let res = create(&app, &seller, &f).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: u64 = res.json().await.unwrap();
    let d: Value = detail(&app, &seller, id).await.json().await.unwrap();
    assert_eq!(d["isbn13"], "9788966262472");
    assert_eq!(d["title"], "러스트 프로그래밍 공식 가이드");
}

#[sqlx::test]
async fn only_the_owner_or_an_admin_may_edit_or_change_status(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let other = app.member("other002", false).await;
    let admin = app.member("admin003", true).await;
    let anonymous = TestApp::new_client();
    let id: u64 = list_book(&app, &seller, "9000").await;
    let id_s = id.to_string();

    let edit = |version: &'static str, price: &'static str| {
        let mut f = form(price);
        f.push(("input[version]".into(), version.into()));
        f.push(("id".into(), id_s.clone()));
        f
    };
    for (who, expected) in [
        (&anonymous, StatusCode::UNAUTHORIZED),
        (&other, StatusCode::FORBIDDEN),
    ] {
        let res = app
            .call_as(who, "listings/update", &pairs(&edit("0", "1000")))
            .await;
        assert_eq!(res.status(), expected);
        let res = app
            .call_as(
                who,
                "listings/status",
                &[("id", id_s.as_str()), ("status", "sold")],
            )
            .await;
        assert_eq!(res.status(), expected);
    }
    let d: Value = detail(&app, &anonymous, id).await.json().await.unwrap();
    assert_eq!(
        (d["price"].clone(), d["status"].clone()),
        (json!(9000), json!("on_sale")),
        "refused calls changed nothing"
    );

    // The owner edits (version 0 → 1); a form still at version 0 then loses.
    assert_eq!(
        app.call_as(&seller, "listings/update", &pairs(&edit("0", "8000")))
            .await
            .status(),
        StatusCode::OK
    );
    let res = app
        .call_as(&admin, "listings/update", &pairs(&edit("0", "7000")))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        res.json::<Value>().await.unwrap()["Rejected"]
            .as_str()
            .unwrap()
            .contains("먼저 수정")
    );
    // The admin, at the current version, may.
    assert_eq!(
        app.call_as(&admin, "listings/update", &pairs(&edit("1", "7000")))
            .await
            .status(),
        StatusCode::OK
    );
    let d: Value = detail(&app, &anonymous, id).await.json().await.unwrap();
    assert_eq!(d["price"], 7000);
    assert_eq!(d["title"], "채식주의자", "the book never changes on edit");

    for status in ["reserved", "sold", "on_sale"] {
        let res = app
            .call_as(
                &seller,
                "listings/status",
                &[("id", id_s.as_str()), ("status", status)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let d: Value = detail(&app, &anonymous, id).await.json().await.unwrap();
        assert_eq!(d["status"], status);
    }
    let res = app
        .call_as(
            &seller,
            "listings/status",
            &[("id", id_s.as_str()), ("status", "stolen")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Deleted: gone for everyone, and no longer editable.
    assert_eq!(
        app.call_as(
            &admin,
            "listings/status",
            &[("id", id_s.as_str()), ("status", "deleted")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        detail(&app, &seller, id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call_as(&seller, "listings/update", &pairs(&edit("3", "5000")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn my_listings_shows_mine_in_every_status_but_deleted_with_keyset_pages(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let other = app.member("other002", false).await;
    assert_eq!(
        app.call("listings/mine", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let mut ids = Vec::new();
    for i in 0..35u64 {
        app.clock.advance(chrono::Duration::seconds(1));
        let id: u64 = create(&app, &seller, &form(&(1000 + i * 100).to_string()))
            .await
            .json()
            .await
            .unwrap();
        ids.push(id);
    }
    create(&app, &other, &form("5000")).await;
    app.call_as(
        &seller,
        "listings/status",
        &[("id", &ids[34].to_string()), ("status", "sold")],
    )
    .await;
    app.call_as(
        &seller,
        "listings/status",
        &[("id", &ids[33].to_string()), ("status", "deleted")],
    )
    .await;

    let page1: Vec<Value> = app
        .call_as(&seller, "listings/mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page1.len(), 30);
    assert_eq!(page1[0]["id"], ids[34]);
    assert_eq!(page1[0]["status"], "sold");
    assert_eq!(page1[1]["id"], ids[32], "deleted one skipped");
    let last = page1[29]["id"].as_u64().unwrap().to_string();
    let page2: Vec<Value> = app
        .call_as(&seller, "listings/mine", &[("after", last.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page2.len(), 4);
    assert_eq!(page2[3]["id"], ids[0]);
    assert!(
        page1
            .iter()
            .chain(&page2)
            .all(|c| c["seller_nickname"] == "seller01")
    );
}

#[sqlx::test]
async fn price_guide_shows_lowest_on_sale_and_median_of_recent_sales(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let isbn = [("isbn", "978-89-364-3359-8")];
    let before: Value = app
        .call("listings/price-guide", &isbn)
        .await
        .json()
        .await
        .unwrap();
    let seeded_lowest = before["lowest_on_sale"].as_i64().unwrap();

    let mut ids = Vec::new();
    for price in ["2000", "4000", "9000", "6000"] {
        ids.push(
            create(&app, &seller, &form(price))
                .await
                .json::<u64>()
                .await
                .unwrap(),
        );
    }
    // Three sell: 4000, 9000, 6000 → median 6000; 2000 stays on sale.
    for id in &ids[1..] {
        app.clock.advance(chrono::Duration::days(1));
        app.call_as(
            &seller,
            "listings/status",
            &[("id", &id.to_string()), ("status", "sold")],
        )
        .await;
    }
    let g: Value = app
        .call("listings/price-guide", &isbn)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(g["lowest_on_sale"], 2000.min(seeded_lowest));
    assert_eq!(g["median_sold"], 6000);

    // Editing the 2,000 listing, its seller sees the others on sale, not their own.
    let cheapest = ids[0].to_string();
    let others: Value = app
        .call(
            "listings/price-guide",
            &[
                ("isbn", "978-89-364-3359-8"),
                ("other_than", cheapest.as_str()),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        seeded_lowest > 2000,
        "the seed's copies cost more than the new one"
    );
    assert_eq!(others["on_sale"], g["on_sale"].as_u64().unwrap() - 1);
    assert_eq!(others["lowest_on_sale"], seeded_lowest);
    let sold: Vec<i64> = g["sold"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"].as_i64().unwrap())
        .collect();
    assert_eq!(sold, [4000, 9000, 6000], "oldest first");

    // Sales older than six months no longer count.
    app.clock.advance(chrono::Duration::days(200));
    let g: Value = app
        .call("listings/price-guide", &isbn)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(g["median_sold"], Value::Null);

    let res = app.call("listings/price-guide", &[("isbn", "123")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A new sale form starts from what the market and the seller already know: the
/// category this book is usually filed under, and the seller's latest ways.
#[sqlx::test]
async fn a_new_sale_starts_from_the_usual_category_and_the_sellers_last_ways(pool: MySqlPool) {
    let app = seeded(pool).await;
    let isbn = [("isbn", "978-89-364-3359-8")];
    let guide: Value = app
        .call("listings/price-guide", &isbn)
        .await
        .json()
        .await
        .unwrap();
    // The seed files 채식주의자 under 한국문학.
    let seeded_category = guide["usual_category_id"]
        .as_u64()
        .expect("a usual category");
    let unknown: Value = app
        .call("listings/price-guide", &[("isbn", "9791100000019")])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        unknown["usual_category_id"].is_null(),
        "a book nobody listed"
    );

    // Anonymous: refused. A member with no listing yet: nothing to start from.
    let res = app.call("listings/last-ways", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let seller = app.member("seller01", false).await;
    let none: Value = app
        .call_as(&seller, "listings/last-ways", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(none.is_null());

    // After a listing (parcel + meet at 신촌역, safe pay + cash): exactly those, and only
    // for that seller.
    list_book(&app, &seller, "9000").await;
    let ways: Value = app
        .call_as(&seller, "listings/last-ways", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ways["parcel"], true);
    assert_eq!(ways["pickup"], false);
    assert_eq!(ways["meet"], true);
    assert_eq!(ways["meet_label"], "신촌역 2번 출구");
    assert_eq!(ways["meet_lat"], 37.5551);
    assert_eq!(ways["pay_safe"], true);
    assert_eq!(ways["pay_transfer"], false);
    assert_eq!(ways["pay_cash"], true);
    let other = app.member("seller02", false).await;
    let theirs: Value = app
        .call_as(&other, "listings/last-ways", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.is_null(), "another seller's ways are not shown");

    // Filed elsewhere more often than anywhere else, the usual category follows.
    let mut elsewhere = form("8000");
    let other_category = if seeded_category == 154 { "141" } else { "154" };
    for (k, v) in elsewhere.iter_mut() {
        if k == "input[category_id]" {
            *v = other_category.to_owned();
        }
    }
    let listed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM listing l JOIN book b ON b.id = l.book_id WHERE b.isbn13 = '9788936433598'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for _ in 0..=listed {
        assert_eq!(
            create(&app, &seller, &elsewhere).await.status(),
            StatusCode::OK
        );
    }
    let guide: Value = app
        .call("listings/price-guide", &isbn)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(guide["usual_category_id"].to_string(), other_category);
}

#[sqlx::test]
async fn detail_and_sell_pages_render(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let id: u64 = list_book(&app, &seller, "9000").await;
    let res = app.get(&format!("/listings/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("채식주의자") && html.contains("9,000원") && html.contains("신촌역 2번 출구")
    );
    assert_eq!(
        app.get("/listings/999999").await.status(),
        StatusCode::NOT_FOUND
    );
    let html = app.get("/sell").await.text().await.unwrap();
    assert!(
        html.contains("책을 팔려면 로그인해 주세요."),
        "a visitor is asked to log in"
    );
    let tree: Vec<Value> = app
        .call("catalog/category-tree", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tree.len(), 113);
}

#[sqlx::test]
async fn wishes_count_once_per_member_and_only_members_wish(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer002", false).await;
    let buyer2 = app.member("buyer003", false).await;
    let id: u64 = list_book(&app, &seller, "9000").await;
    let id_s = id.to_string();
    let wish = |client: &reqwest::Client, on: &'static str| {
        let client = client.clone();
        let id_s = id_s.clone();
        let app = &app;
        async move {
            app.call_as(
                &client,
                "listings/wish",
                &[("listing_id", id_s.as_str()), ("wished", on)],
            )
            .await
        }
    };

    assert_eq!(
        wish(&TestApp::new_client(), "true").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = wish(&seller, "true").await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "not one's own listing");

    let w: Value = wish(&buyer, "true").await.json().await.unwrap();
    assert_eq!(w, json!({"wished": true, "count": 1}));
    let w: Value = wish(&buyer, "true").await.json().await.unwrap();
    assert_eq!(w["count"], 1, "wishing twice counts once");
    let w: Value = wish(&buyer2, "true").await.json().await.unwrap();
    assert_eq!(w["count"], 2);

    let d: Value = detail(&app, &buyer, id).await.json().await.unwrap();
    assert_eq!(
        (d["wished"].clone(), d["wish_count"].clone()),
        (json!(true), json!(2))
    );
    let d: Value = detail(&app, &TestApp::new_client(), id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["wished"], false);

    let mine: Vec<Value> = app
        .call_as(&buyer, "listings/wishes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["id"], id);
    assert_eq!(
        app.call("listings/wishes", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let w: Value = wish(&buyer, "false").await.json().await.unwrap();
    assert_eq!(w, json!({"wished": false, "count": 1}));
    let w: Value = wish(&buyer, "false").await.json().await.unwrap();
    assert_eq!(w["count"], 1, "removing twice counts once");
    let mine: Vec<Value> = app
        .call_as(&buyer, "listings/wishes", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.is_empty());

    let res = app
        .call_as(
            &buyer,
            "listings/wish",
            &[("listing_id", "999999"), ("wished", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_member_reports_a_listing_once(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let reporter = app.member("reporter2", false).await;
    let id: u64 = list_book(&app, &seller, "9000").await;
    let id_s = id.to_string();
    let report = [
        ("listing_id", id_s.as_str()),
        ("reason", "pirated"),
        ("detail", "스캔본 제본이에요"),
    ];

    assert_eq!(
        app.call_as(&TestApp::new_client(), "listings/report", &report)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call_as(&seller, "listings/report", &report)
            .await
            .status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.call_as(&reporter, "listings/report", &report)
            .await
            .status(),
        StatusCode::OK
    );
    let res = app.call_as(&reporter, "listings/report", &report).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        res.json::<Value>().await.unwrap()["Rejected"]
            .as_str()
            .unwrap()
            .contains("이미 신고")
    );

    let rows = sqlx::query!(
        "SELECT reason AS `reason: String`, detail FROM listing_report WHERE listing_id = ?",
        id
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].reason.as_str(), rows[0].detail.as_str()),
        ("pirated", "스캔본 제본이에요")
    );

    let bad = app
        .call_as(
            &reporter,
            "listings/report",
            &[("listing_id", id_s.as_str()), ("reason", "because")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let long = "가".repeat(501);
    let other = app.member("reporter3", false).await;
    let res = app
        .call_as(
            &other,
            "listings/report",
            &[
                ("listing_id", id_s.as_str()),
                ("reason", "other"),
                ("detail", long.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test]
async fn the_seller_page_keeps_sold_books_in_the_history(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let a: u64 = list_book(&app, &seller, "9000").await;
    app.clock.advance(chrono::Duration::seconds(5));
    let b: u64 = list_book(&app, &seller, "7000").await;
    app.call_as(
        &seller,
        "listings/status",
        &[("id", &a.to_string()), ("status", "sold")],
    )
    .await;
    let seller_id = sqlx::query_scalar!("SELECT id FROM member WHERE login_id = 'seller01'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let p: Value = app
        .call("listings/seller", &[("seller_id", &seller_id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["nickname"], "seller01");
    assert_eq!(
        (p["on_sale"].clone(), p["sold"].clone()),
        (json!(1), json!(1))
    );
    let ids: Vec<u64> = p["listings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [b, a]);
    assert_eq!(p["listings"][1]["status"], "sold");
    assert_eq!(
        app.call("listings/seller", &[("seller_id", "999999")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let html = app
        .get(&format!("/sellers/{seller_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("판매 완료") && html.contains("seller01"));
}

#[sqlx::test]
async fn a_listing_page_shows_its_seller_and_similar_books(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let other = app.member("seller02", false).await;
    let mine: u64 = list_book(&app, &seller, "9000").await;
    let cheaper: u64 = list_book(&app, &other, "4000").await;
    let dearer: u64 = list_book(&app, &other, "15000").await;

    let d: Value = detail(&app, &TestApp::new_client(), mine)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["seller"]["nickname"], "seller01");
    assert_eq!(
        (d["seller"]["on_sale"].clone(), d["seller"]["sold"].clone()),
        (json!(1), json!(0))
    );

    let similar: Vec<Value> = app
        .call_as(
            &TestApp::new_client(),
            "listings/similar",
            &[("listing_id", &mine.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<u64> = similar.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert!(!ids.contains(&mine), "not itself");
    // Other copies of the same book (the demo data has some too) lead, cheapest first …
    let same_book = similar
        .iter()
        .take_while(|c| c["title"] == "채식주의자")
        .count();
    let prices: Vec<i64> = similar[..same_book]
        .iter()
        .map(|c| c["price"].as_i64().unwrap())
        .collect();
    assert!(prices.is_sorted(), "{prices:?}");
    assert!(ids[..same_book].contains(&cheaper) && ids[..same_book].contains(&dearer));
    // … then other books of the same category (한국문학 in the demo data), up to six.
    assert!(similar.len() <= 6);
    assert!(same_book < similar.len(), "the category fills the rest");
    assert!(
        similar[same_book..]
            .iter()
            .all(|c| c["title"] != "채식주의자" && c["status"] == "on_sale")
    );

    let html = app
        .get(&format!("/listings/{mine}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-test=\"seller-card\"") && html.contains("비슷한 책"));
}

#[sqlx::test]
async fn people_who_wished_this_also_wished(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let [a, b, c, d] = [
        list_book(&app, &seller, "9000").await,
        list_book(&app, &seller, "8000").await,
        list_book(&app, &seller, "7000").await,
        list_book(&app, &seller, "6000").await,
    ];
    let wish = |who: reqwest::Client, id: u64| {
        let app = &app;
        async move {
            let res = app
                .call_as(
                    &who,
                    "listings/wish",
                    &[("listing_id", &id.to_string()), ("wished", "true")],
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    let fans = [
        app.member("fan001", false).await,
        app.member("fan002", false).await,
        app.member("fan003", false).await,
    ];
    let stranger = app.member("stranger1", false).await;
    for fan in &fans {
        wish(fan.clone(), a).await;
    }
    wish(fans[0].clone(), b).await;
    wish(fans[1].clone(), b).await;
    wish(fans[2].clone(), c).await;
    wish(stranger.clone(), d).await;

    let also = |id: u64| {
        let app = &app;
        async move {
            let cards: Vec<Value> = app
                .call("listings/also_wished", &[("listing_id", &id.to_string())])
                .await
                .json()
                .await
                .unwrap();
            cards
                .iter()
                .map(|c| c["id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        also(a).await,
        [b, c],
        "two fans share b, one shares c; d is nobody's"
    );
    let res = app
        .call_as(
            &seller,
            "listings/status",
            &[("id", &b.to_string()), ("status", "sold")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(also(a).await, [c], "only books on sale");
}

/// A create repeated under the form's key (a double tap, or a retry after a lost answer)
/// finds the first listing; the key is the seller's own, and must be a UUID.
#[sqlx::test]
async fn a_repeated_create_under_its_key_finds_the_first_listing(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("keyseller", false).await;
    let other = app.member("otherseller", false).await;
    let key = "3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b";
    let keyed = |price: &str| {
        let mut f = form(price);
        f.push(("input[create_key]".into(), key.into()));
        f
    };
    let count = |who: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM listing l JOIN member m ON m.id = l.seller_id
                 WHERE m.login_id = ?",
            )
            .bind(who)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };

    let first: u64 = create(&app, &seller, &keyed("8000"))
        .await
        .json()
        .await
        .unwrap();
    let res = create(&app, &seller, &keyed("8000")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<u64>().await.unwrap(), first);
    assert_eq!(count("keyseller").await, 1);

    // Another seller's key space is their own; no key means a new listing each time.
    let theirs: u64 = create(&app, &other, &keyed("8000"))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(theirs, first);
    list_book(&app, &seller, "8000").await;
    list_book(&app, &seller, "8000").await;
    assert_eq!(count("keyseller").await, 3);

    let mut bad = form("8000");
    bad.push(("input[create_key]".into(), "twice-please".into()));
    assert_eq!(
        create(&app, &seller, &bad).await.status(),
        StatusCode::BAD_REQUEST
    );
}
