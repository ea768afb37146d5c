//! Orders and payments: the types and rules the browser and the
//! server share (validation runs in both).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::features::listings::types::{Condition, DeliveryWays, PaymentWays};
use crate::features::reviews::types::ReviewView;

mod address;
pub use address::*;

/// How long a safe-payment order waits for its payment.
pub const PAYMENT_WINDOW_MINUTES: i64 = 15;
/// Default days after shipping before the purchase confirms itself (config may change it).
pub const AUTO_CONFIRM_DAYS: i64 = 7;
pub const TRADES_PAGE_SIZE: u32 = 20;

/// The escrow state machine (safe payment) and the cash path:
///
/// ```text
/// safe pay: pending ─pay→ paid ─ship→ shipped ─confirm / auto→ received ─settle→ settled
///              │            └──────────── confirm (handed over in person) ──┘
///              ├─15 min→ expired        paid ─cancel→ cancelled (refunded)
///              └─cancel→ cancelled
/// cash:     agreed ─seller completes→ completed      agreed ─cancel→ cancelled
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Agreed,
    Paid,
    Shipped,
    Received,
    Settled,
    Completed,
    Cancelled,
    Expired,
}

impl OrderStatus {
    /// Whether the seller may see the buyer's name, phone and address: only once the
    /// order is paid (parcel) and while it has not been cancelled or let lapse. Listing a
    /// cheap book must not collect the addresses of everyone who starts to buy it.
    pub fn shows_buyer_contact_to_seller(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid
                | OrderStatus::Shipped
                | OrderStatus::Received
                | OrderStatus::Settled
                | OrderStatus::Completed
        )
    }

    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Pending,
        OrderStatus::Agreed,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Received,
        OrderStatus::Settled,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Expired,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            OrderStatus::Pending => "결제 대기",
            OrderStatus::Agreed => "직거래 약속",
            OrderStatus::Paid => "결제 완료",
            OrderStatus::Shipped => "배송 중",
            OrderStatus::Received => "구매 확정",
            OrderStatus::Settled => "정산 완료",
            OrderStatus::Completed => "거래 완료",
            OrderStatus::Cancelled => "취소됨",
            OrderStatus::Expired => "결제 시간 초과",
        }
    }

    pub fn as_db(&self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Agreed => "agreed",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Received => "received",
            OrderStatus::Settled => "settled",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Expired => "expired",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_db() == s)
    }

    /// The trade happened: the book changed hands (reviews are open, it counts for trust).
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            OrderStatus::Received | OrderStatus::Settled | OrderStatus::Completed
        )
    }

    /// The order no longer holds the listing.
    pub fn is_void(&self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Expired)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    /// 직거래 현금: money changes hands in person; the seller marks the trade complete.
    Cash,
    /// 안전결제: the money is held until the buyer confirms.
    #[default]
    SafePay,
}

impl PayMethod {
    pub fn as_db(&self) -> &'static str {
        match self {
            PayMethod::Cash => "cash",
            PayMethod::SafePay => "safe_pay",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "cash" => Some(PayMethod::Cash),
            "safe_pay" => Some(PayMethod::SafePay),
            _ => None,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            PayMethod::Cash => "직거래 현금",
            PayMethod::SafePay => "안전결제",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The local sandbox: works offline, moves no money, labelled "테스트 결제".
    #[default]
    Sandbox,
    Toss,
    Kakao,
}

impl ProviderKind {
    pub fn as_db(&self) -> &'static str {
        match self {
            ProviderKind::Sandbox => "sandbox",
            ProviderKind::Toss => "toss",
            ProviderKind::Kakao => "kakao",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "sandbox" => Some(ProviderKind::Sandbox),
            "toss" => Some(ProviderKind::Toss),
            "kakao" => Some(ProviderKind::Kakao),
            _ => None,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            ProviderKind::Sandbox => "테스트 결제",
            ProviderKind::Toss => "토스페이",
            ProviderKind::Kakao => "카카오페이",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChoice {
    #[default]
    Parcel,
    Meet,
    Pickup,
}

impl DeliveryChoice {
    pub fn as_db(&self) -> &'static str {
        match self {
            DeliveryChoice::Parcel => "parcel",
            DeliveryChoice::Meet => "meet",
            DeliveryChoice::Pickup => "pickup",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "parcel" => Some(DeliveryChoice::Parcel),
            "meet" => Some(DeliveryChoice::Meet),
            "pickup" => Some(DeliveryChoice::Pickup),
            _ => None,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            DeliveryChoice::Parcel => "택배",
            DeliveryChoice::Meet => "직거래",
            DeliveryChoice::Pickup => "방문 수령",
        }
    }
}

impl DeliveryChoice {
    /// Whether the listing offers this way of handing the book over.
    pub fn offered_by(self, ways: DeliveryWays) -> bool {
        match self {
            DeliveryChoice::Parcel => ways.parcel,
            DeliveryChoice::Meet => ways.meet,
            DeliveryChoice::Pickup => ways.pickup,
        }
    }
}

impl PayMethod {
    /// Whether the listing takes this way of paying (cash in person covers a transfer).
    pub fn accepted_by(self, ways: PaymentWays) -> bool {
        match self {
            PayMethod::SafePay => ways.safe_pay,
            PayMethod::Cash => ways.cash || ways.bank_transfer,
        }
    }
}

/// What happened to an order, as its audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Ordered,
    Agreed,
    PaymentFailed,
    Paid,
    Shipped,
    Received,
    AutoReceived,
    Settled,
    Completed,
    Cancelled,
    Refunded,
    Expired,
    Disputed,
    Released,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Ordered,
        EventKind::Agreed,
        EventKind::PaymentFailed,
        EventKind::Paid,
        EventKind::Shipped,
        EventKind::Received,
        EventKind::AutoReceived,
        EventKind::Settled,
        EventKind::Completed,
        EventKind::Cancelled,
        EventKind::Refunded,
        EventKind::Expired,
        EventKind::Disputed,
        EventKind::Released,
    ];

    pub fn as_db(&self) -> &'static str {
        match self {
            EventKind::Ordered => "ordered",
            EventKind::Agreed => "agreed",
            EventKind::PaymentFailed => "payment_failed",
            EventKind::Paid => "paid",
            EventKind::Shipped => "shipped",
            EventKind::Received => "received",
            EventKind::AutoReceived => "auto_received",
            EventKind::Settled => "settled",
            EventKind::Completed => "completed",
            EventKind::Cancelled => "cancelled",
            EventKind::Refunded => "refunded",
            EventKind::Expired => "expired",
            EventKind::Disputed => "disputed",
            EventKind::Released => "released",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_db() == s)
    }

    /// The system line the trade's chat room shows for this step (said of both sides,
    /// since both read it); None for steps the other side need not see.
    pub fn room_line(self) -> Option<&'static str> {
        Some(match self {
            EventKind::Ordered | EventKind::PaymentFailed => return None,
            EventKind::Agreed => "직거래 주문이 들어왔어요",
            EventKind::Paid => "구매자가 결제했어요 · 안전결제로 보관 중",
            EventKind::Shipped => "판매자가 책을 보냈어요",
            EventKind::Received | EventKind::Completed => "구매자가 구매를 확정했어요",
            EventKind::AutoReceived => "구매가 자동으로 확정됐어요",
            EventKind::Settled => "판매 대금이 정산됐어요",
            EventKind::Cancelled => "주문이 취소됐어요",
            EventKind::Refunded => "결제가 환불됐어요",
            EventKind::Expired => "결제 시간이 지나 주문이 취소됐어요",
            EventKind::Disputed => "구매자가 거래 문제를 신고했어요",
            EventKind::Released => "관리자가 판매자에게 정산하기로 했어요",
        })
    }

    pub fn label(&self) -> &'static str {
        match self {
            EventKind::Ordered => "주문했어요",
            EventKind::Agreed => "직거래 약속을 잡았어요",
            EventKind::PaymentFailed => "결제가 실패했어요",
            EventKind::Paid => "결제했어요 (안전결제 보관 중)",
            EventKind::Shipped => "발송했어요",
            EventKind::Received => "구매를 확정했어요",
            EventKind::AutoReceived => "자동으로 구매 확정되었어요",
            EventKind::Settled => "판매 대금이 정산되었어요",
            EventKind::Completed => "거래를 완료했어요",
            EventKind::Cancelled => "주문을 취소했어요",
            EventKind::Refunded => "결제를 환불했어요",
            EventKind::Expired => "결제 시간이 지나 주문이 취소되었어요",
            EventKind::Disputed => "문제를 신고했어요 (자동 확정 보류)",
            EventKind::Released => "관리자가 판매자에게 정산하기로 했어요",
        }
    }
}

/// What the buyer chose on the confirmation page (pay_001, pay_002).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInput {
    pub listing_id: u64,
    #[serde(default)]
    pub method: PayMethod,
    #[serde(default)]
    pub provider: ProviderKind,
    #[serde(default)]
    pub delivery: DeliveryChoice,
    /// A saved address to ship to; otherwise `address` is used (parcel only).
    #[serde(default)]
    pub address_id: Option<u64>,
    #[serde(default)]
    pub address: AddressInput,
    /// Generated once per confirmation page: a double submit finds the first order.
    #[serde(default)]
    pub idempotency_key: String,
}

/// A UUID as produced by `crypto.randomUUID()` / uuid v4 (36 ASCII chars).
pub fn check_idempotency_key(key: &str) -> Result<(), AppError> {
    let ok = key.len() == 36
        && key.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if ok {
        Ok(())
    } else {
        Err(AppError::BadRequest)
    }
}

/// Everything the confirmation page shows before the buyer commits (pay_002).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyQuote {
    pub listing_id: u64,
    pub title: String,
    pub isbn13: String,
    pub condition: Condition,
    pub price: i64,
    pub cover: Option<String>,
    pub seller_nickname: String,
    pub parcel: bool,
    pub meet: bool,
    pub pickup: bool,
    pub meet_label: Option<String>,
    pub pay_safe: bool,
    pub pay_cash: bool,
    pub providers: Vec<ProviderKind>,
    pub addresses: Vec<SavedAddress>,
}

/// Where the browser goes after placing an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    pub order_id: u64,
    /// The provider's checkout page (safe pay) or the order page (cash).
    pub next_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeRole {
    Buyer,
    Seller,
}

impl TradeRole {
    pub fn label(&self) -> &'static str {
        match self {
            TradeRole::Buyer => "구매",
            TradeRole::Seller => "판매",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub kind: EventKind,
    pub label: String,
    pub at: DateTime<Utc>,
}

/// What the viewer may do next; computed by the server from the state and the role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderActions {
    pub pay: bool,
    pub ship: bool,
    pub confirm: bool,
    pub complete: bool,
    pub cancel: bool,
    pub dispute: bool,
    pub review: bool,
    /// Admin only, on a disputed order: refund the buyer or release to the seller.
    pub resolve: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub id: u64,
    pub order_no: String,
    pub listing_id: u64,
    pub title: String,
    pub amount: i64,
    pub method: PayMethod,
    pub provider: Option<ProviderKind>,
    pub delivery: DeliveryChoice,
    pub ship_to: Option<AddressInput>,
    pub status: OrderStatus,
    /// None for an admin looking at someone else's order.
    pub role: Option<TradeRole>,
    pub buyer_nickname: String,
    pub seller_id: u64,
    pub seller_nickname: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub auto_confirm_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub disputed: bool,
    pub dispute_reason: Option<String>,
    pub cancel_reason: Option<String>,
    pub events: Vec<OrderEvent>,
    pub actions: OrderActions,
    pub my_review: Option<ReviewView>,
    /// The other side's review of the viewer, once it is visible (double-blind).
    pub their_review: Option<ReviewView>,
    /// They wrote one that is still hidden until the viewer writes theirs (or 7 days).
    pub their_review_hidden: bool,
    /// Why the last payment attempt failed, while the order still waits for payment.
    pub payment_failure: Option<String>,
}

/// One row of "my trades" (USER-PAYMENT-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeRow {
    pub id: u64,
    pub order_no: String,
    pub title: String,
    pub amount: i64,
    pub status: OrderStatus,
    pub counterpart: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeCursor {
    pub created_at: DateTime<Utc>,
    pub id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradePage {
    /// The side shown: the one asked for, or else the side of the member's latest trade.
    pub role: TradeRole,
    pub items: Vec<TradeRow>,
    pub next: Option<TradeCursor>,
}

/// Parcel tracking as the seller types it.
pub fn check_tracking(carrier: &str, tracking_no: &str) -> Result<(String, String), AppError> {
    let mut errors = Vec::new();
    let carrier = carrier.trim();
    if carrier.is_empty() || carrier.chars().count() > 30 {
        errors.push(FieldError {
            field: "carrier".into(),
            message: "택배사를 선택해 주세요.".into(),
        });
    }
    let number: String = tracking_no
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    if !(8..=30).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
        errors.push(FieldError {
            field: "tracking_no".into(),
            message: "운송장 번호를 확인해 주세요. (숫자 8~30자리)".into(),
        });
    }
    if errors.is_empty() {
        Ok((carrier.to_owned(), number))
    } else {
        Err(AppError::Validation(errors))
    }
}

pub const CARRIERS: [&str; 6] = [
    "CJ대한통운",
    "우체국택배",
    "한진택배",
    "롯데택배",
    "로젠택배",
    "GS25 반값택배",
];

#[cfg(test)]
mod tests;

/// What the sandbox checkout shows its buyer, with the payment key it hands back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxCheckout {
    pub order_no: String,
    pub title: String,
    pub amount: i64,
    /// Made by the sandbox when the checkout opened; nobody else can compute it.
    pub payment_key: String,
}
