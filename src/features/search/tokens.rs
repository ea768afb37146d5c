//! Search terms for Korean and English book facts.
//!
//! Korean glues particles to words ("자바를", "자바의") and MariaDB has no n-gram
//! parser, so we index Hangul as overlapping syllable bigrams: "이것이 자바다" gives
//! 이것 것이 자바 바다, and the query "자바" (one bigram) finds it, as it finds "자바를"
//! and "자바스크립트". Each word's first syllable is also indexed so a one-syllable query
//! ("책") finds words that start with it. Latin words are indexed whole and by their
//! prefixes (2–12 letters), so "spring" finds "springboot"; digit runs whole.
//!
//! As Koreans type: the pair across a space is indexed too, as its own term (이것이
//! 자바다 → "이 자"), so "이것이자바다" typed without spaces finds it when read with each
//! pair inside a word or across a space (`spaced_reading`); and the initial consonants of
//! the words from each word on (ㅇㄱㅇㅈㅂㄷ, ㅈㅂㄷ, by prefixes of 2–6), so "ㅈㅂ" finds it.
//!
//! A document matches when it has every term of the query (AND).

/// Terms longer than this are cut (the index column is short on purpose).
pub const MAX_TERM_CHARS: usize = 12;
/// Latin prefixes shorter than this are not indexed (too common to help).
const MIN_PREFIX: usize = 2;
/// Initial-consonant prefixes are indexed up to this length; longer queries are cut to
/// it (by then a prefix is rare enough to find the book).
const MAX_INITIALS: usize = 6;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Hangul,
    /// Hangul consonants typed on their own (ㄱ–ㅎ): a search by initial consonants.
    Initials,
    Latin,
    Digit,
    Other,
}

fn script(c: char) -> Option<Script> {
    match c {
        '\u{AC00}'..='\u{D7A3}' => Some(Script::Hangul),
        'ㄱ'..='ㅎ' => Some(Script::Initials),
        c if c.is_ascii_digit() => Some(Script::Digit),
        c if c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)) => {
            Some(Script::Latin)
        }
        // Hanja and other letters: indexed like Latin words (whole and prefixes).
        c if c.is_alphanumeric() => Some(Script::Other),
        _ => None,
    }
}

struct Word {
    script: Script,
    chars: Vec<char>,
    /// Only white space lies between this word and the one before it.
    after_space: bool,
}

/// Maximal runs of one script, lowercased: "자바8 in Action" → 자바 · 8 · in · action.
fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    // What lies since the last word: nothing, only white space, or anything else.
    let (mut gap, mut spaces_only) = (false, true);
    for c in text.chars().flat_map(char::to_lowercase) {
        match (script(c), out.last_mut()) {
            (Some(s), Some(last)) if last.script == s && !gap => last.chars.push(c),
            (Some(s), last) => {
                let after_space = last.is_some() && gap && spaces_only;
                out.push(Word {
                    script: s,
                    chars: vec![c],
                    after_space,
                });
                (gap, spaces_only) = (false, true);
            }
            (None, _) => {
                gap = true;
                spaces_only &= c.is_whitespace();
            }
        }
    }
    out
}

fn push_unique(terms: &mut Vec<String>, term: String) {
    if !terms.contains(&term) {
        terms.push(term);
    }
}

/// The term for two syllables on either side of a space ("이것이 자바다" → "이 자"): its
/// own term, so "자바" never matches "여자 바지", only a query typed without spaces.
fn across(before: char, after: char) -> String {
    [before, ' ', after].iter().collect()
}

/// ㄱ for 가: the initial consonant of a syllable, as the compatibility jamo people type.
fn initial(syllable: char) -> char {
    const INITIALS: [char; 19] = [
        'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ',
        'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
    ];
    INITIALS[(syllable as usize - 0xAC00) / 588]
}

/// Every term a document (title, author, publisher) is found by.
pub fn document_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let words = words(text);
    for (i, word) in words.iter().enumerate() {
        let chars = &word.chars;
        match word.script {
            Script::Hangul => {
                push_unique(&mut terms, chars[0].to_string());
                for pair in chars.windows(2) {
                    push_unique(&mut terms, pair.iter().collect());
                }
                // The words from here to the end of the phrase (words apart by spaces only).
                let phrase: Vec<&Word> = std::iter::once(word)
                    .chain(
                        words[i + 1..]
                            .iter()
                            .take_while(|w| w.after_space && w.script == Script::Hangul),
                    )
                    .collect();
                if let Some(next) = phrase.get(1) {
                    push_unique(&mut terms, across(chars[chars.len() - 1], next.chars[0]));
                }
                let initials: Vec<char> = phrase
                    .iter()
                    .flat_map(|w| w.chars.iter().map(|&c| initial(c)))
                    .take(MAX_INITIALS)
                    .collect();
                for len in 2..=initials.len() {
                    push_unique(&mut terms, initials[..len].iter().collect());
                }
            }
            Script::Digit => push_unique(&mut terms, chars.iter().take(MAX_TERM_CHARS).collect()),
            Script::Latin | Script::Initials | Script::Other => {
                let longest = chars.len().min(MAX_TERM_CHARS);
                for len in MIN_PREFIX.min(longest)..=longest {
                    push_unique(&mut terms, chars[..len].iter().collect());
                }
            }
        }
    }
    terms
}

/// Particles (조사) a searcher may type after a word, longest first, so "자바를"
/// searches "자바".
const PARTICLES: [&str; 17] = [
    "에서", "으로", "에게", "까지", "부터", "처럼", "을", "를", "이", "가", "은", "는", "의", "에",
    "로", "와", "과",
];

/// Words of three syllables or more that end like a particle but are whole words.
const NOT_PARTICLES: [&str; 28] = [
    "어린이",
    "고양이",
    "호랑이",
    "원숭이",
    "달팽이",
    "올챙이",
    "지팡이",
    "젊은이",
    "늙은이",
    "소설가",
    "음악가",
    "전문가",
    "예술가",
    "건축가",
    "사진가",
    "만화가",
    "작곡가",
    "평론가",
    "번역가",
    "정치가",
    "사업가",
    "혁명가",
    "탐험가",
    "발명가",
    "자본가",
    "연주가",
    "비평가",
    "수필가",
];

/// A Hangul query word without the particle it probably ends with. A word of three or
/// more syllables loses it unless it is a known whole word (어린이); a two-syllable word
/// (꿈을, 법의) only when the index does not know the word as typed, since most such
/// words are whole (결과, 강의, 국가). One syllable is never cut.
fn without_particle(word: &[char], known: &dyn Fn(&str) -> bool) -> Vec<char> {
    let text: String = word.iter().collect();
    let Some(particle) = PARTICLES.iter().find(|p| text.ends_with(**p)) else {
        return word.to_vec();
    };
    let stem = word.len() - particle.chars().count();
    let cut = match word.len() {
        0 | 1 => false,
        2 => stem > 0 && !known(&text),
        _ => !NOT_PARTICLES.contains(&text.as_str()) && !text.ends_with("주의"),
    };
    if cut {
        word[..stem].to_vec()
    } else {
        word.to_vec()
    }
}

/// The two-syllable query words that may end in a particle: whether each is cut depends
/// on whether the index knows it (`query_terms_knowing`).
pub fn words_to_look_up(query: &str) -> Vec<String> {
    words(query)
        .into_iter()
        .filter(|w| w.script == Script::Hangul && w.chars.len() == 2)
        .map(|w| w.chars.iter().collect::<String>())
        .filter(|w| {
            PARTICLES
                .iter()
                .any(|p| p.chars().count() == 1 && w.ends_with(p))
        })
        .collect()
}

/// The terms a query must all match. Empty when the query has no searchable word.
/// Two-syllable words keep a particle-like ending (the wanted-book alerts, which have
/// no index to ask); searches use `query_terms_knowing`.
pub fn query_terms(query: &str) -> Vec<String> {
    query_terms_knowing(query, &|_| true)
}

/// The terms a query must all match, where `known` tells whether the index holds a
/// two-syllable word as typed (see `without_particle`).
pub fn query_terms_knowing(query: &str, known: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut terms = Vec::new();
    for word in words(query) {
        match word.script {
            Script::Hangul => {
                let word = without_particle(&word.chars, known);
                if word.len() == 1 {
                    push_unique(&mut terms, word[0].to_string());
                }
                for pair in word.windows(2) {
                    push_unique(&mut terms, pair.iter().collect());
                }
            }
            // One consonant alone is too broad to search by.
            Script::Initials if word.chars.len() >= 2 => {
                push_unique(&mut terms, word.chars.iter().take(MAX_INITIALS).collect());
            }
            Script::Initials => {}
            Script::Digit | Script::Latin | Script::Other => {
                push_unique(&mut terms, word.chars.iter().take(MAX_TERM_CHARS).collect());
            }
        }
    }
    terms
}

/// A query typed without spaces, read so each syllable pair of a long Korean word may
/// stand inside a word or across a space: one list of alternatives per term. None when
/// the query has no Korean word of three syllables or more (nothing to re-read).
pub fn spaced_reading(query: &str, known: &dyn Fn(&str) -> bool) -> Option<Vec<Vec<String>>> {
    let mut terms: Vec<Vec<String>> = Vec::new();
    let mut long_word = false;
    for word in words(query) {
        if word.script == Script::Hangul {
            let word = without_particle(&word.chars, known);
            if word.len() >= 3 {
                long_word = true;
                for pair in word.windows(2) {
                    let either = vec![pair.iter().collect(), across(pair[0], pair[1])];
                    if !terms.contains(&either) {
                        terms.push(either);
                    }
                }
                continue;
            }
        }
        // Any other word: its terms as when read as typed.
        for term in query_terms_knowing(&word.chars.iter().collect::<String>(), known) {
            if !terms.iter().any(|t| t == std::slice::from_ref(&term)) {
                terms.push(vec![term]);
            }
        }
    }
    long_word.then_some(terms)
}

/// The query with the spaces between Korean words taken out ("자 바" → "자바"), when it
/// has any: a word split by a stray space.
pub fn without_spaces(query: &str) -> Option<String> {
    let chars: Vec<char> = query.trim().chars().collect();
    let is_hangul = |c: Option<&char>| c.is_some_and(|&c| script(c) == Some(Script::Hangul));
    let mut out = String::new();
    let mut changed = false;
    for (i, c) in chars.iter().enumerate() {
        if c.is_whitespace()
            && is_hangul(out.chars().last().as_ref())
            && is_hangul(chars.get(i + 1))
        {
            changed = true;
            continue;
        }
        out.push(*c);
    }
    changed.then_some(out)
}

/// Does the query hold a one-syllable Korean piece next to another Korean word, apart
/// by spaces only ("자 바", "자바스크립 트")? Then it is more likely a word split by a stray
/// space than a one-syllable word, and the reading without the space goes first.
pub fn has_split_syllable(query: &str) -> bool {
    let words = words(query);
    let hangul = |w: &Word| w.script == Script::Hangul;
    words.iter().enumerate().any(|(i, w)| {
        let joined_to_next = words
            .get(i + 1)
            .is_some_and(|next| next.after_space && hangul(next));
        let joined_to_previous = i > 0 && w.after_space && hangul(&words[i - 1]);
        hangul(w) && w.chars.len() == 1 && (joined_to_next || joined_to_previous)
    })
}

/// Whole Korean words of a document, of three syllables or more (with a particle's stem
/// too): the vocabulary a mistyped query word is corrected against.
pub fn document_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in words(text) {
        if word.script != Script::Hangul || word.chars.len() < 3 {
            continue;
        }
        let stem = without_particle(&word.chars, &|_| true);
        for w in [word.chars, stem] {
            if w.len() >= 3 && w.len() <= MAX_TERM_CHARS {
                push_unique(&mut out, w.iter().collect());
            }
        }
    }
    out
}

/// The Korean words of a query that a typo may hide (three syllables or more, particle
/// taken off). Each is a prefix of what was typed, so a correction replaces it in place.
pub fn correctable_words(query: &str) -> Vec<String> {
    words(query)
        .into_iter()
        .filter(|w| w.script == Script::Hangul)
        .map(|w| without_particle(&w.chars, &|_| true))
        .filter(|w| w.len() >= 3 && w.len() <= MAX_TERM_CHARS)
        .map(|w| w.iter().collect())
        .collect()
}

/// Edit distance in syllables is one (one syllable changed, added or left out).
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            short
                .iter()
                .zip(long.iter())
                .filter(|(x, y)| x != y)
                .count()
                == 1
        }
        1 => {
            let same_start = short
                .iter()
                .zip(long.iter())
                .take_while(|(x, y)| x == y)
                .count();
            short[same_start..] == long[same_start + 1..]
        }
        _ => false,
    }
}

/// Does a document with this text match this query? (The index answers the same
/// question; tests use this to state recall without a database. The "index" here is
/// the document itself.)
pub fn matches(document: &str, query: &str) -> bool {
    let doc = document_terms(document);
    let known = |w: &str| doc.iter().any(|t| t == w);
    let q = query_terms_knowing(query, &known);
    let as_typed = !q.is_empty() && q.iter().all(|t| doc.contains(t));
    // As a search does: the spaced reading when the query as typed finds nothing.
    as_typed
        || spaced_reading(query, &known).is_some_and(|terms| {
            terms
                .iter()
                .all(|either| either.iter().any(|t| doc.contains(t)))
        })
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
    fn words_typed_without_spaces_find_titles_with_spaces() {
        assert!(matches("이것이 자바다", "이것이자바다"));
        assert!(matches("클린 코드", "클린코드"));
        assert!(matches("토비의 스프링", "토비의스프링"));
        // Across a comma or a digit the words do not run on.
        assert!(!matches("자바, 다시 보기", "자바다"));
        // Words in another order still match (no cross-space term is asked for).
        assert!(matches("자바 입문", "입문 자바"));
        // A pair across a space is not a word: 자바 is not in 주식투자 바이블.
        assert!(!matches("주식투자 바이블", "자바"));
        assert!(matches("주식투자 바이블", "주식투자바이블"));
    }

    #[test]
    fn initial_consonants_find_titles_from_any_word() {
        assert!(matches("이것이 자바다", "ㅈㅂ"));
        assert!(matches("이것이 자바다", "ㅇㄱㅇㅈㅂㄷ"));
        assert!(matches("클린 코드", "ㅋㄹㅋㄷ"));
        assert!(matches("채식주의자", "ㅊㅅㅈㅇㅈ"));
        // Longer than the indexed prefixes: cut to them, still found.
        assert!(matches("해리 포터와 마법사의 돌", "ㅎㄹㅍㅌㅇㅁㅂㅅ"));
        assert!(
            !matches("이것이 자바다", "ㅂㄷ"),
            "initials start at a word"
        );
        assert!(query_terms("ㅈ").is_empty(), "one consonant is too broad");
    }

    #[test]
    fn particles_come_off_short_words_but_not_real_words() {
        assert!(matches("꿈의 해석", "꿈을"));
        assert!(matches("법의 정신", "법의"));
        assert!(matches("법과 정의", "법의"), "법의 is not a word here: 법");
        assert!(matches("어린이 과학 동화", "어린이"));
        assert!(
            !matches("어린 왕자", "어린이"),
            "어린이 is a word, not 어린 + 이"
        );
        // Two-syllable words the index knows stay whole; others lose the particle.
        assert_eq!(query_terms_knowing("결과", &|w| w == "결과"), vec!["결과"]);
        assert_eq!(query_terms_knowing("꿈을", &|_| false), vec!["꿈"]);
        assert_eq!(
            words_to_look_up("꿈을 결과 자바를 책"),
            vec!["꿈을", "결과"]
        );
    }

    #[test]
    fn a_stray_space_inside_a_word_can_be_taken_out() {
        assert_eq!(without_spaces("자 바"), Some("자바".to_owned()));
        assert_eq!(
            without_spaces(" 이것이 자바 다 "),
            Some("이것이자바다".to_owned())
        );
        assert_eq!(without_spaces("자바 8"), None);
        assert_eq!(without_spaces("자바"), None);
    }

    #[test]
    fn a_lone_syllable_beside_a_word_looks_like_a_split_word() {
        assert!(has_split_syllable("자 바"));
        assert!(has_split_syllable("자바스크립 트"));
        assert!(has_split_syllable("책 먹는 여우"));
        assert!(!has_split_syllable("자바 입문"));
        assert!(!has_split_syllable("책"));
        assert!(!has_split_syllable("자바 8"));
    }

    #[test]
    fn typos_are_one_syllable_apart() {
        assert!(one_edit_apart("파이선", "파이썬"));
        assert!(one_edit_apart("자바스크립", "자바스크립트"));
        assert!(one_edit_apart("데이터베스", "데이터베이스"));
        assert!(!one_edit_apart("파이썬", "파이썬"));
        assert!(!one_edit_apart("파이선", "자바선"));
        assert_eq!(
            correctable_words("파이선으로 책 산다"),
            vec!["파이선".to_owned()]
        );
        assert!(document_words("파이썬으로 배우는 알고리즘").contains(&"파이썬".to_owned()));
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
