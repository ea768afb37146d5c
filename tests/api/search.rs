//! Search over the real index: recall on Korean particle-glued words, every filter and
//! sort, keyset pages.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use bread_book::features::catalog::types::isbn13_check_digit;

use crate::helpers::listings::pairs;
use crate::helpers::{TestApp, field_message};

/// A valid ISBN-13 in the 979-11 (Korean) range from a serial number.
fn isbn(serial: u32) -> String {
    let body = format!("97911{serial:07}");
    let check = isbn13_check_digit(&body);
    format!("{body}{check}")
}

struct Book<'a> {
    serial: u32,
    title: &'a str,
    category: u32,
    price: u32,
    condition: &'a str,
    parcel: bool,
}

fn sale_form(b: &Book<'_>) -> Vec<(String, String)> {
    let fields = [
        ("isbn", isbn(b.serial)),
        ("book_title", b.title.to_owned()),
        ("book_author", "김저자".to_owned()),
        ("book_publisher", "한빛미디어".to_owned()),
        ("category_id", b.category.to_string()),
        ("price", b.price.to_string()),
        ("condition", b.condition.to_owned()),
        ("parcel", b.parcel.to_string()),
        ("meet", (!b.parcel).to_string()),
        ("meet_label", "신촌역".to_owned()),
        ("pay_cash", "true".to_owned()),
    ];
    fields
        .into_iter()
        .map(|(k, v)| (format!("input[{k}]"), v))
        .collect()
}

async fn list(app: &TestApp, seller: &reqwest::Client, b: &Book<'_>) -> u64 {
    let form = sale_form(b);
    let res = app.call_as(seller, "listings/create", &pairs(&form)).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", b.title);
    res.json().await.unwrap()
}

async fn search(app: &TestApp, params: &[(&str, &str)]) -> Value {
    let form: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (format!("params[{k}]"), (*v).to_owned()))
        .collect();
    let res = app.call("search/listings", &pairs(&form)).await;
    assert_eq!(res.status(), StatusCode::OK, "{params:?}");
    res.json().await.unwrap()
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test]
async fn korean_words_are_found_with_or_without_particles(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("searcher1", false).await;
    let books = [
        "이것이 자바다",
        "자바스크립트 완벽 가이드",
        "토비의 스프링 3.1",
        "자바를 잡아라",
        "파이썬으로 배우는 알고리즘",
        "운영체제 아주 쉬운 세 가지 이야기",
        "경제학원론",
        "Clean Code 클린 코드",
        "꿈의 해석",
        "어린 왕자",
        "어린이 과학 동화",
        // 자 and 바 meet across a space here: not a match for 자바.
        "주식투자 바이블",
    ];
    for (i, title) in books.iter().enumerate() {
        let b = Book {
            serial: i as u32 + 1,
            title,
            category: 154,
            price: 10_000,
            condition: "good",
            parcel: true,
        };
        list(&app, &seller, &b).await;
    }
    // The recall list: every query must find exactly these titles.
    let cases: [(&str, &[&str]); 19] = [
        (
            "자바",
            &["자바를 잡아라", "자바스크립트 완벽 가이드", "이것이 자바다"],
        ),
        (
            "자바를",
            &["자바를 잡아라", "자바스크립트 완벽 가이드", "이것이 자바다"],
        ),
        ("토비", &["토비의 스프링 3.1"]),
        ("스프링", &["토비의 스프링 3.1"]),
        ("파이썬", &["파이썬으로 배우는 알고리즘"]),
        ("운영체제의", &["운영체제 아주 쉬운 세 가지 이야기"]),
        ("경제학에서", &["경제학원론"]),
        ("clean", &["Clean Code 클린 코드"]),
        ("CODE 클린", &["Clean Code 클린 코드"]),
        ("한빛미디어 자바다", &["이것이 자바다"]),
        // As Koreans type: no spaces, initial consonants, a particle on a short word,
        // and a word that only looks like it ends in one.
        ("이것이자바다", &["이것이 자바다"]),
        ("클린코드", &["Clean Code 클린 코드"]),
        ("주식투자바이블", &["주식투자 바이블"]),
        (
            "ㅈㅂ",
            &["자바를 잡아라", "자바스크립트 완벽 가이드", "이것이 자바다"],
        ),
        ("ㅋㄹㅋㄷ", &["Clean Code 클린 코드"]),
        ("꿈을", &["꿈의 해석"]),
        // A syllable split off by a stray space.
        (
            "자 바",
            &["자바를 잡아라", "자바스크립트 완벽 가이드", "이것이 자바다"],
        ),
        ("자바스크립 트", &["자바스크립트 완벽 가이드"]),
        ("어린이", &["어린이 과학 동화"]),
    ];
    for (query, expected) in cases {
        let mut found = titles(&search(&app, &[("q", query)]).await);
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        found.sort();
        expected.sort();
        assert_eq!(found, expected, "query {query}");
    }
    assert!(titles(&search(&app, &[("q", "러스트")]).await).is_empty());
    // One mistyped syllable: the results of the word meant, and the page says so.
    let cases: [(&str, &str, &[&str]); 3] = [
        ("파이선", "파이썬", &["파이썬으로 배우는 알고리즘"]),
        (
            "자바스트립트",
            "자바스크립트",
            &["자바스크립트 완벽 가이드"],
        ),
        (
            "파이선으로 알고리즘",
            "파이썬으로 알고리즘",
            &["파이썬으로 배우는 알고리즘"],
        ),
    ];
    for (typed, meant, expected) in cases {
        let page = search(&app, &[("q", typed)]).await;
        let mut found = titles(&page);
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(found, expected, "{typed}");
        assert_eq!(page["searched_instead"], meant, "{typed}");
    }
    assert!(search(&app, &[("q", "자바")]).await["searched_instead"].is_null());
    // Further off: nothing, but the book it most resembles is suggested.
    let typo = search(&app, &[("q", "쟈바스크립투")]).await;
    assert!(titles(&typo).is_empty());
    assert!(typo["searched_instead"].is_null());
    assert_eq!(typo["suggestion"], "자바스크립트 완벽 가이드");
    assert!(search(&app, &[("q", "러스트 입문서")]).await["suggestion"].is_null());
    // An ISBN, hyphenated or not, finds its listing.
    let hyphenated = format!("{}-{}-{}", &isbn(3)[..3], &isbn(3)[3..5], &isbn(3)[5..]);
    assert_eq!(
        titles(&search(&app, &[("q", &hyphenated)]).await),
        ["토비의 스프링 3.1"]
    );
    // The header search box uses the same engine.
    let res: Vec<Value> = app
        .call("listings/search", &[("query", "자바")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(res.len(), 3);
}

#[sqlx::test]
async fn filters_sorts_and_keyset_pages(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("searcher2", false).await;
    let mut ids = Vec::new();
    // 25 자료구조 books: prices 1,000 … 25,000; alternately 상/하, parcel/meet; every
    // fifth filed under 한국문학 instead of 컴퓨터공학과.
    for i in 0..25u32 {
        let b = Book {
            serial: 100 + i,
            title: "자료구조 입문",
            category: if i % 5 == 0 { 141 } else { 154 },
            price: (i + 1) * 1000,
            condition: if i % 2 == 0 { "good" } else { "poor" },
            parcel: i % 2 == 0,
        };
        ids.push(list(&app, &seller, &b).await);
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let id_list = |page: &Value| -> Vec<u64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_u64().unwrap())
            .collect()
    };

    // Newest first, 20 a page, the cursor leads to the rest without overlap.
    let first = search(&app, &[("q", "자료구조")]).await;
    let page1 = id_list(&first);
    assert_eq!(page1.len(), 20);
    assert!(page1.windows(2).all(|w| w[0] > w[1]));
    let next = &first["next"];
    let second = search(
        &app,
        &[
            ("q", "자료구조"),
            ("after][id", &next["id"].to_string()),
            ("after][price", &next["price"].to_string()),
        ],
    )
    .await;
    let page2 = id_list(&second);
    assert_eq!(page2.len(), 5);
    assert!(second["next"].is_null());
    let all: HashSet<u64> = page1.iter().chain(&page2).copied().collect();
    assert_eq!(all, ids.iter().copied().collect::<HashSet<_>>());

    // Price ascending across two pages.
    let p1 = search(&app, &[("q", "자료구조"), ("sort", "price_asc")]).await;
    let n = &p1["next"];
    let p2 = search(
        &app,
        &[
            ("q", "자료구조"),
            ("sort", "price_asc"),
            ("after][id", &n["id"].to_string()),
            ("after][price", &n["price"].to_string()),
        ],
    )
    .await;
    let prices: Vec<i64> = p1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["items"].as_array().unwrap())
        .map(|c| c["price"].as_i64().unwrap())
        .collect();
    assert_eq!(prices, (1..=25).map(|k| k * 1000).collect::<Vec<i64>>());
    let desc = search(&app, &[("q", "자료구조"), ("sort", "price_desc")]).await;
    assert_eq!(desc["items"][0]["price"], 25_000);

    // Category subtree: 대학교재 (152) holds 컴퓨터공학과 (154); 문학 (140) holds 한국문학.
    assert_eq!(
        id_list(&search(&app, &[("q", "자료구조"), ("category", "152")]).await).len(),
        20
    );
    assert_eq!(
        id_list(&search(&app, &[("q", "자료구조"), ("category", "140")]).await).len(),
        5
    );
    // Price range, condition, delivery; and all of them at once with a sort.
    let ranged = search(
        &app,
        &[
            ("q", "자료구조"),
            ("min_price", "5000"),
            ("max_price", "9000"),
        ],
    )
    .await;
    assert_eq!(id_list(&ranged).len(), 5);
    let good = search(&app, &[("q", "자료구조"), ("condition", "good")]).await;
    assert!(
        good["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["condition"] == "good")
    );
    assert_eq!(id_list(&good).len(), 13);
    let parcel = search(&app, &[("q", "자료구조"), ("parcel", "true")]).await;
    assert!(
        parcel["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["parcel"] == true)
    );
    let meet = search(&app, &[("q", "자료구조"), ("meet", "true")]).await;
    assert_eq!(id_list(&meet).len(), 12);
    let combined = search(
        &app,
        &[
            ("q", "자료구조"),
            ("category", "152"),
            ("max_price", "10000"),
            ("condition", "good"),
            ("sort", "price_desc"),
        ],
    )
    .await;
    let combined: Vec<i64> = combined["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["price"].as_i64().unwrap())
        .collect();
    assert_eq!(combined, [9000, 7000, 5000, 3000]);

    // Publication years (books typed in by hand have no date until someone adds it).
    for i in 0..10u32 {
        sqlx::query!(
            "UPDATE book SET published_on = '2019-03-01' WHERE isbn13 = ?",
            isbn(100 + i)
        )
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let years = search(
        &app,
        &[
            ("q", "자료구조"),
            ("year_from", "2018"),
            ("year_to", "2019"),
        ],
    )
    .await;
    assert_eq!(id_list(&years).len(), 10);
    assert_eq!(
        id_list(&search(&app, &[("q", "자료구조"), ("year_from", "2020")]).await).len(),
        0
    );

    // Sold listings drop out; filters alone (no words) browse.
    app.call_as(
        &seller,
        "listings/status",
        &[("id", &ids[24].to_string()), ("status", "sold")],
    )
    .await;
    assert_eq!(
        id_list(&search(&app, &[("q", "자료구조"), ("min_price", "25000")]).await).len(),
        0
    );
    assert_eq!(
        id_list(&search(&app, &[("category", "140")]).await).len(),
        5
    );

    let res = app
        .call(
            "search/listings",
            &[("params[min_price]", "9000"), ("params[max_price]", "1000")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&res.json().await.unwrap(), "price").is_some());
}

#[sqlx::test]
async fn a_new_price_moves_the_listing_in_price_searches(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("searcher3", false).await;
    let mut book = Book {
        serial: 500,
        title: "알고리즘 문제 해결 전략",
        category: 157,
        price: 5000,
        condition: "fair",
        parcel: true,
    };
    let id = list(&app, &seller, &book).await;
    let cheap = [
        ("q", "알고리즘"),
        ("max_price", "10000"),
        ("sort", "price_asc"),
    ];
    assert_eq!(titles(&search(&app, &cheap).await).len(), 1);

    book.price = 50_000;
    let mut form = sale_form(&book);
    form.push(("input[version]".into(), "0".into()));
    form.push(("id".into(), id.to_string()));
    let res = app.call_as(&seller, "listings/update", &pairs(&form)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        titles(&search(&app, &cheap).await).is_empty(),
        "the old price is gone from the index"
    );
    let dear = search(
        &app,
        &[
            ("q", "알고리즘"),
            ("min_price", "40000"),
            ("sort", "price_desc"),
        ],
    )
    .await;
    assert_eq!(dear["items"][0]["id"], id);
    assert_eq!(dear["items"][0]["price"], 50_000);
}

#[sqlx::test]
async fn seller_grade_filters_and_sorts_with_keyset_pages(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    // Three sellers whose trust scores differ (set directly: how scores are earned is
    // tested with the orders).
    let mut sellers = Vec::new();
    for (login, score) in [("grade2s", 50u16), ("grade4s", 75), ("grade5s", 90)] {
        let client = app.member(login, false).await;
        sqlx::query!(
            "UPDATE member SET trust_score = ? WHERE login_id = ?",
            score,
            login
        )
        .execute(&app.pool)
        .await
        .unwrap();
        sellers.push((client, score));
    }
    // 8 listings each, interleaved in time.
    let mut by_score: Vec<(u16, u64)> = Vec::new();
    for i in 0..8u32 {
        for (n, (client, score)) in sellers.iter().enumerate() {
            let b = Book {
                serial: 500 + i * 3 + n as u32,
                title: "운영체제 공룡책",
                category: 154,
                price: 10_000,
                condition: "good",
                parcel: true,
            };
            by_score.push((*score, list(&app, client, &b).await));
            app.clock.advance(chrono::Duration::seconds(1));
        }
    }

    // The filter: 식빵(4) 이상 leaves the two better sellers' 16 listings.
    let page = search(&app, &[("q", "운영체제"), ("min_grade", "4")]).await;
    let scores: Vec<u64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["seller_trust"].as_u64().unwrap())
        .collect();
    assert_eq!(scores.len(), 16);
    assert!(scores.iter().all(|s| *s >= 70));
    let page = search(&app, &[("q", "운영체제"), ("min_grade", "5")]).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 8);

    // The sort: highest score first, newest among equals, across two pages.
    let mut expected = by_score.clone();
    expected.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let expected: Vec<u64> = expected.into_iter().map(|(_, id)| id).collect();
    let first = search(&app, &[("q", "운영체제"), ("sort", "trust")]).await;
    let next = &first["next"];
    let second = search(
        &app,
        &[
            ("q", "운영체제"),
            ("sort", "trust"),
            ("after][id", &next["id"].to_string()),
            ("after][price", &next["price"].to_string()),
            ("after][trust", &next["trust"].to_string()),
        ],
    )
    .await;
    let got: Vec<u64> = [&first, &second]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(got, expected);

    // The page shows the grade on each card and keeps both in its URL.
    let html = app
        .get("/search?q=%EC%9A%B4%EC%98%81%EC%B2%B4%EC%A0%9C&grade=4&sort=trust")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-test=\"grade-chip\" data-grade=\"5\""));
    assert!(!html.contains("data-grade=\"2\""));
}

#[sqlx::test]
async fn nearest_meet_places_first_with_their_distance(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("nearseller", false).await;
    let list_at = |serial: u32, lat: Option<f64>| {
        let app = &app;
        let seller = seller.clone();
        async move {
            let b = Book {
                serial,
                title: "컴퓨터 네트워크",
                category: 154,
                price: 10_000,
                condition: "good",
                parcel: lat.is_none(),
            };
            let mut form = sale_form(&b);
            if let Some(lat) = lat {
                form.push(("input[meet_lat]".into(), lat.to_string()));
                form.push(("input[meet_lng]".into(), "126.9368".into()));
            }
            let res = app.call_as(&seller, "listings/create", &pairs(&form)).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<u64>().await.unwrap()
        }
    };
    // 22 places going north from 신촌역 in ~222 m steps, listed farthest first so
    // distance order is not id order; one in Busan; one parcel-only (no place).
    let mut near_ids = Vec::new();
    for i in (0..22u32).rev() {
        near_ids.push((
            i,
            list_at(700 + i * 2, Some(37.5551 + f64::from(i) * 0.002)).await,
        ));
    }
    near_ids.sort();
    let busan = list_at(760, Some(35.2298)).await;
    let parcel = list_at(762, None).await;

    let at_sinchon = [
        ("q", "네트워크"),
        ("sort", "distance"),
        ("near][lat_e6", "37555100"),
        ("near][lng_e6", "126936800"),
    ];
    let first = search(&app, &at_sinchon).await;
    let items = first["items"].as_array().unwrap();
    let ids: Vec<u64> = items.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert_eq!(
        ids,
        near_ids[..20].iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );
    assert_eq!(items[0]["distance_m"], 0);
    let d1 = items[1]["distance_m"].as_u64().unwrap();
    assert!((215..=230).contains(&d1), "{d1} m for 0.002° of latitude");
    let next = &first["next"];
    let mut page2 = at_sinchon.to_vec();
    let (id, price, m) = (
        next["id"].to_string(),
        next["price"].to_string(),
        next["distance_m"].to_string(),
    );
    page2.extend([
        ("after][id", id.as_str()),
        ("after][price", price.as_str()),
        ("after][distance_m", m.as_str()),
    ]);
    let second = search(&app, &page2).await;
    let rest: Vec<u64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rest,
        near_ids[20..].iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );
    assert!(
        !ids.contains(&busan) && !rest.contains(&busan),
        "Busan is beyond 50 km"
    );
    assert!(
        !ids.contains(&parcel) && !rest.contains(&parcel),
        "no place, no distance"
    );

    // With no words the place index drives (rings around the searcher): same order.
    let rings = [
        ("sort", "distance"),
        ("near][lat_e6", "37555100"),
        ("near][lng_e6", "126936800"),
    ];
    let first = search(&app, &rings).await;
    let ids: Vec<u64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ids,
        near_ids[..20].iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );
    let next = &first["next"];
    let mut page2 = rings.to_vec();
    let (id, price, m) = (
        next["id"].to_string(),
        next["price"].to_string(),
        next["distance_m"].to_string(),
    );
    page2.extend([
        ("after][id", id.as_str()),
        ("after][price", price.as_str()),
        ("after][distance_m", m.as_str()),
    ]);
    let second = search(&app, &page2).await;
    let rest: Vec<u64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rest,
        near_ids[20..].iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );

    // Without a position the sort falls back to newest; other sorts still label distance.
    let fallback = search(&app, &[("q", "네트워크"), ("sort", "distance")]).await;
    assert_eq!(fallback["items"].as_array().unwrap().len(), 20);
    let newest = search(
        &app,
        &[
            ("q", "네트워크"),
            ("near][lat_e6", "37555100"),
            ("near][lng_e6", "126936800"),
        ],
    )
    .await;
    assert_eq!(newest["items"][0]["id"], parcel);
    assert_eq!(newest["items"][0]["distance_m"], Value::Null);
    assert!(
        newest["items"][1]["distance_m"].as_u64().unwrap() > 250_000,
        "Busan"
    );

    // The page labels each card, from a URL with the position in it.
    let html = app
        .get(
            "/search?q=%EB%84%A4%ED%8A%B8%EC%9B%8C%ED%81%AC&sort=distance&lat=37.5551&lng=126.9368",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(">0m<") && html.contains(">220m<"),
        "distance labels"
    );
}
