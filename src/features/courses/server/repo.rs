use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use crate::error::AppResult;
use crate::features::courses::types::{
    COURSE_RESULTS, CourseBook, CourseFiling, CourseResult, CourseTag, School,
};

pub async fn schools(pool: &MySqlPool) -> AppResult<Vec<School>> {
    Ok(sqlx::query_as!(
        School,
        "SELECT id, name, short_name, region FROM school ORDER BY name"
    )
    .fetch_all(pool)
    .await?)
}

pub async fn school(pool: &MySqlPool, id: u32) -> AppResult<Option<School>> {
    Ok(sqlx::query_as!(
        School,
        "SELECT id, name, short_name, region FROM school WHERE id = ?",
        id
    )
    .fetch_optional(pool)
    .await?)
}

/// Files a listing's book under a course, making the course on first use. Filing the same book
/// under the same course again changes nothing (both are unique keys, so two sellers
/// filing at once on different Galera nodes cannot make two courses either).
pub async fn file_listing_book(
    tx: &mut Transaction<'_, MySql>,
    course: &CourseFiling,
    listing_id: u64,
    member_id: u64,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let course_id = course_id_for(tx, course, Some(member_id), now).await?;
    sqlx::query!(
        "INSERT IGNORE INTO course_book (course_id, book_id, filed_by, filed_at)
         SELECT ?, book_id, ?, ? FROM listing WHERE id = ?",
        course_id,
        member_id,
        now.naive_utc(),
        listing_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(course_id)
}

/// The course's id, made on first use.
pub async fn course_id_for(
    tx: &mut Transaction<'_, MySql>,
    course: &CourseFiling,
    member_id: Option<u64>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    // LAST_INSERT_ID(id) makes the duplicate case report the existing course.
    Ok(sqlx::query!(
        "INSERT INTO course (school_id, name, professor, created_by, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
        course.school_id,
        course.name,
        course.professor,
        member_id,
        now.naive_utc()
    )
    .execute(&mut **tx)
    .await?
    .last_insert_id())
}

/// `LIKE` needs its own wildcards escaped to match them literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A school's courses whose name or professor contains `text` (all of them when it is
/// empty), each with its filed books and what is on sale for them.
///
/// A substring `LIKE` rather than the search index: a lookup always names the school,
/// and `uq_course` puts one school's courses (a few thousand at the largest
/// universities) together, so the scan is bounded by one school and needs no tokenizer
/// for partial names ("자료" → "자료구조", "민수" → "김민수").
pub async fn lookup(
    pool: &MySqlPool,
    school_id: u32,
    text: &str,
) -> AppResult<(Vec<CourseResult>, bool)> {
    let pattern = contains_pattern(text);
    let rows = sqlx::query!(
        "SELECT c.id AS course_id, c.name, c.professor,
                b.isbn13 AS `isbn13?`, b.title AS `title?`, b.author AS `author?`,
                b.publisher AS `publisher?`,
                (SELECT COUNT(*) FROM listing l
                  WHERE l.book_id = b.id AND l.status = 'on_sale') AS `on_sale: i64`,
                (SELECT MIN(l.price) FROM listing l
                  WHERE l.book_id = b.id AND l.status = 'on_sale') AS `lowest: u32`
         FROM (SELECT id, name, professor FROM course
                WHERE school_id = ? AND (name LIKE ? OR professor LIKE ?)
                ORDER BY name, professor, id
                LIMIT ?) c
         LEFT JOIN course_book cb ON cb.course_id = c.id
         LEFT JOIN book b ON b.id = cb.book_id
         ORDER BY c.name, c.professor, c.id, b.title",
        school_id,
        pattern,
        pattern,
        (COURSE_RESULTS + 1) as u32
    )
    .fetch_all(pool)
    .await?;
    let mut courses: Vec<CourseResult> = Vec::new();
    for row in rows {
        if courses.last().is_none_or(|c| c.id != row.course_id) {
            courses.push(CourseResult {
                id: row.course_id,
                name: row.name,
                professor: row.professor,
                books: Vec::new(),
            });
        }
        if let (Some(isbn13), Some(title), Some(author), Some(publisher), Some(course)) = (
            row.isbn13,
            row.title,
            row.author,
            row.publisher,
            courses.last_mut(),
        ) {
            course.books.push(CourseBook {
                isbn13,
                title,
                author,
                publisher,
                on_sale: row.on_sale.unwrap_or(0) as u32,
                lowest_price: row.lowest.map(i64::from),
            });
        }
    }
    let more = courses.len() > COURSE_RESULTS;
    courses.truncate(COURSE_RESULTS);
    Ok((courses, more))
}

/// The courses a book is filed under (the listing page's "이 수업 교재").
pub async fn courses_of_book(pool: &MySqlPool, isbn13: &str) -> AppResult<Vec<CourseTag>> {
    Ok(sqlx::query_as!(
        CourseTag,
        "SELECT s.id AS school_id, s.short_name AS school_short, c.name, c.professor
         FROM book b
         JOIN course_book cb ON cb.book_id = b.id
         JOIN course c ON c.id = cb.course_id
         JOIN school s ON s.id = c.school_id
         WHERE b.isbn13 = ?
         ORDER BY cb.filed_at DESC
         LIMIT 6",
        isbn13
    )
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern("자료"), "%자료%");
        assert_eq!(contains_pattern("100%_a\\"), "%100\\%\\_a\\\\%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
