//! 회원 탈퇴 (USER-DELETE-01): what leaving takes, and what keeps a member from leaving.

use serde::{Deserialize, Serialize};

use super::note;
use super::profile::current_password;
use crate::error::AppError;

/// The withdrawal terms a member agrees to, by version (kept like the sign-up consents).
pub const WITHDRAWAL_VERSION: &str = "2026-12-08";
/// How long the anonymised record of a withdrawn member is kept before the purge.
pub const KEEP_YEARS: i32 = 2;
/// The name a withdrawn member goes by wherever they still appear.
pub const WITHDRAWN_NICKNAME: &str = "탈퇴한 사용자";

/// 탈퇴하기, as typed: the password and the tick under the terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithdrawInput {
    pub current_password: String,
    pub agree: bool,
}

impl WithdrawInput {
    pub fn validate(&self) -> Result<(), AppError> {
        let mut errors = Vec::new();
        note(
            &mut errors,
            "current_password",
            current_password(&self.current_password),
        );
        note(&mut errors, "agree", check_agreed(self.agree));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

pub fn check_agreed(agree: bool) -> Result<(), String> {
    if agree {
        Ok(())
    } else {
        Err("탈퇴 안내를 읽고 동의해 주세요.".into())
    }
}

/// A trade still under way, which must end (or be cancelled) before its member leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveTrade {
    pub order_id: u64,
    pub order_no: String,
    pub book_title: String,
    /// The leaving member is its buyer (else its seller).
    pub as_buyer: bool,
}

impl LiveTrade {
    /// "B20261208123456 〈토비의 스프링〉 (구매)".
    pub fn describe(&self) -> String {
        format!(
            "{} 〈{}〉 ({})",
            self.order_no,
            self.book_title,
            if self.as_buyer { "구매" } else { "판매" }
        )
    }
}

/// Why leaving is refused while trades are under way, naming each.
pub fn live_trades_message(trades: &[LiveTrade]) -> String {
    let names: Vec<String> = trades.iter().map(LiveTrade::describe).collect();
    format!(
        "진행 중인 거래가 끝나야 탈퇴할 수 있어요: {}",
        names.join(", ")
    )
}
