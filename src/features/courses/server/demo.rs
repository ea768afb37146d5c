//! Demo course filings (see `server::seed`).

use chrono::{DateTime, Utc};

use crate::server::db::Tx;

/// Demo course filings: school, course, professor (invented), ISBN of a demo book.
pub const DEMO_COURSES: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/seed/courses.tsv"));

/// Demo course filings, so "수업으로 교재 찾기" has something to find on a fresh demo.
pub async fn seed_courses(tx: &mut Tx<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    use crate::features::courses::{server::repo, types::CourseFiling};
    for (school, name, professor, isbn13) in demo_courses() {
        let school_id = sqlx::query_scalar!("SELECT id FROM school WHERE name = ?", school)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo course at unknown school {school}"))?;
        let filing = CourseFiling {
            school_id,
            name: name.to_owned(),
            professor: professor.to_owned(),
        };
        let course_id = repo::course_id_for(tx, &filing, None, now).await?;
        let filed = sqlx::query!(
            "INSERT INTO course_book (course_id, book_id, filed_at)
             SELECT ?, id, ? FROM book WHERE isbn13 = ? AND typed_by IS NULL",
            course_id,
            now.naive_utc(),
            isbn13
        )
        .execute(&mut **tx)
        .await?;
        anyhow::ensure!(
            filed.rows_affected() == 1,
            "demo course book {isbn13} missing"
        );
    }
    Ok(())
}

pub fn demo_courses()
-> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
    DEMO_COURSES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| match l.split('\t').collect::<Vec<_>>()[..] {
            [school, name, professor, isbn13] => Some((school, name, professor, isbn13)),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::catalog::server::demo::demo_books;

    #[test]
    fn every_demo_course_files_a_demo_book() {
        let isbns: Vec<_> = demo_books().map(|b| b.isbn13).collect();
        let courses: Vec<_> = demo_courses().collect();
        assert!(courses.len() >= 10, "{}", courses.len());
        for (school, name, professor, isbn13) in courses {
            assert!(
                isbns.contains(&isbn13),
                "{name}: {isbn13} is not a demo book"
            );
            let checked = crate::features::courses::types::check_course(Some(1), name, professor);
            assert!(matches!(checked, Ok(Some(_))), "{school} {name}");
        }
    }
}
