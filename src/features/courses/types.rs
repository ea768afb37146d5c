use serde::{Deserialize, Serialize};

pub const MAX_COURSE_NAME_CHARS: usize = 80;
pub const MAX_PROFESSOR_CHARS: usize = 40;
/// Courses shown for one lookup; a school's matches beyond this need a sharper query.
pub const COURSE_RESULTS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub id: u32,
    pub name: String,
    pub short_name: String,
    pub region: String,
}

/// A course a book is filed under, as validated from the sale form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseFiling {
    pub school_id: u32,
    pub name: String,
    /// Empty when the seller does not know.
    pub professor: String,
}

/// Spaces collapsed, so "자료  구조 " and "자료 구조" are one course.
fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "김민수 교수님", "김민수 교수" and "김민수" name the same person.
pub fn professor_name(raw: &str) -> String {
    let tidy = tidy(raw);
    let bare = ["교수님", "교수"]
        .iter()
        .find_map(|suffix| tidy.strip_suffix(suffix))
        .unwrap_or(&tidy);
    bare.trim_end().to_owned()
}

/// The optional "수업 교재로 등록" part of the sale form: nothing, or a school and a
/// course name (the professor is optional). Problems come back per field.
pub fn check_course(
    school_id: Option<u32>,
    name: &str,
    professor: &str,
) -> Result<Option<CourseFiling>, Vec<(&'static str, String)>> {
    let name = tidy(name);
    let professor = professor_name(professor);
    let mut errors = Vec::new();
    if school_id.is_none() && name.is_empty() && professor.is_empty() {
        return Ok(None);
    }
    if school_id.is_none() {
        errors.push(("course_school", "학교를 골라 주세요.".to_owned()));
    }
    let name_chars = name.chars().count();
    if name_chars == 0 {
        errors.push(("course_name", "수업 이름을 입력해 주세요.".to_owned()));
    } else if name_chars < 2 {
        errors.push(("course_name", "수업 이름은 2자 이상이에요.".to_owned()));
    } else if name_chars > MAX_COURSE_NAME_CHARS {
        errors.push((
            "course_name",
            format!("수업 이름은 {MAX_COURSE_NAME_CHARS}자까지 입력할 수 있어요."),
        ));
    }
    if professor.chars().count() > MAX_PROFESSOR_CHARS {
        errors.push((
            "course_professor",
            format!("교수님 이름은 {MAX_PROFESSOR_CHARS}자까지 입력할 수 있어요."),
        ));
    }
    match (errors.is_empty(), school_id) {
        (true, Some(school_id)) => Ok(Some(CourseFiling {
            school_id,
            name,
            professor,
        })),
        _ => Err(errors),
    }
}

/// What a lookup matches against course names and professors: the typed words with a
/// trailing "교수(님)" dropped; empty means "every course of the school".
pub fn lookup_text(raw: &str) -> String {
    professor_name(raw)
        .chars()
        .take(MAX_COURSE_NAME_CHARS)
        .collect()
}

/// A book filed under a course, with what is on sale for it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseBook {
    pub isbn13: String,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub on_sale: u32,
    pub lowest_price: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseResult {
    pub id: u64,
    pub name: String,
    pub professor: String,
    pub books: Vec<CourseBook>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseLookup {
    pub school: School,
    pub courses: Vec<CourseResult>,
    /// More courses matched than are shown.
    pub more: bool,
}

/// A course a book is filed under, shown on the listing page as a link to the lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseTag {
    pub school_id: u32,
    pub school_short: String,
    pub name: String,
    pub professor: String,
}

impl CourseTag {
    pub fn lookup_href(&self) -> String {
        format!(
            "/courses?school={}&q={}",
            self.school_id,
            crate::ui::format::percent_encode(&self.name)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_typed_files_nothing() {
        assert_eq!(check_course(None, " ", ""), Ok(None));
    }

    #[test]
    fn a_course_needs_a_school_and_a_name() {
        let only_name = check_course(None, "자료구조", "").unwrap_err();
        assert_eq!(only_name[0].0, "course_school");
        let only_school = check_course(Some(1), "", "김민수").unwrap_err();
        assert_eq!(only_school[0].0, "course_name");
        let short = check_course(Some(1), "가", "").unwrap_err();
        assert_eq!(short[0].0, "course_name");
        let long = check_course(Some(1), &"가".repeat(81), &"나".repeat(41)).unwrap_err();
        assert_eq!(
            long.iter().map(|e| e.0).collect::<Vec<_>>(),
            ["course_name", "course_professor"]
        );
    }

    #[test]
    fn names_are_tidied_and_titles_dropped() {
        let filed = check_course(Some(3), "  자료   구조 ", "김민수 교수님")
            .unwrap()
            .unwrap();
        assert_eq!(filed.name, "자료 구조");
        assert_eq!(filed.professor, "김민수");
        assert_eq!(professor_name("박교수"), "박");
        assert_eq!(professor_name("이지은 교수"), "이지은");
        assert_eq!(lookup_text(" 최유진  교수님 "), "최유진");
        assert_eq!(lookup_text(""), "");
    }
}
