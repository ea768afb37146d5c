//! Wanted alerts: a saved search or ISBN; new listings that match are stored as hits.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::listings::{form, list_book, pairs, seeded};
use crate::helpers::{TestApp, field_message};

async fn save(app: &TestApp, who: &reqwest::Client, query: &str, isbn: &str) -> reqwest::Response {
    app.call_as(who, "alerts/save", &[("query", query), ("isbn", isbn)])
        .await
}

async fn page(app: &TestApp, who: &reqwest::Client) -> Value {
    let res = app.call_as(who, "alerts/list", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn hit_ids(p: &Value) -> Vec<u64> {
    p["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["card"]["id"].as_u64().unwrap())
        .collect()
}

#[sqlx::test]
async fn a_saved_search_or_isbn_collects_new_matching_listings(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let buyer = app.member("buyer01", false).await;

    // Visitors must log in; nonsense is refused with a reason.
    let anonymous = TestApp::new_client();
    for endpoint in ["alerts/list", "alerts/seen"] {
        let res = app.call_as(&anonymous, endpoint, &[]).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
    }
    let res = app
        .call_as(&anonymous, "alerts/delete", &[("id", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        save(&app, &anonymous, "채식주의자", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = save(&app, &buyer, "!!", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&res.json().await.unwrap(), "query").is_some());
    let res = save(&app, &buyer, "", "978893643359X").await;
    assert!(field_message(&res.json().await.unwrap(), "isbn").is_some());

    // A search with a particle glued on, and the same search again: one alert.
    let saved = |query: &'static str, isbn: &'static str| {
        let (app, buyer) = (&app, buyer.clone());
        async move {
            let res = save(app, &buyer, query, isbn).await;
            assert_eq!(res.status(), StatusCode::OK, "{query}{isbn}");
            res.json::<u64>().await.unwrap()
        }
    };
    let by_words = saved("채식주의자를", "").await;
    assert_eq!(saved("채식주의자를", "").await, by_words);
    let by_isbn = saved("", "978-89-364-3359-8").await;
    let unrelated = saved("자료구조", "").await;
    assert_eq!(
        page(&app, &buyer).await["alerts"].as_array().unwrap().len(),
        3
    );

    // Listed after the alerts: it matches the words and the ISBN, not 자료구조.
    let listing = list_book(&app, &seller, "9000").await;
    let p = page(&app, &buyer).await;
    assert_eq!(hit_ids(&p), [listing, listing]);
    let unseen = |id: u64| {
        p["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()["unseen"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (unseen(by_words), unseen(by_isbn), unseen(unrelated)),
        (1, 1, 0)
    );
    let unseen_total = || async {
        app.call_as(&buyer, "alerts/unseen", &[])
            .await
            .json::<u32>()
            .await
            .unwrap()
    };
    assert_eq!(unseen_total().await, 2);
    app.call_as(&buyer, "alerts/seen", &[]).await;
    assert_eq!(unseen_total().await, 0);

    // A member is not alerted to their own listing.
    let own = app
        .call_as(&buyer, "listings/create", &pairs(&form("8000")))
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(hit_ids(&page(&app, &buyer).await).len(), 2);

    // Only the owner deletes an alert; its hits go with it.
    let other = app.member("other01", false).await;
    let res = app
        .call_as(&other, "alerts/delete", &[("id", &by_words.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call_as(&buyer, "alerts/delete", &[("id", &by_words.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = page(&app, &buyer).await;
    assert_eq!(p["alerts"].as_array().unwrap().len(), 2);
    assert_eq!(hit_ids(&p), [listing]);
    assert_eq!(
        page(&app, &other).await["alerts"].as_array().unwrap().len(),
        0
    );
}
