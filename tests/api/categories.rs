use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::TestApp;

async fn seeded(pool: MySqlPool) -> TestApp {
    let app = TestApp::spawn(pool).await;
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    app
}

async fn json(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let res = app.call(endpoint, form).await;
    assert_eq!(res.status(), StatusCode::OK, "{endpoint} {form:?}");
    res.json().await.unwrap()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test]
async fn the_tree_opens_level_by_level(pool: MySqlPool) {
    let app = seeded(pool).await;
    let roots = json(&app, "catalog/categories", &[]).await;
    assert_eq!(
        names(&roots),
        [
            "총류",
            "철학",
            "종교",
            "사회과학",
            "자연과학",
            "기술과학",
            "예술",
            "언어",
            "문학",
            "역사",
            "대학교재"
        ]
    );
    assert!(
        roots
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["has_children"] == true && c["depth"] == 0)
    );

    let colleges = json(&app, "catalog/categories", &[("parent", "152")]).await;
    assert_eq!(
        names(&colleges),
        [
            "공과대학",
            "자연과학대학",
            "경영대학",
            "사회과학대학",
            "인문대학",
            "교양"
        ]
    );
    let majors = json(&app, "catalog/categories", &[("parent", "153")]).await;
    assert_eq!(names(&majors)[0], "컴퓨터공학과");
    let courses = json(
        &app,
        "catalog/categories",
        &[("parent", majors[0]["id"].to_string().as_str())],
    )
    .await;
    assert!(names(&courses).contains(&"자료구조".to_owned()));
    assert!(
        courses
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["has_children"] == false && c["depth"] == 3)
    );

    let data_structures = courses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "자료구조")
        .unwrap();
    let trail = json(
        &app,
        "catalog/category-trail",
        &[("id", data_structures["id"].to_string().as_str())],
    )
    .await;
    assert_eq!(
        names(&trail),
        ["대학교재", "공과대학", "컴퓨터공학과", "자료구조"]
    );

    let res = app.call("catalog/category-trail", &[("id", "99999")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn everything_under_a_category_is_its_whole_subtree(pool: MySqlPool) {
    let app = seeded(pool).await;
    let expected_count = |root: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar!(
                "SELECT COUNT(*) FROM listing l JOIN category c ON c.id = l.category_id
                 WHERE l.status = 'on_sale' AND c.path LIKE CONCAT('/', ?, '/%')",
                root
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    // 대학교재 (152): textbooks filed three levels down are included.
    let textbooks = json(&app, "catalog/category-listings", &[("id", "152")]).await;
    let titles: Vec<&str> = textbooks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert!(titles.iter().any(|t| t.contains("운영체제")), "{titles:?}");
    assert!(!titles.contains(&"채식주의자"), "{titles:?}");
    assert_eq!(titles.len() as i64, expected_count("152").await);

    let literature = json(&app, "catalog/category-listings", &[("id", "140")]).await;
    let titles: Vec<&str> = literature
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"채식주의자"), "{titles:?}");
    assert_eq!(titles.len() as i64, expected_count("140").await);
    assert!(titles.len() >= 10);

    let res = app
        .call("catalog/category-listings", &[("id", "99999")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn the_subtree_query_is_an_index_range_on_the_path(pool: MySqlPool) {
    let app = seeded(pool).await;
    use sqlx::Row;
    // EXPLAIN's columns vary by server version: read them by name.
    let plan: Vec<(Option<String>, Option<String>, Option<String>)> = sqlx::query(
        "EXPLAIN SELECT l.id FROM category c
         JOIN listing l ON l.category_id = c.id AND l.status = 'on_sale'
         WHERE c.path LIKE CONCAT('/152/', '%')",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("table").ok(),
            r.try_get("type").ok(),
            r.try_get("key").ok(),
        )
    })
    .collect();
    let category = plan
        .iter()
        .find(|(t, _, _)| t.as_deref() == Some("c"))
        .expect("category in plan");
    assert_eq!(category.1.as_deref(), Some("range"), "{plan:?}");
    assert_eq!(category.2.as_deref(), Some("ix_category_path"), "{plan:?}");
    let listing = plan
        .iter()
        .find(|(t, _, _)| t.as_deref() == Some("l"))
        .expect("listing in plan");
    assert_eq!(listing.1.as_deref(), Some("ref"), "{plan:?}");
}

#[sqlx::test]
async fn category_pages_render_on_the_server(pool: MySqlPool) {
    let app = seeded(pool).await;
    let html = app.get("/categories").await.text().await.unwrap();
    assert!(html.contains("대학교재") && html.contains("문학"));
    let res = app.get("/categories/152").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("공과대학"), "children listed");
    assert!(html.contains("listing-card"), "listings of the subtree");
    assert_eq!(
        app.get("/categories/99999").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn demo_listings_that_lost_their_category_are_filed_again(pool: MySqlPool) {
    let app = seeded(pool).await;
    sqlx::query!("UPDATE listing SET category_id = NULL WHERE id % 2 = 0")
        .execute(&app.pool)
        .await
        .unwrap();
    bread_book::server::seed::seed_demo_if_empty(&app.pool, &app.clock)
        .await
        .unwrap();
    let uncategorised =
        sqlx::query_scalar!("SELECT COUNT(*) FROM listing WHERE category_id IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(uncategorised, 0);
}
