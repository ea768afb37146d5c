//! Course lookup: sellers file a book under (school, course, professor) when they list
//! it; anyone finds it by school + part of the course name or the professor's name.

use reqwest::StatusCode;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::listings::{create, detail, form, seeded};
use crate::helpers::{TestApp, field_message};

const HANYANG: &str = "7";
const SNU: &str = "1";

fn with_course(price: &str, school: &str, name: &str, professor: &str) -> Vec<(String, String)> {
    let mut f = form(price);
    for (k, v) in [
        ("course_school_id", school),
        ("course_name", name),
        ("course_professor", professor),
    ] {
        if !v.is_empty() {
            f.push((format!("input[{k}]"), v.to_owned()));
        }
    }
    f
}

async fn find(app: &TestApp, school: &str, q: &str) -> Value {
    let res = app
        .call_as(
            &TestApp::new_client(),
            "courses/find",
            &[("school", school), ("q", q)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{school} {q}");
    res.json().await.unwrap()
}

/// (course name, professor, [isbn13 of its books]) in the order shown.
fn courses(found: &Value) -> Vec<(String, String, Vec<String>)> {
    found["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["professor"].as_str().unwrap().to_owned(),
                c["books"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["isbn13"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[sqlx::test]
async fn a_book_filed_under_a_course_is_found_by_course_name_or_professor(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let other_seller = app.member("seller02", false).await;

    let schools: Value = app
        .call_as(&TestApp::new_client(), "courses/schools", &[])
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = schools
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.len() >= 40 && names.contains(&"한양대학교"),
        "{names:?}"
    );

    // Spaces are tidied and "교수님" dropped, so the lookup matches what students type.
    let res = create(
        &app,
        &seller,
        &with_course("9000", HANYANG, "  자료   구조 ", "김민수 교수님"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listing: u64 = res.json().await.unwrap();
    let filed = (
        "자료 구조".to_owned(),
        "김민수".to_owned(),
        vec!["9788936433598".to_owned()],
    );
    for q in ["자료", "구조", "민수", "김민수 교수님", "자료 구조"] {
        assert_eq!(
            courses(&find(&app, HANYANG, q).await),
            std::slice::from_ref(&filed),
            "{q}"
        );
    }
    // What is on sale for the book: every 채식주의자 listing, the cheapest first.
    let on_sale: (i64, Option<u32>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(l.price) FROM listing l JOIN book b ON b.id = l.book_id
         WHERE b.isbn13 = '9788936433598' AND l.status = 'on_sale'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let book = &find(&app, HANYANG, "자료").await["courses"][0]["books"][0];
    assert_eq!(book["on_sale"].as_i64(), Some(on_sale.0));
    assert_eq!(book["lowest_price"].as_u64(), on_sale.1.map(u64::from));
    assert_eq!(book["title"], "채식주의자");

    // Another school, another course; LIKE wildcards are only characters.
    assert!(courses(&find(&app, SNU, "자료").await).is_empty());
    assert!(courses(&find(&app, HANYANG, "%").await).is_empty());
    assert!(courses(&find(&app, HANYANG, "자_").await).is_empty());

    // The same filing again (another seller) is still one course with one book; another
    // professor is another course.
    let res = create(
        &app,
        &other_seller,
        &with_course("8000", HANYANG, "자료 구조", "김민수"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = create(
        &app,
        &other_seller,
        &with_course("8500", HANYANG, "자료 구조", "이서연"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let found = courses(&find(&app, HANYANG, "자료 구조").await);
    assert_eq!(
        found.iter().map(|c| c.1.as_str()).collect::<Vec<_>>(),
        ["김민수", "이서연"]
    );
    assert!(found.iter().all(|c| c.2.len() == 1));
    let (course_rows, filings): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM course WHERE school_id = 7 AND name = '자료 구조'),
                (SELECT COUNT(*) FROM course_book cb JOIN course c ON c.id = cb.course_id
                  WHERE c.school_id = 7 AND c.name = '자료 구조')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((course_rows, filings), (2, 2));

    // Everything at the school when nothing is typed: the demo's course too.
    let all = courses(&find(&app, HANYANG, "").await);
    assert!(all.iter().any(|c| c.0 == "객체지향프로그래밍"), "{all:?}");
    assert!(all.len() >= 3);

    // The listing page names the course and links to the lookup.
    let page: Value = detail(&app, &TestApp::new_client(), listing)
        .await
        .json()
        .await
        .unwrap();
    let tags = page["courses"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["school_short"] == "한양대" && t["name"] == "자료 구조"),
        "{tags:?}"
    );

    // An unknown school is a field error, not an empty answer.
    let res = app
        .call_as(
            &TestApp::new_client(),
            "courses/find",
            &[("school", "9999"), ("q", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_message(&res.json().await.unwrap(), "school").is_some());
}

#[sqlx::test]
async fn the_demo_files_textbooks_under_courses(pool: MySqlPool) {
    let app = seeded(pool).await;
    let found = courses(&find(&app, SNU, "김하늘 교수님").await);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "컴퓨터의 개념 및 실습");
    assert_eq!(found[0].2.len(), 2, "{found:?}");
    // One book, two schools' courses.
    let kaist = courses(&find(&app, "4", "운영체제").await);
    let yonsei = courses(&find(&app, "2", "운영체제").await);
    assert!(kaist[0].2.contains(&"9788979149883".to_owned()));
    assert!(yonsei[0].2.contains(&"9788979149883".to_owned()));
}

#[sqlx::test]
async fn course_fields_are_checked_with_the_listing_and_editing_adds_a_course(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("seller01", false).await;
    let listings_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let long_professor = "가".repeat(41);
    for (school, name, professor, field) in [
        ("", "자료구조", "", "course_school"),
        (HANYANG, "", "김민수", "course_name"),
        (HANYANG, "자", "", "course_name"),
        (
            HANYANG,
            "자료구조",
            long_professor.as_str(),
            "course_professor",
        ),
        ("9999", "자료구조", "", "course_school"),
    ] {
        let res = create(&app, &seller, &with_course("9000", school, name, professor)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let body = res.json().await.unwrap();
        assert!(field_message(&body, field).is_some(), "{field}: {body}");
    }
    let listings_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM listing")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        listings_after, listings_before,
        "a refused form lists nothing"
    );

    // A listing without a course, then its owner files it under one while editing;
    // another member cannot.
    let res = create(&app, &seller, &form("9000")).await;
    let listing: u64 = res.json().await.unwrap();
    let mut edit = with_course("9500", SNU, "현대소설론", "");
    edit.push(("input[version]".into(), "0".into()));
    edit.push(("id".into(), listing.to_string()));
    let edit_pairs = crate::helpers::listings::pairs(&edit);
    let stranger = app.member("stranger01", false).await;
    let res = app.call_as(&stranger, "listings/update", &edit_pairs).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(courses(&find(&app, SNU, "현대소설론").await).is_empty());
    let res = app.call_as(&seller, "listings/update", &edit_pairs).await;
    assert_eq!(res.status(), StatusCode::OK);
    let found = courses(&find(&app, SNU, "현대소설").await);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, "");
}
