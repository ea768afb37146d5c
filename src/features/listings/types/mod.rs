use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};
use crate::features::courses::types::{CourseFiling, CourseTag, check_course};
use crate::features::photos::types::check_photo_keys;
use crate::text::{multi_line, one_line};

/// 상 / 중 / 하.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Good,
    Fair,
    Poor,
}

impl Condition {
    pub fn label(&self) -> &'static str {
        match self {
            Condition::Good => "상",
            Condition::Fair => "중",
            Condition::Poor => "하",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "good" => Some(Condition::Good),
            "fair" => Some(Condition::Fair),
            "poor" => Some(Condition::Poor),
            _ => None,
        }
    }
    pub fn as_db(&self) -> &'static str {
        match self {
            Condition::Good => "good",
            Condition::Fair => "fair",
            Condition::Poor => "poor",
        }
    }
    /// 상 = 2, 중 = 1, 하 = 0: higher is better.
    fn rank(&self) -> u8 {
        match self {
            Condition::Good => 2,
            Condition::Fair => 1,
            Condition::Poor => 0,
        }
    }
}

/// The objective checklist behind the condition grade (what buyers actually ask).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConditionChecklist {
    /// 필기·밑줄
    pub writing: bool,
    /// 물 얼룩·젖음
    pub water_damage: bool,
    /// 찢어진 페이지·낙장
    pub torn_pages: bool,
    /// 부록·CD·해설지 없음
    pub missing_supplements: bool,
}

impl ConditionChecklist {
    /// The best grade the checked defects allow: damage to the text block means 하,
    /// marks or missing parts mean 중 at best, nothing checked allows 상.
    pub fn suggested(&self) -> Condition {
        if self.water_damage || self.torn_pages {
            Condition::Poor
        } else if self.writing || self.missing_supplements {
            Condition::Fair
        } else {
            Condition::Good
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    OnSale,
    Reserved,
    Sold,
}

impl ListingStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ListingStatus::OnSale => "판매중",
            ListingStatus::Reserved => "예약중",
            ListingStatus::Sold => "판매완료",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        match s {
            "on_sale" => Some(ListingStatus::OnSale),
            "reserved" => Some(ListingStatus::Reserved),
            "sold" => Some(ListingStatus::Sold),
            _ => None,
        }
    }
    pub fn as_db(&self) -> &'static str {
        match self {
            ListingStatus::OnSale => "on_sale",
            ListingStatus::Reserved => "reserved",
            ListingStatus::Sold => "sold",
        }
    }
}

/// The ways a listing's book can change hands (the `delivery` SET column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWays {
    pub parcel: bool,
    pub meet: bool,
    pub pickup: bool,
}

impl DeliveryWays {
    pub fn from_db(set: &str) -> Self {
        let has = |way: &str| set.split(',').any(|x| x == way);
        DeliveryWays {
            parcel: has("parcel"),
            meet: has("meet"),
            pickup: has("pickup"),
        }
    }
}

/// The ways a listing's seller takes payment (the `payment_ways` SET column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentWays {
    pub safe_pay: bool,
    pub bank_transfer: bool,
    pub cash: bool,
}

impl PaymentWays {
    pub fn from_db(set: &str) -> Self {
        let has = |way: &str| set.split(',').any(|x| x == way);
        PaymentWays {
            safe_pay: has("safe_pay"),
            bank_transfer: has("bank_transfer"),
            cash: has("cash"),
        }
    }
}

/// One listing as a card in a feed or result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: u64,
    pub title: String,
    pub author: String,
    pub publisher: String,
    /// Whole won.
    pub price: i64,
    pub condition: Condition,
    pub status: ListingStatus,
    pub parcel: bool,
    pub meet: bool,
    pub meet_label: Option<String>,
    pub seller_nickname: String,
    /// The seller's trust score (shown as a bread grade).
    pub seller_trust: u16,
    /// Metres from the searcher to the meet place, when the search knows both.
    #[serde(default)]
    pub distance_m: Option<u32>,
    pub created_at: DateTime<Utc>,
    /// The first photo's key, if the listing has photos.
    pub cover: Option<String>,
}

/// A seller as the seller card shows them (PRODUCT_05).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerSummary {
    pub id: u64,
    pub nickname: String,
    pub joined_at: DateTime<Utc>,
    pub on_sale: u32,
    /// Listings now sold (by an order or marked by hand).
    pub sold: u32,
    /// 0–100, see `reviews::types::trust_score`; shown as a bread grade.
    pub trust_score: u16,
    /// Completed trades as buyer or seller, and visible reviews received.
    pub trades: u32,
    pub reviews: u32,
}

/// How many similar listings a detail page shows.
pub const SIMILAR_SIZE: u32 = 6;

/// How many cards the home feed shows.
pub const HOME_FEED_SIZE: u32 = 24;
/// Longest search text accepted (characters).
pub const MAX_QUERY_CHARS: usize = 100;

pub const MIN_PRICE: i64 = 100;
pub const MAX_PRICE: i64 = 10_000_000;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// "12,000", "12000원", " 12 000 " → 12000, and as people say prices: "1만원" → 10000,
/// "1.5만" → 15000, "1만 2천원" → 12000, "5천" → 5000. Whole won only.
pub fn parse_price(raw: &str) -> Result<i64, String> {
    const NOT_A_NUMBER: &str = "가격은 숫자로만 입력해 주세요. (원 단위)";
    let cleaned: String = raw
        .trim()
        .trim_end_matches('원')
        .chars()
        .filter(|c| !matches!(c, ',' | ' '))
        .collect();
    if cleaned.is_empty() {
        return Err("가격을 입력해 주세요.".into());
    }
    let price = if cleaned.contains(['만', '천']) {
        korean_units(&cleaned).ok_or(NOT_A_NUMBER)?
    } else {
        if !cleaned.chars().all(|c| c.is_ascii_digit()) {
            return Err(NOT_A_NUMBER.into());
        }
        cleaned
            .parse()
            .map_err(|_| "가격이 너무 큽니다.".to_string())?
    };
    if !(MIN_PRICE..=MAX_PRICE).contains(&price) {
        return Err("가격은 100원 이상 1,000만 원 이하로 입력해 주세요.".into());
    }
    Ok(price)
}

/// `[A만][B천][C]`: A and B may have a decimal point as long as the result is whole won.
fn korean_units(s: &str) -> Option<i64> {
    fn scaled(number: &str, scale: i64) -> Option<i64> {
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 4 {
            return None;
        }
        let unit = 10i64.pow(fraction.len() as u32);
        if scale % unit != 0 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().ok()?
        };
        whole
            .checked_mul(scale)?
            .checked_add(fraction * (scale / unit))
    }
    let (man, rest) = s.split_once('만').map_or((None, s), |(a, r)| (Some(a), r));
    let (chun, rest) = rest
        .split_once('천')
        .map_or((None, rest), |(b, r)| (Some(b), r));
    let mut total = 0i64;
    if let Some(a) = man {
        total = total.checked_add(scaled(a, 10_000)?)?;
    }
    if let Some(b) = chun {
        total = total.checked_add(scaled(b, 1_000)?)?;
    }
    if !rest.is_empty() {
        if !rest.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        total = total.checked_add(rest.parse().ok()?)?;
    }
    Some(total)
}

pub fn check_description(text: &str) -> Result<(), String> {
    let n = multi_line(text).chars().count();
    if n > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "설명은 {MAX_DESCRIPTION_CHARS}자까지 쓸 수 있어요. ({}자 초과)",
            n - MAX_DESCRIPTION_CHARS
        ));
    }
    Ok(())
}

/// Where to meet: a label people recognise, and optionally the map point.
pub fn check_meet_place(label: &str, lat: Option<f64>, lng: Option<f64>) -> Result<(), String> {
    let n = label.trim().chars().count();
    if n == 0 {
        return Err("직거래 장소를 입력해 주세요. (예: 신촌역 2번 출구)".into());
    }
    if n > 50 {
        return Err("직거래 장소는 50자까지 입력할 수 있어요.".into());
    }
    match (lat, lng) {
        (None, None) => Ok(()),
        // Roughly South Korea, with its islands.
        (Some(lat), Some(lng))
            if (33.0..=38.7).contains(&lat) && (124.5..=131.9).contains(&lng) =>
        {
            Ok(())
        }
        _ => Err("위치가 대한민국 안이 아니에요. 위치를 다시 지정해 주세요.".into()),
    }
}

/// The sale form as typed (create and edit). Every field defaults so a missing one is
/// a field error, not a malformed request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListingInput {
    /// Create only: the book (edit cannot change it).
    pub isbn: String,
    /// Used only when no catalog source knows the ISBN.
    pub book_title: String,
    pub book_author: String,
    pub book_publisher: String,
    pub category_id: Option<u32>,
    pub price: String,
    pub condition: Option<Condition>,
    pub checklist: ConditionChecklist,
    pub parcel: bool,
    pub pickup: bool,
    pub meet: bool,
    pub meet_label: String,
    pub meet_lat: Option<f64>,
    pub meet_lng: Option<f64>,
    pub pay_safe: bool,
    pub pay_transfer: bool,
    pub pay_cash: bool,
    pub description: String,
    /// Uploaded photo keys in the seller's order; the first is the cover.
    pub photos: Vec<String>,
    /// Optional: file the book under a course ("수업 교재로 등록"); adds, never removes.
    pub course_school_id: Option<u32>,
    pub course_name: String,
    pub course_professor: String,
    /// Edit only: the version the form was loaded at (optimistic concurrency).
    pub version: u32,
    /// Create only: a UUID made once per sale form, so a repeated submit finds the first
    /// listing. Empty: the server makes one for its own retries.
    pub create_key: String,
}

/// A sale form that passed every rule (the book is resolved separately).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidListing {
    pub category_id: u32,
    pub price: i64,
    pub condition: Condition,
    pub checklist: ConditionChecklist,
    pub delivery: Vec<&'static str>,
    pub meet: Option<(String, Option<f64>, Option<f64>)>,
    pub payment_ways: Vec<&'static str>,
    pub description: String,
    pub photos: Vec<String>,
    pub course: Option<CourseFiling>,
}

impl ListingInput {
    /// Every sale rule except the book; all problems at once.
    pub fn validate(&self) -> Result<ValidListing, AppError> {
        let mut errors = Vec::new();
        let mut note = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            })
        };
        if self.category_id.is_none() {
            note("category_id", "분야를 선택해 주세요.".into());
        }
        let price = parse_price(&self.price).map_err(|m| note("price", m)).ok();
        match self.condition {
            None => note("condition", "책 상태를 골라 주세요.".into()),
            Some(c) if c.rank() > self.checklist.suggested().rank() => note(
                "condition",
                format!(
                    "체크한 항목이 있으면 '{}' 이상으로 등록할 수 없어요. ('{}' 추천)",
                    c.label(),
                    self.checklist.suggested().label()
                ),
            ),
            Some(_) => {}
        }
        let delivery: Vec<&'static str> = [
            (self.parcel, "parcel"),
            (self.pickup, "pickup"),
            (self.meet, "meet"),
        ]
        .into_iter()
        .filter_map(|(on, v)| on.then_some(v))
        .collect();
        if delivery.is_empty() {
            note("delivery", "거래 방법을 하나 이상 골라 주세요.".into());
        }
        if self.meet
            && let Err(m) = check_meet_place(&self.meet_label, self.meet_lat, self.meet_lng)
        {
            note("meet_label", m);
        }
        let payment_ways: Vec<&'static str> = [
            (self.pay_safe, "safe_pay"),
            (self.pay_transfer, "bank_transfer"),
            (self.pay_cash, "cash"),
        ]
        .into_iter()
        .filter_map(|(on, v)| on.then_some(v))
        .collect();
        if payment_ways.is_empty() {
            note("payment", "결제 방법을 하나 이상 골라 주세요.".into());
        }
        if let Err(m) = check_description(&self.description) {
            note("description", m);
        }
        if let Err(m) = check_photo_keys(&self.photos) {
            note("photos", m);
        }
        let course = check_course(
            self.course_school_id,
            &self.course_name,
            &self.course_professor,
        )
        .map_err(|problems| {
            for (field, message) in problems {
                note(field, message);
            }
        })
        .ok()
        .flatten();
        match (errors.is_empty(), self.category_id, price, self.condition) {
            (true, Some(category_id), Some(price), Some(condition)) => Ok(ValidListing {
                category_id,
                price,
                condition,
                checklist: self.checklist,
                delivery,
                meet: self
                    .meet
                    .then(|| (one_line(&self.meet_label), self.meet_lat, self.meet_lng)),
                payment_ways,
                description: multi_line(&self.description),
                photos: self.photos.clone(),
                course,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// What the same book sells for (PRODUCT_01 and the reviewers' "show me the price").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceGuide {
    pub lowest_on_sale: Option<i64>,
    pub on_sale: u32,
    pub median_sold: Option<i64>,
    /// Sold in the last `SOLD_WINDOW_DAYS` days, oldest first.
    pub sold: Vec<SoldPoint>,
    /// The category sellers file this book under most often: the sale form's first guess.
    pub usual_category_id: Option<u32>,
}

/// How a seller delivers and takes payment, as on their latest listing: a new sale form
/// starts from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleWays {
    pub parcel: bool,
    pub pickup: bool,
    pub meet: bool,
    pub meet_label: Option<String>,
    pub meet_lat: Option<f64>,
    pub meet_lng: Option<f64>,
    pub pay_safe: bool,
    pub pay_transfer: bool,
    pub pay_cash: bool,
}

/// How far above the going price an asking price gets a gentle word: half again as
/// much, and by at least this many won (so a 1,500원 book at 2,300원 is left alone).
const NUDGE_RATIO: f64 = 1.5;
const NUDGE_MIN_GAP: i64 = 2_000;

/// Where an asking price stands against the guide, when it stands far above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceNudge {
    /// What the book goes for: the recent median sold price, else the lowest on sale.
    pub typical: i64,
    pub lowest_on_sale: Option<i64>,
}

impl PriceGuide {
    pub fn nudge(&self, asking: i64) -> Option<PriceNudge> {
        let typical = self.median_sold.or(self.lowest_on_sale)?;
        let far =
            asking as f64 >= typical as f64 * NUDGE_RATIO && asking - typical >= NUDGE_MIN_GAP;
        far.then_some(PriceNudge {
            typical,
            lowest_on_sale: self.lowest_on_sale,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldPoint {
    pub on: NaiveDate,
    pub price: i64,
}

pub const SOLD_WINDOW_DAYS: i64 = 180;

/// The median of whole-won prices (the lower middle for an even count: never a
/// price nobody asked).
pub fn median(prices: &mut [i64]) -> Option<i64> {
    if prices.is_empty() {
        return None;
    }
    prices.sort_unstable();
    Some(prices[(prices.len() - 1) / 2])
}

/// Everything the detail page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetail {
    pub id: u64,
    pub isbn13: String,
    pub title: String,
    pub author: String,
    pub publisher: String,
    pub published_on: Option<NaiveDate>,
    pub category_id: Option<u32>,
    pub category_trail: Vec<String>,
    pub price: i64,
    pub condition: Condition,
    pub checklist: ConditionChecklist,
    pub status: ListingStatus,
    pub parcel: bool,
    pub pickup: bool,
    pub meet: bool,
    pub meet_label: Option<String>,
    pub meet_lat: Option<f64>,
    pub meet_lng: Option<f64>,
    pub pay_safe: bool,
    pub pay_transfer: bool,
    pub pay_cash: bool,
    pub description: String,
    /// Photo keys in order; the first is the cover.
    pub photos: Vec<String>,
    pub seller_id: u64,
    pub seller_nickname: String,
    /// The seller card; filled by the server function.
    pub seller: SellerSummary,
    pub created_at: DateTime<Utc>,
    pub version: u32,
    /// The viewer may edit (owner or admin).
    pub can_edit: bool,
    pub wish_count: u32,
    /// The signed-in viewer has this listing on their wish list.
    pub wished: bool,
    /// Courses this book is filed under (course lookup).
    pub courses: Vec<CourseTag>,
}

/// A listing's wish state after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishState {
    pub wished: bool,
    pub count: u32,
}

/// Why a listing is reported (PRODUCT_10: pirated copies first of all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    /// 불법 복제물 (제본·스캔본)
    Pirated,
    /// 판매 금지 물품
    Prohibited,
    /// 사진·설명과 다른 책
    Misleading,
    Spam,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::Pirated,
        ReportReason::Prohibited,
        ReportReason::Misleading,
        ReportReason::Spam,
        ReportReason::Other,
    ];
    pub fn label(&self) -> &'static str {
        match self {
            ReportReason::Pirated => "불법 복제물 (제본·스캔본)",
            ReportReason::Prohibited => "판매 금지 물품",
            ReportReason::Misleading => "설명과 다른 책",
            ReportReason::Spam => "스팸·광고",
            ReportReason::Other => "기타",
        }
    }
    pub fn as_db(&self) -> &'static str {
        match self {
            ReportReason::Pirated => "pirated",
            ReportReason::Prohibited => "prohibited",
            ReportReason::Misleading => "misleading",
            ReportReason::Spam => "spam",
            ReportReason::Other => "other",
        }
    }
    pub fn from_db(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_db() == s)
    }
}

pub const MAX_REPORT_DETAIL_CHARS: usize = 500;

/// A seller's public page (PRODUCT_05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerProfile {
    #[serde(flatten)]
    pub seller: SellerSummary,
    /// Newest first: on sale, reserved and sold (a sold book stays in the history).
    pub listings: Vec<ListingCard>,
    /// Visible reviews received, newest first. Not `reviews`: the flattened summary
    /// already has that key (its count), and a repeated key fails to deserialize.
    pub received_reviews: Vec<crate::features::reviews::types::ReviewView>,
}

#[cfg(test)]
mod tests;
