//! Search terms for Korean and English book facts.
//!
//! Korean glues particles to words ("자바를", "자바의") and MariaDB has no n-gram
//! parser, so we index Hangul as overlapping syllable bigrams: "이것이 자바다" gives
//! 이것 것이 자바 바다, and the query "자바" (one bigram) finds it, as it finds "자바를"
//! and "자바스크립트". Each word's first syllable is also indexed so a one-syllable query
//! ("책") finds words that start with it. Latin words are indexed whole and by their
//! prefixes (2–12 letters), so "spring" finds "springboot"; digit runs whole.
//!
//! A document matches when it has every term of the query (AND).

/// Terms longer than this are cut (the index column is short on purpose).
pub const MAX_TERM_CHARS: usize = 12;
/// Latin prefixes shorter than this are not indexed (too common to help).
const MIN_PREFIX: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Hangul,
    Latin,
    Digit,
    Other,
}

fn script(c: char) -> Option<Script> {
    match c {
        '\u{AC00}'..='\u{D7A3}' => Some(Script::Hangul),
        c if c.is_ascii_digit() => Some(Script::Digit),
        c if c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)) => {
            Some(Script::Latin)
        }
        // Hanja and other letters: indexed like Latin words (whole and prefixes).
        c if c.is_alphanumeric() => Some(Script::Other),
        _ => None,
    }
}

/// Maximal runs of one script, lowercased: "자바8 in Action" → 자바 · 8 · in · action.
fn words(text: &str) -> Vec<(Script, Vec<char>)> {
    let mut out: Vec<(Script, Vec<char>)> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        match (script(c), out.last_mut()) {
            (Some(s), Some((last, word))) if *last == s => word.push(c),
            (Some(s), _) => out.push((s, vec![c])),
            (None, Some((_, word))) if !word.is_empty() => out.push((Script::Other, Vec::new())),
            (None, _) => {}
        }
    }
    out.retain(|(_, w)| !w.is_empty());
    out
}

fn push_unique(terms: &mut Vec<String>, term: String) {
    if !terms.contains(&term) {
        terms.push(term);
    }
}

/// Every term a document (title, author, publisher) is found by.
pub fn document_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for (script, word) in words(text) {
        match script {
            Script::Hangul => {
                push_unique(&mut terms, word[0].to_string());
                for pair in word.windows(2) {
                    push_unique(&mut terms, pair.iter().collect());
                }
            }
            Script::Digit => push_unique(&mut terms, word.iter().take(MAX_TERM_CHARS).collect()),
            Script::Latin | Script::Other => {
                let longest = word.len().min(MAX_TERM_CHARS);
                for len in MIN_PREFIX.min(longest)..=longest {
                    push_unique(&mut terms, word[..len].iter().collect());
                }
            }
        }
    }
    terms
}

/// Particles (조사) a searcher may type after a word; stripped from query words of
/// three syllables or more, longest first, so "자바를" searches "자바".
const PARTICLES: [&str; 17] = [
    "에서", "으로", "에게", "까지", "부터", "처럼", "을", "를", "이", "가", "은", "는", "의", "에",
    "로", "와", "과",
];

/// The terms a query must all match. Empty when the query has no searchable word.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for (script, mut word) in words(query) {
        match script {
            Script::Hangul => {
                if word.len() >= 3 {
                    let text: String = word.iter().collect();
                    if let Some(p) = PARTICLES.iter().find(|p| text.ends_with(**p)) {
                        word.truncate(word.len() - p.chars().count());
                    }
                }
                if word.len() == 1 {
                    push_unique(&mut terms, word[0].to_string());
                }
                for pair in word.windows(2) {
                    push_unique(&mut terms, pair.iter().collect());
                }
            }
            Script::Digit | Script::Latin | Script::Other => {
                push_unique(&mut terms, word.iter().take(MAX_TERM_CHARS).collect());
            }
        }
    }
    terms
}

/// Does a document with this text match this query? (The index answers the same
/// question; tests use this to state recall without a database.)
pub fn matches(document: &str, query: &str) -> bool {
    let doc = document_terms(document);
    let q = query_terms(query);
    !q.is_empty() && q.iter().all(|t| doc.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_partial_words_are_found() {
        assert!(matches("이것이 자바다", "자바"));
        assert!(matches("자바스크립트 완벽 가이드", "자바"));
        assert!(matches("토비의 스프링 3.1", "토비"));
        assert!(matches("모던 자바스크립트 Deep Dive", "자바스크립트"));
        assert!(!matches("파이썬 코딩의 기술", "자바"));
    }

    #[test]
    fn particles_on_either_side_do_not_hide_a_word() {
        // Particle-attached words in titles, found by the bare word …
        for (title, word) in [
            ("자바를 잡아라", "자바"),
            ("스프링의 모든 것", "스프링"),
            ("리눅스에서 배우는 시스템", "리눅스"),
            ("파이썬으로 배우는 알고리즘", "파이썬"),
            ("경제학을 읽다", "경제학"),
            ("미적분과 통계", "미적분"),
            ("데이터베이스는 어렵지 않다", "데이터베이스"),
        ] {
            assert!(matches(title, word), "{word} in {title}");
        }
        // … and bare words in titles, found by a query with a particle.
        for (title, query) in [
            ("이것이 자바다", "자바를"),
            ("혼자 공부하는 파이썬", "파이썬으로"),
            ("운영체제 아주 쉬운 세 가지 이야기", "운영체제의"),
            ("경제학원론", "경제학에서"),
        ] {
            assert!(matches(title, query), "{query} → {title}");
        }
    }

    #[test]
    fn english_words_match_by_prefix_and_any_case() {
        assert!(matches("Clean Code", "clean"));
        assert!(matches("Effective Java 3/E", "JAVA"));
        assert!(matches("Spring Boot in Action", "spr"));
        assert!(matches("자바8 in Action", "자바 action"));
        assert!(!matches("Clean Architecture", "code"));
    }

    #[test]
    fn one_syllable_queries_find_words_that_start_with_it() {
        assert!(matches("책 먹는 여우", "책"));
        assert!(matches("책벌레의 하루", "책"));
        assert!(!matches("나의 독서 일기", "책"));
    }

    #[test]
    fn terms_are_short_unique_and_never_empty() {
        let terms = document_terms("자바 자바 자바 Supercalifragilisticexpialidocious 2024");
        assert_eq!(terms.iter().filter(|t| *t == "자바").count(), 1);
        assert!(
            terms
                .iter()
                .all(|t| !t.is_empty() && t.chars().count() <= MAX_TERM_CHARS)
        );
        assert!(terms.contains(&"2024".to_owned()));
        assert!(query_terms("  -- !!! ").is_empty());
    }
}
