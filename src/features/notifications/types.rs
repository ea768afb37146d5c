//! Notices as the browser sees them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a notice is about. The database keeps `as_db`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A new message in a room (one notice per room, refreshed).
    Chat,
    /// A step of one of the member's trades, as buyer or seller.
    Order,
    /// Someone reviewed the member after a trade.
    Review,
    /// A restriction the moderators (or the report rule) put on the member.
    Sanction,
    /// A listing the member wished changed its price or status (one notice per listing
    /// and kind of change, refreshed).
    Wish,
    /// A listing matching one of the member's wanted alerts came up for sale.
    Wanted,
    /// What admins did with the member's report, or with a report of the member's listing.
    Report,
}

impl NoticeKind {
    pub const ALL: [Self; 7] = [
        Self::Chat,
        Self::Order,
        Self::Review,
        Self::Sanction,
        Self::Wish,
        Self::Wanted,
        Self::Report,
    ];

    /// The kinds a member may turn off. What moderators did is always told: a seller whose
    /// listing was taken down must learn why.
    pub const SWITCHABLE: [Self; 5] = [
        Self::Chat,
        Self::Order,
        Self::Review,
        Self::Wish,
        Self::Wanted,
    ];

    pub fn as_db(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Order => "order",
            Self::Review => "review",
            Self::Sanction => "sanction",
            Self::Wish => "wish",
            Self::Wanted => "wanted",
            Self::Report => "report",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_db() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Chat => "채팅",
            Self::Order => "거래",
            Self::Review => "후기",
            Self::Sanction => "이용 제한",
            Self::Wish => "찜",
            Self::Wanted => "찾는 책",
            Self::Report => "신고 처리",
        }
    }

    /// What the setting's switch says.
    pub fn setting_label(self) -> &'static str {
        match self {
            Self::Chat => "새 채팅 메시지",
            Self::Order => "주문·결제·배송 등 거래 진행",
            Self::Review => "받은 거래 후기",
            Self::Sanction => "이용 제한",
            Self::Wish => "찜한 책의 가격·판매 상태 변경",
            Self::Wanted => "찾는 책 알림에 맞는 새 판매글",
            Self::Report => "신고 처리 결과",
        }
    }

    pub fn switchable(self) -> bool {
        Self::SWITCHABLE.contains(&self)
    }
}

/// One notice in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub body: String,
    /// The page it is about (`/orders/12`, `/chat/3`).
    pub link: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// Where the next page starts: the last notice shown (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeCursor {
    pub at: DateTime<Utc>,
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePage {
    pub items: Vec<Notice>,
    pub next: Option<NoticeCursor>,
}

pub const PAGE_SIZE: u32 = 20;

/// One kind's switch in the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSetting {
    pub kind: NoticeKind,
    pub enabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_sanctions_cannot_be_turned_off() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::from_db(k.as_db()), Some(k));
        }
        assert!(!NoticeKind::Sanction.switchable());
        assert!(!NoticeKind::Report.switchable());
        assert!(NoticeKind::Order.switchable());
    }
}
