//! Finding a forgotten login ID and resetting a forgotten password (USER-READ-01,
//! USER-UPDATE-05): both prove the mailbox with a six-digit code sent to it.

use serde::{Deserialize, Serialize};

use super::{Email, LoginId, Password, PersonName, check_password_confirm, note};
use crate::error::AppError;

/// A mailed code lives this long and takes this many wrong tries before it is dead.
pub const CODE_MINUTES: i64 = 10;
pub const CODE_ATTEMPTS: u8 = 5;
/// A new code for the same purpose no sooner than this, and at most this many an hour.
pub const RESEND_SECONDS: i64 = 60;
pub const SENDS_PER_HOUR: u8 = 5;

/// What a mailed code proves the mailbox for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    FindId,
    ResetPassword,
    /// Proves a new address before it replaces the old one.
    ChangeEmail,
    /// Proves the address given at sign-up, which activates the account.
    VerifyEmail,
}

impl CodePurpose {
    pub fn as_db(self) -> &'static str {
        match self {
            CodePurpose::FindId => "find_id",
            CodePurpose::ResetPassword => "reset_password",
            CodePurpose::ChangeEmail => "change_email",
            CodePurpose::VerifyEmail => "verify_email",
        }
    }

    /// What the member was doing, in the mails about it.
    pub fn label(self) -> &'static str {
        match self {
            CodePurpose::FindId => "아이디 찾기",
            CodePurpose::ResetPassword => "비밀번호 재설정",
            CodePurpose::ChangeEmail => "이메일 변경",
            CodePurpose::VerifyEmail => "가입 이메일",
        }
    }
}

/// A code as typed: six digits (spaces and a dash the mail's layout suggests are fine).
pub fn parse_code(raw: &str) -> Result<String, String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.is_empty() {
        return Err("메일로 받은 인증 코드를 입력해 주세요.".into());
    }
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("인증 코드는 숫자 6자리예요.".into());
    }
    Ok(digits)
}

/// The login ID with its middle hidden: `breadbook` → `bre***ok`. At least three
/// characters are always hidden, and the stars do not tell how many.
pub fn mask_login_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    let head = (n / 3).min(3);
    let tail = if n >= 9 { 2 } else { 1 };
    if n < head + tail + 3 {
        return "*".repeat(n.max(3));
    }
    let mut masked: String = chars[..head].iter().collect();
    masked.push_str("***");
    masked.extend(&chars[n - tail..]);
    masked
}

/// 아이디 찾기: the name and email given at sign-up; `code` once one was mailed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FindIdInput {
    pub name: String,
    pub email: String,
    pub code: String,
}

impl FindIdInput {
    pub fn validate(&self) -> Result<(PersonName, Email), AppError> {
        let mut errors = Vec::new();
        let name = note(&mut errors, "name", PersonName::parse(&self.name));
        let email = note(&mut errors, "email", Email::parse(&self.email));
        match (name, email) {
            (Some(name), Some(email)) => Ok((name, email)),
            _ => Err(AppError::Validation(errors)),
        }
    }

    pub fn validate_with_code(&self) -> Result<(PersonName, Email, String), AppError> {
        let mut errors = Vec::new();
        let who = self.validate();
        if let Err(AppError::Validation(e)) = &who {
            errors.extend(e.iter().cloned());
        }
        let code = note(&mut errors, "code", parse_code(&self.code));
        match (who, code) {
            (Ok((name, email)), Some(code)) if errors.is_empty() => Ok((name, email, code)),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// What 아이디 찾기 shows: the ID masked, or whole after the mailed code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundId {
    pub login_id: String,
    pub whole: bool,
}

/// 비밀번호 재설정, step one: which account, and the address it was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetRequestInput {
    pub login_id: String,
    pub email: String,
}

impl ResetRequestInput {
    pub fn validate(&self) -> Result<(LoginId, Email), AppError> {
        let mut errors = Vec::new();
        let id = note(&mut errors, "login_id", LoginId::parse(&self.login_id));
        let email = note(&mut errors, "email", Email::parse(&self.email));
        match (id, email) {
            (Some(id), Some(email)) => Ok((id, email)),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// 비밀번호 재설정, step two: the mailed code and the new password, twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetPasswordInput {
    pub login_id: String,
    pub code: String,
    pub password: String,
    pub password_confirm: String,
}

impl ResetPasswordInput {
    pub fn validate(&self) -> Result<(LoginId, String, Password), AppError> {
        let mut errors = Vec::new();
        let id = note(&mut errors, "login_id", LoginId::parse(&self.login_id));
        let code = note(&mut errors, "code", parse_code(&self.code));
        let password = note(&mut errors, "password", Password::parse(&self.password));
        note(
            &mut errors,
            "password_confirm",
            check_password_confirm(&self.password, &self.password_confirm),
        );
        match (id, code, password) {
            (Some(id), Some(code), Some(password)) if errors.is_empty() => Ok((id, code, password)),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_of_an_id_is_hidden_and_never_less_than_three_characters() {
        assert_eq!(mask_login_id("breadbook"), "bre***ok");
        assert_eq!(mask_login_id("abcdef"), "ab***f");
        assert_eq!(mask_login_id("abcdefgh"), "ab***h");
        assert_eq!(mask_login_id("abcdefghijklmnopqrst"), "abc***st");
        for id in [
            "abcdef",
            "abcdefg",
            "abcdefgh",
            "breadbook",
            "abcdefghijklmnopqrst",
        ] {
            let masked = mask_login_id(id);
            let shown = masked.chars().filter(|c| *c != '*').count();
            assert!(id.len() - shown >= 3, "{id} → {masked}");
        }
    }

    #[test]
    fn a_code_is_six_digits_and_may_be_typed_with_spaces() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        assert_eq!(parse_code("123-456").unwrap(), "123456");
        assert!(parse_code("12345").is_err());
        assert!(parse_code("12345a").is_err());
        assert!(parse_code("").is_err());
    }

    #[test]
    fn every_bad_field_of_a_reset_is_named() {
        let bad = ResetPasswordInput {
            login_id: "x".into(),
            code: "12".into(),
            password: "short".into(),
            password_confirm: "other".into(),
        };
        let Err(AppError::Validation(errors)) = bad.validate() else {
            panic!("accepted");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["login_id", "code", "password", "password_confirm"]);
    }
}
