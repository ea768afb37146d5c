//! Reviews after a trade, and the trust score and bread grade they feed: the types and
//! rules the browser and the server share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};

/// A review shows after both sides wrote theirs, or this many days after it was written.
pub const REVIEW_BLIND_DAYS: i64 = 7;
pub const MAX_REVIEW_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub stars: u8,
    pub body: String,
    pub reviewer_nickname: String,
    pub created_at: DateTime<Utc>,
}

/// 1–5 stars and up to 500 characters.
pub fn check_review(stars: u8, body: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&stars) {
        errors.push(FieldError {
            field: "stars".into(),
            message: "별점을 1~5개 중에서 골라 주세요.".into(),
        });
    }
    if body.trim().chars().count() > MAX_REVIEW_CHARS {
        errors.push(FieldError {
            field: "body".into(),
            message: format!("후기는 {MAX_REVIEW_CHARS}자까지 쓸 수 있습니다."),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The trust score (0–100) behind the bread grade.
///
/// * Reviews: the Bayesian average of the stars, starting from 5 imaginary 3.5-star
///   reviews so one review cannot swing a newcomer to either end; each star above or
///   below 3.5 moves the score 20 points (range −50 … +30).
/// * Trades: +1 per completed trade, at most +20 (a track record, not a grind).
/// * A member with no history scores 50.
pub fn trust_score(review_count: u32, star_sum: u32, completed_trades: u32) -> u16 {
    const PRIOR_WEIGHT: f64 = 5.0;
    const PRIOR_MEAN: f64 = 3.5;
    let bayes = (PRIOR_WEIGHT * PRIOR_MEAN + f64::from(star_sum))
        / (PRIOR_WEIGHT + f64::from(review_count));
    let score = 50.0 + (bayes - PRIOR_MEAN) * 20.0 + f64::from(completed_trades.min(20));
    score.round().clamp(0.0, 100.0) as u16
}

/// 빵등급: five breads, from flour to croissant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BreadGrade(pub u8);

impl BreadGrade {
    pub fn from_score(score: u16) -> Self {
        BreadGrade(match score {
            0..40 => 1,
            40..55 => 2,
            55..70 => 3,
            70..85 => 4,
            _ => 5,
        })
    }

    /// The lowest score of each grade (search filters by it).
    pub fn min_score(grade: u8) -> u16 {
        match grade {
            0 | 1 => 0,
            2 => 40,
            3 => 55,
            4 => 70,
            _ => 85,
        }
    }

    pub fn name(&self) -> &'static str {
        match self.0 {
            1 => "밀가루",
            2 => "반죽",
            3 => "모닝빵",
            4 => "식빵",
            _ => "크루아상",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newcomer_is_dough() {
        assert_eq!(trust_score(0, 0, 0), 50);
        assert_eq!(BreadGrade::from_score(50).name(), "반죽");
    }

    #[test]
    fn one_good_trade_lifts_a_newcomer_a_grade() {
        // (17.5 + 5) / 6 = 3.75 → +5; one trade → +1.
        assert_eq!(trust_score(1, 5, 1), 56);
        assert_eq!(BreadGrade::from_score(56), BreadGrade(3));
    }

    #[test]
    fn one_bad_review_hurts_but_does_not_ruin() {
        // (17.5 + 1) / 6 = 3.083 → −8.3
        assert_eq!(trust_score(1, 1, 1), 43);
        assert_eq!(BreadGrade::from_score(43), BreadGrade(2));
    }

    #[test]
    fn many_bad_reviews_make_flour() {
        assert_eq!(
            BreadGrade::from_score(trust_score(20, 20, 20)).name(),
            "밀가루"
        );
    }

    #[test]
    fn a_long_perfect_record_is_a_croissant() {
        let s = trust_score(40, 200, 40);
        assert!(s >= 85, "{s}");
        assert_eq!(BreadGrade::from_score(s).name(), "크루아상");
        assert_eq!(trust_score(10_000, 50_000, 10_000), 100);
    }

    #[test]
    fn trades_alone_count_up_to_twenty() {
        assert_eq!(trust_score(0, 0, 20), 70);
        assert_eq!(trust_score(0, 0, 500), 70);
    }

    #[test]
    fn grade_thresholds_round_trip() {
        for g in 1..=5u8 {
            assert_eq!(
                BreadGrade::from_score(BreadGrade::min_score(g)),
                BreadGrade(g)
            );
        }
        assert_eq!(BreadGrade::from_score(39), BreadGrade(1));
        assert_eq!(BreadGrade::from_score(100), BreadGrade(5));
    }

    #[test]
    fn reviews_need_stars_and_a_short_body() {
        assert!(check_review(0, "").is_err());
        assert!(check_review(6, "").is_err());
        assert!(check_review(5, &"가".repeat(501)).is_err());
        assert!(check_review(3, "좋아요").is_ok());
    }
}
