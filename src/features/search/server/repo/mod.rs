//! The search index and the search query.
//!
//! Queries here are built with `QueryBuilder` rather than `query!`: the number of terms
//! and which filters apply vary per request. Every value is bound, never formatted in.

use sqlx::{MySql, MySqlPool, QueryBuilder};

use crate::error::AppResult;
use crate::features::catalog::types::Isbn13;
use crate::features::listings::server::repo::CardRow;
use crate::features::listings::types::ListingCard;
use crate::features::reviews::types::BreadGrade;
use crate::features::search::tokens;
use crate::features::search::types::{
    Cursor, MAX_QUERY_TERMS, NEAR_RADIUS_KM, Near, PAGE_SIZE, SearchPage, SearchParams, Sort,
};

mod index;

pub use index::*;

/// A driving term is chosen by counting at most this many of its rows.
const RARITY_PROBE: i64 = 20_000;

/// The listing-card columns for queries built at run time (the `query!` copies are
/// checked at compile time; these decode into `CardRow` by name).
pub(crate) const CARD_COLUMNS: &str = "l.id, b.title, b.author, b.publisher, l.price,
    CAST(l.`condition` AS CHAR) AS `condition`, CAST(l.status AS CHAR) AS status,
    CAST(l.delivery AS CHAR) AS delivery, l.meet_label,
    m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo";

/// The ids of a category and everything under it (its path is a prefix of theirs).
async fn subtree(pool: &MySqlPool, category: u32) -> AppResult<Vec<u32>> {
    let Some(path) = sqlx::query_scalar!("SELECT path FROM category WHERE id = ?", category)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_scalar!(
        "SELECT id FROM category WHERE path LIKE CONCAT(?, '%')",
        path
    )
    .fetch_all(pool)
    .await?)
}

/// Postings per term a suggestion looks at (newest first), so it stays cheap for
/// common terms.
const SUGGEST_SCAN: u32 = 2_000;

/// The book that shares most of the query's terms, if it shares at least half of them
/// (and two): "자바스트립트" suggests "자바스크립트 완벽 가이드", "채식주으자" 채식주의자.
/// One wrong syllable breaks two bigrams, so a stricter bar misses short words.
async fn suggest(pool: &MySqlPool, terms: &[String]) -> AppResult<Option<String>> {
    if terms.len() < 2 {
        return Ok(None);
    }
    let needed = terms.len().div_ceil(2).max(2) as i64;
    let mut sql = QueryBuilder::<MySql>::new("SELECT hits.listing_id, COUNT(*) AS shared FROM (");
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("(SELECT listing_id FROM listing_term WHERE term = ")
            .push_bind(term.clone())
            .push(" ORDER BY listing_id DESC LIMIT ")
            .push_bind(SUGGEST_SCAN)
            .push(")");
    }
    sql.push(
        ") hits JOIN listing l ON l.id = hits.listing_id AND l.status = 'on_sale'
         GROUP BY hits.listing_id HAVING shared >= ",
    )
    .push_bind(needed)
    .push(" ORDER BY shared DESC, hits.listing_id DESC LIMIT 1");
    let best: Option<(u64, i64)> = sql.build_query_as().fetch_optional(pool).await?;
    let Some((listing, _)) = best else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar!(
        "SELECT b.title FROM listing l JOIN book b ON b.id = l.book_id WHERE l.id = ?",
        listing
    )
    .fetch_optional(pool)
    .await?)
}

/// Postings counted per term (up to `RARITY_PROBE`), kept for one search: its readings
/// (as typed, without spaces, corrected) share most of their terms.
type Counts = std::collections::HashMap<String, i64>;

/// A term's postings, counted up to `RARITY_PROBE`, once per search.
async fn postings(pool: &MySqlPool, term: &str, counts: &mut Counts) -> AppResult<i64> {
    if let Some(&n) = counts.get(term) {
        return Ok(n);
    }
    let n = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM listing_term WHERE term = ? LIMIT ?) probe",
        term,
        RARITY_PROBE
    )
    .fetch_one(pool)
    .await?;
    counts.insert(term.to_owned(), n);
    Ok(n)
}

/// One term a listing must have, as any of these alternatives (usually one: a pair
/// typed without spaces may be inside a word or across a space).
type Either = Vec<String>;

/// Orders terms rarest first by counting a bounded number of index rows each. An
/// alternative no listing has is dropped (so the rarest term usually drives the scan
/// alone, in index order); None when a term has no alternative left: nothing matches.
async fn rarest_first(
    pool: &MySqlPool,
    terms: Vec<Either>,
    counts: &mut Counts,
) -> AppResult<Option<Vec<Either>>> {
    let mut counted = Vec::with_capacity(terms.len());
    for either in terms {
        let mut total = 0;
        let mut kept = Vec::with_capacity(either.len());
        for term in either {
            let n = postings(pool, &term, counts).await?;
            if n > 0 {
                kept.push(term);
                total += n;
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        counted.push((total, kept));
    }
    counted.sort();
    Ok(Some(counted.into_iter().map(|(_, t)| t).collect()))
}

/// `= ?` for one term, `IN (?, …)` for alternatives.
fn push_term(sql: &mut QueryBuilder<MySql>, column: &str, either: &Either) {
    match either.as_slice() {
        [one] => {
            sql.push(format!("{column} = ")).push_bind(one.clone());
        }
        many => {
            sql.push(format!("{column} IN ("));
            let mut list = sql.separated(", ");
            for term in many {
                list.push_bind(term.clone());
            }
            sql.push(")");
        }
    }
}

/// A search, read the way the query was most likely meant: a stray space taken out, a
/// word no title has corrected to the one a syllable away (said so on the page), as
/// typed, typed without spaces; failing all, a suggestion.
pub async fn search(pool: &MySqlPool, p: &SearchParams) -> AppResult<SearchPage> {
    let mut counts = Counts::new();
    let isbn = Isbn13::parse(&p.q).is_ok();
    // "자 바": the reading without the stray space first; as typed only if it finds nothing
    // (a real one-syllable word, "책 여우", is not next to the other in any title).
    if tokens::has_split_syllable(&p.q)
        && let Some(joined) = tokens::without_spaces(&p.q)
        && let Some(found) = found_as(pool, p, joined, &mut counts).await?
    {
        return Ok(found);
    }
    if !isbn {
        // "파이선": in no title, one syllable from 파이썬. First, as a match by chance (an
        // author 이선희 and any 파이썬 book) is no reason to keep the typo.
        for meant in corrected(pool, &p.q).await? {
            if let Some(found) = found_as(pool, p, meant.clone(), &mut counts).await? {
                return Ok(SearchPage {
                    searched_instead: Some(meant),
                    ..found
                });
            }
        }
    }
    let (page, terms) = search_as_typed(pool, p, &mut counts).await?;
    if !page.items.is_empty() || isbn {
        return Ok(page);
    }
    // Typed without spaces ("이것이자바다"): each pair inside a word or across a space.
    let known = known_words(pool, &p.q, &mut counts).await?;
    if let Some(spaced) = tokens::spaced_reading(&p.q, &|w| known.iter().any(|k| k == w)) {
        // Only worth a query when some pair is indexed across a space (the second
        // alternative); otherwise it reads as typed, which found nothing.
        let mut across = false;
        for either in &spaced {
            if let Some(pair) = either.get(1) {
                across |= postings(pool, pair, &mut counts).await? > 0;
            }
        }
        if across {
            let found = search_terms(pool, p, spaced, &mut counts).await?;
            if !found.items.is_empty() {
                return Ok(found);
            }
        }
    }
    if let Some(meant) = tokens::without_spaces(&p.q)
        && let Some(found) = found_as(pool, p, meant.clone(), &mut counts).await?
    {
        return Ok(SearchPage {
            searched_instead: Some(meant),
            ..found
        });
    }
    // Only for words that found nothing on their own: with filters, the filters did it.
    let unfiltered = *p
        == SearchParams {
            q: p.q.clone(),
            sort: p.sort,
            ..Default::default()
        };
    let suggestion = if unfiltered {
        suggest(pool, &terms).await?
    } else {
        None
    };
    Ok(SearchPage { suggestion, ..page })
}

/// The page the search would give for `q` instead of what was typed (same filters,
/// sort and place), if it finds anything.
async fn found_as(
    pool: &MySqlPool,
    p: &SearchParams,
    q: String,
    counts: &mut Counts,
) -> AppResult<Option<SearchPage>> {
    let again = SearchParams { q, ..p.clone() };
    let (found, _) = search_as_typed(pool, &again, counts).await?;
    Ok((!found.items.is_empty()).then_some(found))
}

/// The query with a word no title has replaced by one a syllable away, most likely
/// first; empty when every word is known (or has no such neighbour).
async fn corrected(pool: &MySqlPool, query: &str) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for typed in tokens::correctable_words(query) {
        let known = sqlx::query_scalar!("SELECT COUNT(*) FROM search_word WHERE word = ?", typed)
            .fetch_one(pool)
            .await?;
        if known > 0 {
            continue;
        }
        for word in corrections(pool, &typed).await? {
            out.push(query.replacen(&typed, &word, 1));
        }
    }
    Ok(out)
}

/// Corrections tried per mistyped word.
const CORRECTIONS_TRIED: usize = 3;

/// Words of the vocabulary one syllable away from `typed`: one edit leaves its first or
/// its last syllable in place, so those sharing either come off an index range.
async fn corrections(pool: &MySqlPool, typed: &str) -> AppResult<Vec<String>> {
    let (Some(first), Some(last)) = (typed.chars().next(), typed.chars().last()) else {
        return Ok(Vec::new());
    };
    let length = typed.chars().count() as i64;
    let mut candidates = sqlx::query_scalar!(
        "(SELECT word FROM search_word WHERE word LIKE CONCAT(?, '%')
            AND CHAR_LENGTH(word) BETWEEN ? AND ? LIMIT 2000)
         UNION
         (SELECT word FROM search_word WHERE backwards LIKE CONCAT(?, '%')
            AND CHAR_LENGTH(word) BETWEEN ? AND ? LIMIT 2000)",
        first.to_string(),
        length - 1,
        length + 1,
        last.to_string(),
        length - 1,
        length + 1,
    )
    .fetch_all(pool)
    .await?;
    candidates.retain(|w| tokens::one_edit_apart(typed, w));
    // A changed syllable before a missing or extra one, then in a fixed order.
    candidates.sort_by_key(|w| (w.chars().count() as i64 != length, w.clone()));
    candidates.truncate(CORRECTIONS_TRIED);
    Ok(candidates)
}

/// Two-syllable query words the index holds as typed (so "결과" is not cut to 결).
/// (Counted like every term, so a word kept whole is not counted again to order it.)
async fn known_words(pool: &MySqlPool, query: &str, counts: &mut Counts) -> AppResult<Vec<String>> {
    let mut known = Vec::new();
    for word in tokens::words_to_look_up(query) {
        if postings(pool, &word, counts).await? > 0 {
            known.push(word);
        }
    }
    Ok(known)
}

/// One page of a query read as typed, and its terms.
async fn search_as_typed(
    pool: &MySqlPool,
    p: &SearchParams,
    counts: &mut Counts,
) -> AppResult<(SearchPage, Vec<String>)> {
    let terms = if Isbn13::parse(&p.q).is_ok() {
        Vec::new()
    } else {
        let known = known_words(pool, &p.q, counts).await?;
        tokens::query_terms_knowing(&p.q, &|w| known.iter().any(|k| k == w))
    };
    let each: Vec<Either> = terms.iter().map(|t| vec![t.clone()]).collect();
    Ok((search_terms(pool, p, each, counts).await?, terms))
}

/// One page of listings having every term (any of its alternatives).
async fn search_terms(
    pool: &MySqlPool,
    p: &SearchParams,
    mut terms: Vec<Either>,
    counts: &mut Counts,
) -> AppResult<SearchPage> {
    let isbn = Isbn13::parse(&p.q).ok();
    terms.truncate(MAX_QUERY_TERMS);
    if !p.q.trim().is_empty() && isbn.is_none() && terms.is_empty() {
        return Ok(SearchPage::default());
    }
    let Some(terms) = rarest_first(pool, terms, counts).await? else {
        return Ok(SearchPage::default());
    };
    let categories = match p.category {
        Some(c) => {
            let ids = subtree(pool, c).await?;
            if ids.is_empty() {
                return Ok(SearchPage::default());
            }
            Some(ids)
        }
        None => None,
    };
    let plan = Plan {
        terms,
        isbn,
        categories,
    };
    let rows = if p.sort == Sort::Trust {
        by_grade_bands(pool, p, &plan).await?
    } else if let (Sort::Distance, Some(near)) = (p.sort, p.near) {
        if few_matches(pool, &plan).await? {
            nearest_of_few(pool, p, &plan, near).await?
        } else {
            by_rings(pool, p, &plan, near).await?
        }
    } else {
        let by_price = matches!(p.sort, Sort::PriceAsc | Sort::PriceDesc);
        let (mut sql, id_col, price_col) = filtered(p, &plan, by_price, None, None);
        // Keyset conditions as expanded ORs (MariaDB scans on row-tuple comparisons).
        match (p.sort, p.after) {
            (Sort::Newest, Some(c)) => {
                sql.push(format!(" AND {id_col} < ")).push_bind(c.id);
            }
            (Sort::PriceAsc | Sort::PriceDesc, Some(c)) => {
                let cmp = if p.sort == Sort::PriceAsc { ">" } else { "<" };
                sql.push(format!(" AND ({price_col} {cmp} "))
                    .push_bind(c.price)
                    .push(format!(" OR ({price_col} = "))
                    .push_bind(c.price)
                    .push(format!(" AND {id_col} {cmp} "))
                    .push_bind(c.id)
                    .push("))");
            }
            (Sort::Distance, Some(c)) => {
                sql.push(format!(" AND {id_col} < ")).push_bind(c.id);
            }
            (Sort::Trust, _) | (_, None) => {}
        }
        // Newest is id order: ids are handed out in creation order.
        sql.push(match p.sort {
            // (The trust sort walks grade bands and the distance sort rings instead;
            // without a position the distance sort falls back to newest.)
            Sort::Newest | Sort::Trust | Sort::Distance => format!(" ORDER BY {id_col} DESC"),
            Sort::PriceAsc => format!(" ORDER BY {price_col} ASC, {id_col} ASC"),
            Sort::PriceDesc => format!(" ORDER BY {price_col} DESC, {id_col} DESC"),
        });
        sql.push(" LIMIT ").push_bind(PAGE_SIZE + 1);
        sql.build_query_as().fetch_all(pool).await?
    };

    let more = rows.len() > PAGE_SIZE as usize;
    let items: Vec<ListingCard> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r: SearchRow| {
            let mut card = ListingCard::try_from(r.card)?;
            card.distance_m = r.dist.map(|d| d.min(u64::from(u32::MAX)) as u32);
            Ok(card)
        })
        .collect::<AppResult<_>>()?;
    let next = more
        .then(|| {
            items.last().map(|l| Cursor {
                id: l.id,
                price: l.price,
                trust: l.seller_trust,
                distance_m: l.distance_m.unwrap_or(0),
            })
        })
        .flatten();
    Ok(SearchPage {
        items,
        next,
        ..SearchPage::default()
    })
}

/// A card and, when the searcher's position is known, its distance in metres.
#[derive(sqlx::FromRow)]
struct SearchRow {
    #[sqlx(flatten)]
    card: CardRow,
    dist: Option<u64>,
}

/// Great-circle metres from the searcher to the meet place (NULL without one).
fn push_distance(sql: &mut QueryBuilder<MySql>, near: Near) {
    sql.push("CAST(ROUND(ST_Distance_Sphere(POINT(l.meet_lng, l.meet_lat), POINT(")
        .push_bind(near.lng())
        .push(", ")
        .push_bind(near.lat())
        .push("))) AS UNSIGNED)");
}

/// What a search resolved to before any SQL: its words (rarest first), ISBN, categories.
struct Plan {
    terms: Vec<Either>,
    isbn: Option<Isbn13>,
    categories: Option<Vec<u32>>,
}

/// The search's rows and filters, without keyset or order; `band` keeps sellers whose
/// trust score lies in that range. Returns the id and price columns to order by.
fn filtered(
    p: &SearchParams,
    plan: &Plan,
    by_price: bool,
    band: Option<(u16, u16)>,
    place: Option<PlaceBox>,
) -> (QueryBuilder<MySql>, &'static str, &'static str) {
    let by_place = place.is_some_and(|b| b.drive) && p.near.is_some();
    // The driving rows: the rarest term's postings in the order asked for (by id for
    // newest, by price for the price sorts), so a page comes off an index range and the
    // scan stops at PAGE_SIZE + 1 matches; or the listing table when there are no words.
    let (id_col, price_col) = match (plan.terms.is_empty() || by_place, by_price) {
        (true, _) => ("l.id", "l.price"),
        (false, false) => ("t0.listing_id", "l.price"),
        (false, true) => ("t0.listing_id", "t0.price"),
    };
    let mut sql = QueryBuilder::<MySql>::new("SELECT STRAIGHT_JOIN ");
    sql.push(CARD_COLUMNS);
    match p.near {
        Some(near) => {
            sql.push(", ");
            push_distance(&mut sql, near);
            sql.push(" AS dist");
        }
        None => {
            sql.push(", CAST(NULL AS UNSIGNED) AS dist");
        }
    }
    if by_place {
        sql.push(
            " FROM listing l FORCE INDEX (ix_listing_place)
              JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id WHERE TRUE",
        );
        for either in &plan.terms {
            sql.push(" AND EXISTS (SELECT 1 FROM listing_term tk WHERE ");
            push_term(&mut sql, "tk.term", either);
            sql.push(" AND tk.listing_id = l.id)");
        }
    } else if let Some(first) = plan.terms.first() {
        sql.push(if by_price {
            " FROM listing_term_price t0"
        } else {
            " FROM listing_term t0"
        });
        sql.push(" JOIN listing l ON l.id = t0.listing_id");
        sql.push(" JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id");
        sql.push(" WHERE ");
        push_term(&mut sql, "t0.term", first);
        for either in &plan.terms[1..] {
            sql.push(" AND EXISTS (SELECT 1 FROM listing_term tk WHERE ");
            push_term(&mut sql, "tk.term", either);
            sql.push(" AND tk.listing_id = t0.listing_id)");
        }
    } else {
        sql.push(
            " FROM listing l JOIN book b ON b.id = l.book_id JOIN member m ON m.id = l.seller_id",
        );
        sql.push(" WHERE TRUE");
    }
    if let Some(isbn) = &plan.isbn {
        // Every row of the ISBN: the catalog's and those sellers typed.
        sql.push(" AND l.book_id IN (SELECT id FROM book WHERE isbn13 = ")
            .push_bind(isbn.as_str().to_owned())
            .push(")");
    }
    sql.push(" AND l.status = 'on_sale'");
    if let Some(ids) = &plan.categories {
        sql.push(" AND l.category_id IN (");
        let mut list = sql.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        sql.push(")");
    }
    if let Some(min) = p.min_price {
        sql.push(format!(" AND {price_col} >= ")).push_bind(min);
    }
    if let Some(max) = p.max_price {
        sql.push(format!(" AND {price_col} <= ")).push_bind(max);
    }
    if let Some(from) = p
        .year_from
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1))
    {
        sql.push(" AND b.published_on >= ").push_bind(from);
    }
    if let Some(to) = p
        .year_to
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31))
    {
        sql.push(" AND b.published_on <= ").push_bind(to);
    }
    if let Some(c) = p.condition {
        sql.push(" AND l.`condition` = ").push_bind(c.as_db());
    }
    if p.parcel {
        sql.push(" AND FIND_IN_SET('parcel', l.delivery)");
    }
    if p.meet {
        sql.push(" AND FIND_IN_SET('meet', l.delivery)");
    }
    if let Some(g) = p.min_grade.filter(|g| *g > 1) {
        sql.push(" AND m.trust_score >= ")
            .push_bind(BreadGrade::min_score(g));
    }
    if let (
        Some(PlaceBox {
            radius_km: radius, ..
        }),
        Some(near),
    ) = (place, p.near)
    {
        // The bounding box of a circle around the searcher (a range on the place index).
        let dlat = radius / 111.045;
        let dlng = radius / (111.045 * near.lat().to_radians().cos().max(0.01));
        sql.push(" AND l.meet_lat BETWEEN ")
            .push_bind(near.lat() - dlat)
            .push(" AND ")
            .push_bind(near.lat() + dlat)
            .push(" AND l.meet_lng BETWEEN ")
            .push_bind(near.lng() - dlng)
            .push(" AND ")
            .push_bind(near.lng() + dlng);
    }
    if let Some((lo, hi)) = band {
        sql.push(" AND m.trust_score BETWEEN ")
            .push_bind(lo)
            .push(" AND ")
            .push_bind(hi);
    }
    (sql, id_col, price_col)
}

/// Where the distance sort looks: a box of `radius_km` around the searcher, and
/// whether that box (the place index) drives the scan instead of the words.
#[derive(Clone, Copy)]
struct PlaceBox {
    radius_km: f64,
    drive: bool,
}

/// Keyset for the distance sort: farther than the cursor, or as far with a larger id.
fn push_after_distance(sql: &mut QueryBuilder<MySql>, near: Near, c: Cursor, id_col: &str) {
    sql.push(" AND (");
    push_distance(sql, near);
    sql.push(" > ").push_bind(c.distance_m).push(" OR (");
    push_distance(sql, near);
    sql.push(" = ")
        .push_bind(c.distance_m)
        .push(format!(" AND {id_col} > "))
        .push_bind(c.id)
        .push("))");
}

/// Postings of the rarest word (or one book's listings for an ISBN) below which sorting
/// all matches by distance beats walking rings of the place index.
const FEW_MATCHES: i64 = 2_000;

async fn few_matches(pool: &MySqlPool, plan: &Plan) -> AppResult<bool> {
    if plan.isbn.is_some() {
        return Ok(true);
    }
    let Some(rarest) = plan.terms.first().and_then(|either| either.first()) else {
        return Ok(false);
    };
    let n: i64 = sqlx::query_scalar!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM listing_term WHERE term = ? LIMIT ?) AS t",
        rarest,
        FEW_MATCHES
    )
    .fetch_one(pool)
    .await?;
    Ok(n < FEW_MATCHES)
}

/// The distance sort for a rare word: its few matches inside the 50 km box, all sorted.
async fn nearest_of_few(
    pool: &MySqlPool,
    p: &SearchParams,
    plan: &Plan,
    near: Near,
) -> AppResult<Vec<SearchRow>> {
    let place = PlaceBox {
        radius_km: NEAR_RADIUS_KM,
        drive: false,
    };
    let (mut sql, id_col, _) = filtered(p, plan, false, None, Some(place));
    sql.push(" AND l.meet_lat IS NOT NULL");
    if let Some(c) = p.after {
        push_after_distance(&mut sql, near, c, id_col);
    }
    sql.push(format!(" ORDER BY dist ASC, {id_col} ASC LIMIT "))
        .push_bind(PAGE_SIZE + 1);
    Ok(sql.build_query_as().fetch_all(pool).await?)
}

/// Rings around the searcher (km): a dense city fills a page from the first ring, a
/// quiet area moves outward through cheap, nearly empty rings.
const RINGS_KM: [f64; 5] = [0.3, 1.0, 3.0, 10.0, NEAR_RADIUS_KM];

/// "가까운 순" for common words or no words: sorting every match by distance took 328 ms
/// for a word in 10% of listings and 822 ms with no words at 1M listings (BENCHMARKS.md);
/// instead each ring (inner first) takes its box off the place index, keeps the places
/// whose exact distance falls in the ring, sorts only those, and stops once the page is
/// full.
async fn by_rings(
    pool: &MySqlPool,
    p: &SearchParams,
    plan: &Plan,
    near: Near,
) -> AppResult<Vec<SearchRow>> {
    let want = PAGE_SIZE as usize + 1;
    let mut rows: Vec<SearchRow> = Vec::new();
    let mut inner_m = 0.0;
    for radius in RINGS_KM {
        let outer_m = radius * 1000.0;
        let after = p.after.filter(|c| f64::from(c.distance_m) <= outer_m);
        if p.after.is_some() && after.is_none() && rows.is_empty() {
            // The cursor lies farther out: this ring was on earlier pages.
            inner_m = outer_m;
            continue;
        }
        let place = PlaceBox {
            radius_km: radius,
            drive: true,
        };
        let (mut sql, id_col, _) = filtered(p, plan, false, None, Some(place));
        sql.push(" AND ");
        push_distance(&mut sql, near);
        sql.push(if inner_m == 0.0 { " >= " } else { " > " })
            .push_bind(inner_m)
            .push(" AND ");
        push_distance(&mut sql, near);
        sql.push(" <= ").push_bind(outer_m);
        if let Some(c) = after.filter(|_| rows.is_empty()) {
            push_after_distance(&mut sql, near, c, id_col);
        }
        sql.push(format!(" ORDER BY dist ASC, {id_col} ASC LIMIT "))
            .push_bind((want - rows.len()) as u32);
        rows.extend(sql.build_query_as::<SearchRow>().fetch_all(pool).await?);
        if rows.len() >= want {
            break;
        }
        inner_m = outer_m;
    }
    Ok(rows)
}

/// "신뢰도순": the best bread grade first, newest within a grade. The score lives on the
/// member, so no posting list is in that order; instead each grade band (best first)
/// walks the rarest term's id-ordered postings with the band as a filter and stops as
/// soon as the page is full. Sorting every match by exact score took 584 ms at 1M
/// listings for a common word; see BENCHMARKS.md.
async fn by_grade_bands(
    pool: &MySqlPool,
    p: &SearchParams,
    plan: &Plan,
) -> AppResult<Vec<SearchRow>> {
    let want = PAGE_SIZE as usize + 1;
    let first = p.after.map_or(5, |c| BreadGrade::from_score(c.trust).0);
    let lowest = p.min_grade.unwrap_or(1).max(1);
    let mut rows: Vec<SearchRow> = Vec::new();
    for grade in (lowest..=first).rev() {
        let hi = if grade == 5 {
            u16::MAX
        } else {
            BreadGrade::min_score(grade + 1) - 1
        };
        let (mut sql, id_col, _) = filtered(
            p,
            plan,
            false,
            Some((BreadGrade::min_score(grade), hi)),
            None,
        );
        if let Some(c) = p.after.filter(|_| grade == first) {
            sql.push(format!(" AND {id_col} < ")).push_bind(c.id);
        }
        sql.push(format!(" ORDER BY {id_col} DESC LIMIT "))
            .push_bind((want - rows.len()) as u32);
        rows.extend(sql.build_query_as::<SearchRow>().fetch_all(pool).await?);
        if rows.len() >= want {
            break;
        }
    }
    Ok(rows)
}
