//! Listing reports (PRODUCT_10): members report a listing once each, up to a daily cap;
//! admins work through the open ones a listing at a time and take it down or dismiss.

use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use super::audit;
use crate::error::{AppError, AppResult};
use crate::features::listings::server::manage::NewStatus;
use crate::features::listings::server::repo::{StatusSet, set_status_in};
use crate::features::listings::types::{ListingStatus, ReportReason};
use crate::features::moderation::types::{
    AuditAction, ListingQueueCursor, ListingReportLine, ListingReportOutcome, ListingReportQueue,
    ReportedListing,
};
use crate::features::notifications::server::repo::{NewNotice, raise};
use crate::features::notifications::types::NoticeKind;

/// Reports (of listings) one member may file in a day: enough for an honest member who
/// stumbles on a pirate's shelf, too few to bury the queue.
pub const REPORTS_PER_DAY: i64 = 10;

/// How many listing reports `reporter` filed in the day before `now`.
pub async fn reports_today(pool: &MySqlPool, reporter: u64, now: DateTime<Utc>) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(
        "SELECT COUNT(*) FROM listing_report WHERE reporter_id = ? AND created_at > ?",
        reporter,
        (now - Duration::days(1)).naive_utc()
    )
    .fetch_one(pool)
    .await?)
}

/// Listings with open reports, the longest-waiting first, keyset-paged on (first open
/// report, listing). Two static queries: the page of listings with their sellers'
/// records, then the open reports of those listings.
pub async fn queue(
    pool: &MySqlPool,
    after: Option<ListingQueueCursor>,
    limit: u32,
) -> AppResult<ListingReportQueue> {
    let (after_at, after_id) = match after {
        Some(c) => (c.at.naive_utc(), c.listing_id),
        None => (DateTime::<Utc>::UNIX_EPOCH.naive_utc(), 0),
    };
    let listings = sqlx::query!(
        "SELECT q.listing_id, q.first_at AS `first_at!`, b.title, b.author, l.price,
                l.status AS `status: String`, l.description, l.cover_photo, l.seller_id,
                m.nickname AS seller_nickname, m.created_at AS seller_joined,
                (SELECT COUNT(DISTINCT x.listing_id) FROM listing y
                   JOIN listing_report x ON x.listing_id = y.id
                  WHERE y.seller_id = l.seller_id AND x.outcome = 'removed') AS `removed_before!: i64`,
                (SELECT COUNT(*) FROM listing y
                   JOIN listing_report x ON x.listing_id = y.id
                  WHERE y.seller_id = l.seller_id AND y.id <> l.id
                    AND x.handled_at IS NULL) AS `other_open!: i64`
         FROM (SELECT listing_id, MIN(created_at) AS first_at FROM listing_report
               WHERE handled_at IS NULL
               GROUP BY listing_id
               HAVING first_at > ? OR (first_at = ? AND listing_id > ?)
               ORDER BY first_at, listing_id
               LIMIT ?) q
         JOIN listing l ON l.id = q.listing_id
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         ORDER BY q.first_at, q.listing_id",
        after_at,
        after_at,
        after_id,
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    // The open reports of exactly the listings on this page (their ids as a JSON array),
    // not the grouping again: one grouping per page, and both lists agree.
    let shown: Vec<u64> = listings
        .iter()
        .take(limit as usize)
        .map(|l| l.listing_id)
        .collect();
    let page_ids = serde_json::to_string(&shown).map_err(|_| AppError::Internal)?;
    let reports = sqlx::query!(
        "SELECT r.listing_id, r.reason AS `reason: String`, r.detail, r.created_at,
                p.nickname AS reporter_nickname,
                (SELECT COUNT(*) FROM listing_report d
                  WHERE d.reporter_id = r.reporter_id AND d.outcome = 'dismissed')
                + (SELECT COUNT(*) FROM chat_report d
                  WHERE d.reporter_id = r.reporter_id AND d.outcome = 'dismissed')
                  AS `reporter_dismissed!: i64`
         FROM JSON_TABLE(?, '$[*]' COLUMNS (listing_id BIGINT UNSIGNED PATH '$')) q
         JOIN listing_report r ON r.listing_id = q.listing_id AND r.handled_at IS NULL
         JOIN member p ON p.id = r.reporter_id
         ORDER BY r.created_at, r.id",
        page_ids
    )
    .fetch_all(pool)
    .await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut items: Vec<(DateTime<Utc>, ReportedListing)> = listings
        .into_iter()
        .map(|l| {
            let lines = reports
                .iter()
                .filter(|r| r.listing_id == l.listing_id)
                .map(|r| ListingReportLine {
                    // The column is an ENUM of exactly these values.
                    reason: ReportReason::from_db(&r.reason).unwrap_or(ReportReason::Other),
                    detail: r.detail.clone(),
                    reporter_nickname: r.reporter_nickname.clone(),
                    reporter_dismissed: count(r.reporter_dismissed),
                    at: r.created_at.and_utc(),
                })
                .collect();
            let item = ReportedListing {
                listing_id: l.listing_id,
                title: l.title,
                author: l.author,
                price: i64::from(l.price),
                status: ListingStatus::from_db(&l.status),
                description: l.description,
                cover_photo: l.cover_photo,
                seller_id: l.seller_id,
                seller_nickname: l.seller_nickname,
                seller_joined: l.seller_joined.and_utc(),
                seller_removed_before: count(l.removed_before),
                seller_other_open: count(l.other_open),
                reports: lines,
            };
            (l.first_at.and_utc(), item)
        })
        .collect();
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|(at, l)| ListingQueueCursor {
            at: *at,
            listing_id: l.listing_id,
        })
    } else {
        None
    };
    Ok(ListingReportQueue {
        items: items.into_iter().map(|(_, l)| l).collect(),
        next,
    })
}

/// Who was told of a closed report, for the live nudge.
pub struct ClosedListingReports {
    pub told: Vec<u64>,
}

/// Closes every open report on `listing_id` with `outcome`, in one transaction with the
/// take-down, the notices (reporters: what became of their report; the seller: that and
/// why it was taken down) and the audit entry. A second admin acting on the same listing
/// is told it was handled already (the first one's update locked the rows).
pub async fn close(
    pool: &MySqlPool,
    listing_id: u64,
    admin: u64,
    outcome: ListingReportOutcome,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<ClosedListingReports> {
    let mut tx = pool.begin().await?;
    let listing = sqlx::query!(
        "SELECT l.seller_id, b.title FROM listing l JOIN book b ON b.id = l.book_id
         WHERE l.id = ?",
        listing_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let open = sqlx::query!(
        "SELECT reporter_id, reason AS `reason: String` FROM listing_report
         WHERE listing_id = ? AND handled_at IS NULL
         ORDER BY created_at
         FOR UPDATE",
        listing_id
    )
    .fetch_all(&mut *tx)
    .await?;
    if open.is_empty() {
        return Err(AppError::Rejected(
            "이미 처리했거나 신고가 없는 판매글이에요.".into(),
        ));
    }
    if outcome == ListingReportOutcome::Removed
        && set_status_in(&mut tx, listing_id, NewStatus::Delete, now).await? == StatusSet::Held
    {
        return Err(AppError::Rejected(
            "진행 중인 주문이 있어 내릴 수 없어요. 주문이 끝나거나 취소된 뒤에 내려 주세요.".into(),
        ));
    }
    sqlx::query!(
        "UPDATE listing_report SET handled_at = ?, handled_by = ?, outcome = ?
         WHERE listing_id = ? AND handled_at IS NULL",
        now.naive_utc(),
        admin,
        outcome.as_db(),
        listing_id
    )
    .execute(&mut *tx)
    .await?;
    let t: String = listing.title.chars().take(30).collect();
    let to_reporters = match outcome {
        ListingReportOutcome::Removed => {
            format!("신고하신 〈{t}〉 판매글을 내렸어요. 알려 주셔서 고마워요.")
        }
        ListingReportOutcome::Dismissed => {
            format!("신고하신 〈{t}〉 판매글을 살펴봤지만 운영 정책에 어긋나는 점은 찾지 못했어요.")
        }
    };
    let listing_link = format!("/listings/{listing_id}");
    let mut told = Vec::with_capacity(open.len() + 1);
    for report in &open {
        let notice = NewNotice {
            member_id: report.reporter_id,
            kind: NoticeKind::Report,
            event: outcome.as_db(),
            subject_id: listing_id,
            body: &to_reporters,
            link: &listing_link,
        };
        raise(&mut tx, &notice, now).await?;
        told.push(report.reporter_id);
    }
    let reasons = reason_summary(open.iter().map(|r| r.reason.as_str()));
    if outcome == ListingReportOutcome::Removed {
        let body = if note.trim().is_empty() {
            format!("〈{t}〉 판매글이 신고({reasons})로 내려졌어요.")
        } else {
            format!(
                "〈{t}〉 판매글이 신고({reasons})로 내려졌어요. 사유: {}",
                note.trim()
            )
        };
        let notice = NewNotice {
            member_id: listing.seller_id,
            kind: NoticeKind::Report,
            event: "taken_down",
            subject_id: listing_id,
            body: &body,
            link: "/me/listings",
        };
        raise(&mut tx, &notice, now).await?;
        told.push(listing.seller_id);
    }
    let action = match outcome {
        ListingReportOutcome::Removed => AuditAction::ListingRemoved,
        ListingReportOutcome::Dismissed => AuditAction::ListingReportDismissed,
    };
    let detail = match note.trim() {
        "" => reasons,
        note => format!("{reasons} · {note}"),
    };
    audit::record(&mut tx, admin, action, listing_id, &detail, now).await?;
    tx.commit().await?;
    Ok(ClosedListingReports { told })
}

/// "불법 복제물 2, 기타 1": the reasons given, most given first.
fn reason_summary<'a>(reasons: impl Iterator<Item = &'a str>) -> String {
    let mut counts: Vec<(ReportReason, u32)> = Vec::new();
    for r in reasons.filter_map(ReportReason::from_db) {
        match counts.iter_mut().find(|(k, _)| *k == r) {
            Some((_, n)) => *n += 1,
            None => counts.push((r, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .into_iter()
        .map(|(r, n)| {
            if n == 1 {
                r.label().to_owned()
            } else {
                format!("{} {n}", r.label())
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_summed_most_given_first() {
        let given = ["other", "pirated", "pirated"];
        assert_eq!(
            reason_summary(given.into_iter()),
            "불법 복제물 (제본·스캔본) 2, 기타"
        );
    }
}
