//! Account types and their rules. Compiled for the browser (instant feedback while the
//! user types) and for the server (the final check), so both apply the same code.
//! Each `parse` returns the Korean message shown under the field when it fails.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};

pub mod profile;
pub mod recovery;
pub mod sns;
pub mod withdrawal;

/// Versions of the documents a member agrees to at sign-up (recorded with the time).
pub const TERMS_VERSION: &str = "2026-11-01";
pub const PRIVACY_VERSION: &str = "2026-11-01";

/// Wrong passwords in a row that lock an ID, and for how long (USER-LOGIN-02).
pub const MAX_FAILED_LOGINS: u16 = 5;
pub const LOCK_MINUTES: i64 = 5;

/// Youngest age that may sign up without a guardian (개인정보보호법: 만 14세).
pub const MIN_AGE: u32 = 14;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginId(String);

impl LoginId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("아이디를 입력해 주세요.".into());
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("아이디는 영문 대소문자와 숫자만 사용할 수 있습니다.".into());
        }
        if !(6..=20).contains(&s.len()) {
            return Err("아이디는 6~20자여야 합니다.".into());
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed. Not `Serialize` and redacted in `Debug`, so it cannot end up in
/// a response or a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("비밀번호를 입력해 주세요.".into());
        }
        if !raw.chars().all(|c| c.is_ascii_graphic()) {
            return Err(
                "비밀번호에는 공백이나 한글 등 영문·숫자·특수문자 외의 문자를 쓸 수 없습니다."
                    .into(),
            );
        }
        if !(8..=20).contains(&raw.len()) {
            return Err("비밀번호는 8~20자여야 합니다.".into());
        }
        let mut missing = Vec::new();
        if !raw.chars().any(|c| c.is_ascii_uppercase()) {
            missing.push("영문 대문자");
        }
        if !raw.chars().any(|c| c.is_ascii_lowercase()) {
            missing.push("영문 소문자");
        }
        if !raw.chars().any(|c| c.is_ascii_digit()) {
            missing.push("숫자");
        }
        if !missing.is_empty() {
            return Err(format!(
                "비밀번호에 {}를 포함해 주세요.",
                missing.join(", ")
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A field's parse result: the value, or its message noted under the field.
fn note<T>(errors: &mut Vec<FieldError>, field: &str, r: Result<T, String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(message) => {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            });
            None
        }
    }
}

pub fn check_password_confirm(password: &str, confirm: &str) -> Result<(), String> {
    if confirm.is_empty() {
        return Err("비밀번호를 한 번 더 입력해 주세요.".into());
    }
    if password != confirm {
        return Err("비밀번호가 일치하지 않습니다.".into());
    }
    Ok(())
}

fn is_hangul_syllable(c: char) -> bool {
    ('가'..='힣').contains(&c)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("이름을 입력해 주세요.".into());
        }
        let ok_chars = s
            .chars()
            .all(|c| is_hangul_syllable(c) || c.is_ascii_alphabetic() || c == ' ');
        if !ok_chars || s.contains("  ") {
            return Err("이름은 한글 또는 영문으로 입력해 주세요.".into());
        }
        if !(2..=20).contains(&s.chars().count()) {
            return Err("이름은 2~20자여야 합니다.".into());
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("닉네임을 입력해 주세요.".into());
        }
        if !s
            .chars()
            .all(|c| is_hangul_syllable(c) || c.is_ascii_alphanumeric() || c == '_')
        {
            return Err("닉네임은 한글, 영문, 숫자, 밑줄(_)만 사용할 수 있습니다.".into());
        }
        if !(2..=12).contains(&s.chars().count()) {
            return Err("닉네임은 2~12자여야 합니다.".into());
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, lower-cased so uniqueness does not depend on how it was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_ascii_lowercase();
        if s.is_empty() {
            return Err("이메일을 입력해 주세요.".into());
        }
        let invalid = || "올바른 이메일 주소가 아닙니다. (예: name@example.com)".to_string();
        if s.len() > 254 {
            return Err("이메일 주소가 너무 깁니다.".into());
        }
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if !(local_ok && domain_ok) {
            return Err(invalid());
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    /// `today` is the local (KST) date: the browser's on the client, the server clock's
    /// on the server.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("생년월일을 입력해 주세요.".into());
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| "생년월일 형식이 올바르지 않습니다. (예: 2001-03-15)".to_string())?;
        if date > today {
            return Err("미래의 날짜는 입력할 수 없습니다.".into());
        }
        let age = age_on(date, today);
        if age < MIN_AGE {
            return Err(format!("만 {MIN_AGE}세 이상만 가입할 수 있습니다."));
        }
        if age > 120 {
            return Err("생년월일을 다시 확인해 주세요.".into());
        }
        Ok(Self(date))
    }
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

/// Full years between `birth` and `today` (만 나이).
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> u32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Korean mobile number, stored as digits only ("01012345678").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Empty input means "not given" (the field is optional).
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let invalid = || "휴대폰 번호 형식이 올바르지 않습니다. (예: 010-1234-5678)".to_string();
        if !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            return Err(invalid());
        }
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        // 010 numbers are always 11 digits; legacy 011/016-019 ones may have 10.
        let length_ok = if digits.starts_with("010") {
            digits.len() == 11
        } else {
            ["011", "016", "017", "018", "019"]
                .iter()
                .any(|p| digits.starts_with(p))
                && (10..=11).contains(&digits.len())
        };
        if !length_ok {
            return Err(invalid());
        }
        Ok(Some(Self(digits)))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        match raw.trim() {
            "" => Ok(None),
            "male" => Ok(Some(Gender::Male)),
            "female" => Ok(Some(Gender::Female)),
            _ => Err("성별 값이 올바르지 않습니다.".into()),
        }
    }
    pub fn as_db(&self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// The sign-up form as typed. Every field defaults, so a missing field is reported as a
/// field error rather than a malformed request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignupInput {
    pub login_id: String,
    pub password: String,
    pub password_confirm: String,
    pub name: String,
    pub nickname: String,
    pub email: String,
    pub birth_date: String,
    pub phone: String,
    pub gender: String,
    pub agree_terms: bool,
    pub agree_privacy: bool,
}

/// A sign-up that passed every rule.
#[derive(Debug, Clone)]
pub struct ValidSignup {
    pub login_id: LoginId,
    pub password: Password,
    pub name: PersonName,
    pub nickname: Nickname,
    pub email: Email,
    pub birth_date: BirthDate,
    pub phone: Option<Phone>,
    pub gender: Option<Gender>,
}

impl SignupInput {
    /// Checks every field and reports all problems at once, in form order.
    pub fn validate(&self, today: NaiveDate) -> Result<ValidSignup, AppError> {
        let mut errors = Vec::new();
        let mut note = |field: &str, r: Result<(), String>| {
            if let Err(message) = r {
                errors.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
            }
        };
        let login_id = LoginId::parse(&self.login_id);
        note(
            "login_id",
            login_id.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let password = Password::parse(&self.password);
        note(
            "password",
            password.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        note(
            "password_confirm",
            check_password_confirm(&self.password, &self.password_confirm),
        );
        let name = PersonName::parse(&self.name);
        note("name", name.as_ref().map(|_| ()).map_err(Clone::clone));
        let nickname = Nickname::parse(&self.nickname);
        note(
            "nickname",
            nickname.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let email = Email::parse(&self.email);
        note("email", email.as_ref().map(|_| ()).map_err(Clone::clone));
        let birth_date = BirthDate::parse(&self.birth_date, today);
        note(
            "birth_date",
            birth_date.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let phone = Phone::parse_optional(&self.phone);
        note("phone", phone.as_ref().map(|_| ()).map_err(Clone::clone));
        let gender = Gender::parse_optional(&self.gender);
        note("gender", gender.as_ref().map(|_| ()).map_err(Clone::clone));
        note("agree_terms", check_consent(self.agree_terms, "이용약관"));
        note(
            "agree_privacy",
            check_consent(self.agree_privacy, "개인정보 수집·이용"),
        );

        match (
            login_id, password, name, nickname, email, birth_date, phone, gender,
        ) {
            (
                Ok(login_id),
                Ok(password),
                Ok(name),
                Ok(nickname),
                Ok(email),
                Ok(birth_date),
                Ok(phone),
                Ok(gender),
            ) if errors.is_empty() => Ok(ValidSignup {
                login_id,
                password,
                name,
                nickname,
                email,
                birth_date,
                phone,
                gender,
            }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

pub fn check_consent(agreed: bool, document: &str) -> Result<(), String> {
    if agreed {
        Ok(())
    } else {
        Err(format!("{document}에 동의해야 가입할 수 있습니다."))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginInput {
    pub login_id: String,
    pub password: String,
}

/// Which unique field a while-typing availability check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UniqueField {
    LoginId,
    Email,
    Nickname,
}

impl UniqueField {
    pub fn taken_message(&self) -> &'static str {
        match self {
            UniqueField::LoginId => "이미 사용 중인 아이디입니다.",
            UniqueField::Email => "이미 가입된 이메일입니다.",
            UniqueField::Nickname => "이미 사용 중인 닉네임입니다.",
        }
    }
    pub fn form_field(&self) -> &'static str {
        match self {
            UniqueField::LoginId => "login_id",
            UniqueField::Email => "email",
            UniqueField::Nickname => "nickname",
        }
    }
}

/// The signed-in member as the UI sees them. Holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: u64,
    pub login_id: String,
    pub nickname: String,
    pub is_admin: bool,
    /// Proved their mailbox with the code mailed at sign-up; until then they may browse
    /// but not sell, chat or buy.
    pub email_verified: bool,
}

/// A member's own account page data (내 정보).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub login_id: String,
    pub name: String,
    pub nickname: String,
    pub email: String,
    pub email_verified: bool,
    pub birth_date: NaiveDate,
    pub phone: Option<String>,
    pub gender: Option<Gender>,
    pub joined_at: chrono::DateTime<chrono::Utc>,
    pub consents: Vec<ConsentRecord>,
}

/// One recorded consent: which document, which version, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub kind: String,
    pub version: String,
    pub agreed_at: chrono::DateTime<chrono::Utc>,
}

/// Where to go after logging in, from `?next=`: only a path on this site. Browsers
/// read `/\\host` as `//host` and drop tabs and newlines anywhere in a URL, so
/// backslashes, control characters and whitespace are refused, as is a second leading
/// slash; anything refused sends the member to the home page.
pub fn safe_next_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let forbidden = |c: char| c == '\\' || c.is_control() || c.is_whitespace();
    (!rest.starts_with('/') && !next.contains(forbidden)).then_some(next)
}

#[cfg(test)]
mod tests;
