//! What each step of an order tells its buyer and seller (issue 23). Raised in the
//! step's own transaction (`transition::apply`): a step happens once, so its notices
//! do, and a step rolled back takes its notices with it. The side who took the step is
//! not told what they just did.

use chrono::{DateTime, Utc};

use super::repo::{OrderRow, Tx};
use crate::features::notifications::server::repo::{NewNotice, raise};
use crate::features::notifications::types::NoticeKind;
use crate::features::orders::types::EventKind;

/// Who hears of `kind` on `order` and what they are told; `actor` took the step (None:
/// the system did).
pub fn recipients(
    order_buyer: u64,
    order_seller: u64,
    title: &str,
    kind: EventKind,
    actor: Option<u64>,
) -> Vec<(u64, String)> {
    let t: String = title.chars().take(30).collect();
    let other_than_actor = |text: String| -> Vec<(u64, String)> {
        [order_buyer, order_seller]
            .into_iter()
            .filter(|m| Some(*m) != actor)
            .map(|m| (m, text.clone()))
            .collect()
    };
    match kind {
        EventKind::Agreed => vec![(
            order_seller,
            format!("〈{t}〉 직거래 주문이 들어왔어요. 채팅으로 약속을 잡아 보세요."),
        )],
        EventKind::Paid => vec![(
            order_seller,
            format!("〈{t}〉 결제가 완료됐어요. 책을 보내 주세요."),
        )],
        EventKind::Shipped => vec![(order_buyer, format!("〈{t}〉 배송이 시작됐어요."))],
        EventKind::Received | EventKind::Completed => {
            vec![(order_seller, format!("〈{t}〉 구매가 확정됐어요."))]
        }
        EventKind::AutoReceived => vec![
            (order_seller, format!("〈{t}〉 구매가 자동으로 확정됐어요.")),
            (
                order_buyer,
                format!("〈{t}〉 배송 후 기간이 지나 구매가 자동으로 확정됐어요."),
            ),
        ],
        EventKind::Released => {
            other_than_actor(format!("〈{t}〉 문제 신고가 처리되어 거래가 확정됐어요."))
        }
        EventKind::Cancelled => other_than_actor(format!("〈{t}〉 주문이 취소됐어요.")),
        EventKind::Expired => vec![(
            order_buyer,
            format!("〈{t}〉 결제 시간이 지나 주문이 취소됐어요."),
        )],
        EventKind::Disputed => other_than_actor(format!(
            "〈{t}〉 거래에 문제가 신고됐어요. 내용을 확인해 주세요."
        )),
        EventKind::Settled => vec![(order_seller, format!("〈{t}〉 판매 대금이 정산됐어요."))],
        EventKind::Refunded => vec![(order_buyer, format!("〈{t}〉 환불이 완료됐어요."))],
        // A safe-pay order waits for its payment; the seller hears when it is paid.
        EventKind::Ordered | EventKind::PaymentFailed => Vec::new(),
    }
}

/// Raises `kind`'s notices for `order` in the step's transaction.
pub async fn raise_for(
    tx: &mut Tx<'_>,
    order: &OrderRow,
    kind: EventKind,
    actor: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    raise_for_parts(
        tx,
        order.id,
        order.buyer_id,
        order.seller_id,
        &order.book_title,
        kind,
        actor,
        now,
    )
    .await
}

/// The same for an order known by its parts (placing one, before its row is read).
#[allow(clippy::too_many_arguments)]
pub async fn raise_for_parts(
    tx: &mut Tx<'_>,
    order_id: u64,
    buyer: u64,
    seller: u64,
    title: &str,
    kind: EventKind,
    actor: Option<u64>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let link = format!("/orders/{order_id}");
    for (member_id, body) in recipients(buyer, seller, title, kind, actor) {
        let notice = NewNotice {
            member_id,
            kind: NoticeKind::Order,
            event: kind.as_db(),
            subject_id: order_id,
            body: &body,
            link: &link,
        };
        raise(tx, &notice, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUYER: u64 = 1;
    const SELLER: u64 = 2;

    fn who(kind: EventKind, actor: Option<u64>) -> Vec<u64> {
        recipients(BUYER, SELLER, "채식주의자", kind, actor)
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    }

    #[test]
    fn each_step_tells_the_side_that_did_not_take_it() {
        assert_eq!(who(EventKind::Paid, Some(BUYER)), [SELLER]);
        assert_eq!(who(EventKind::Shipped, Some(SELLER)), [BUYER]);
        assert_eq!(who(EventKind::Received, Some(BUYER)), [SELLER]);
        assert_eq!(who(EventKind::Cancelled, Some(BUYER)), [SELLER]);
        assert_eq!(who(EventKind::Cancelled, Some(SELLER)), [BUYER]);
        // The system cancelled (or an admin): both hear.
        assert_eq!(who(EventKind::Cancelled, None), [BUYER, SELLER]);
        assert_eq!(who(EventKind::Disputed, Some(BUYER)), [SELLER]);
        assert_eq!(who(EventKind::Settled, None), [SELLER]);
        assert_eq!(who(EventKind::AutoReceived, None), [SELLER, BUYER]);
        assert!(who(EventKind::Ordered, Some(BUYER)).is_empty());
        let (_, text) = &recipients(BUYER, SELLER, "채식주의자", EventKind::Paid, None)[0];
        assert_eq!(text, "〈채식주의자〉 결제가 완료됐어요. 책을 보내 주세요.");
    }
}
