//! Reviewing a finished trade: one review per side, hidden until both wrote or the
//! blind period ended, counted into the reviewee's trust score exactly once.

use chrono::Duration;

use super::{rejected, role_of, visible_order};
use crate::error::{AppError, AppResult};
use crate::features::notifications::server::live as notice_live;
use crate::features::notifications::server::repo::{NewNotice, raise};
use crate::features::notifications::types::NoticeKind;
use crate::features::orders::types::TradeRole;
use crate::features::reviews::server::repo::{self as reviews, NewReview};
use crate::features::reviews::types::{REVIEW_BLIND_DAYS, check_review};
use crate::server::AppState;
use crate::server::session::Caller;

pub async fn write_review(
    state: &AppState,
    caller: Caller,
    id: u64,
    stars: u8,
    body: &str,
) -> AppResult<()> {
    let order = visible_order(state, caller, id).await?;
    let Some(role) = role_of(&order, caller) else {
        return Err(AppError::Forbidden);
    };
    if !order.status.is_done() {
        return Err(rejected("거래가 끝난 뒤에 후기를 남길 수 있어요."));
    }
    check_review(stars, body)?;
    let reviewee = match role {
        TradeRole::Buyer => order.seller_id,
        TradeRole::Seller => order.buyer_id,
    };
    let now = state.clock.now();
    let review = NewReview {
        order_id: id,
        reviewer_id: caller.id,
        reviewee_id: reviewee,
        role,
        stars,
        body: body.trim(),
        visible_at: now + Duration::days(REVIEW_BLIND_DAYS),
    };
    // One review per side (a unique key): never stored twice, so it may run again after
    // a lost COMMIT; the same review found then is this one.
    crate::server::db::retry_keyed(|| store_review(state, &review, &order.book_title, now)).await?;
    notice_live::nudge(state, &[reviewee]);
    Ok(())
}

async fn store_review(
    state: &AppState,
    review: &NewReview<'_>,
    title: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let mut tx = state.pool.begin().await?;
    if !reviews::insert_review(&mut tx, review, now).await? {
        if reviews::same_review(&mut tx, review).await? {
            return Ok(());
        }
        return Err(rejected("이 거래에는 이미 후기를 남겼어요."));
    }
    reviews::reveal_if_both(&mut tx, review.order_id, now).await?;
    // Told that a review came, not what it says: it stays hidden until both sides wrote
    // or the blind period ends.
    let t: String = title.chars().take(30).collect();
    let body = format!("〈{t}〉 거래 상대가 후기를 남겼어요.");
    let link = format!("/orders/{}", review.order_id);
    let notice = NewNotice {
        member_id: review.reviewee_id,
        kind: NoticeKind::Review,
        event: "",
        subject_id: review.order_id,
        body: &body,
        link: &link,
    };
    raise(&mut tx, &notice, now).await?;
    for id in reviews::order_review_ids(&mut tx, review.order_id).await? {
        reviews::count_review(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
