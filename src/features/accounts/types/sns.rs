//! SNS 가입·로그인 (USER_SIGNUP_004): the providers, and what a first sign-in through one
//! still has to ask.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{BirthDate, Email, Gender, Nickname, PersonName, check_consent, note};
use crate::error::AppError;

/// An account provider a member can sign in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnsProvider {
    Kakao,
    Naver,
    Google,
}

impl SnsProvider {
    /// In the order the buttons show them.
    pub const ALL: [Self; 3] = [Self::Kakao, Self::Naver, Self::Google];

    /// The provider's name in URLs and in the database.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Kakao => "kakao",
            Self::Naver => "naver",
            Self::Google => "google",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Kakao => "카카오",
            Self::Naver => "네이버",
            Self::Google => "Google",
        }
    }

    /// Where a sign-in with this provider starts (a full page load, not a route).
    pub fn start_path(self) -> String {
        format!("/auth/{}", self.slug())
    }
}

/// Why an SNS sign-in came back without signing anyone in, as `?sns_error=` carries it
/// to the login or profile page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnsFailure {
    /// The member closed or refused the provider's consent screen.
    Cancelled,
    /// The state did not match this browser's, or the flow expired or was used.
    Expired,
    /// The provider's answer did not check out (token, signature, nonce) or it failed.
    Provider,
    /// Linking: that provider account already belongs to another member.
    LinkedElsewhere,
}

impl SnsFailure {
    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Provider => "provider",
            Self::LinkedElsewhere => "linked_elsewhere",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Cancelled,
            Self::Expired,
            Self::Provider,
            Self::LinkedElsewhere,
        ]
        .into_iter()
        .find(|f| f.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Cancelled => "SNS 로그인을 취소했어요.",
            Self::Expired => "로그인 요청이 만료되었어요. 처음부터 다시 시도해 주세요.",
            Self::Provider => {
                "SNS 계정을 확인하지 못했어요. 잠시 후 다시 시도하거나 아이디로 로그인해 주세요."
            }
            Self::LinkedElsewhere => "그 SNS 계정은 이미 다른 회원에게 연결되어 있어요.",
        }
    }
}

/// What the provider told us about a first-time SNS member, to fill the sign-up form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSnsSignup {
    pub provider: SnsProvider,
    pub email: Option<String>,
    /// The provider vouches for the address: it is used as given and needs no code.
    pub email_verified: bool,
    pub name: Option<String>,
    pub nickname: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// Where the member was going when they chose the provider.
    pub next_path: Option<String>,
}

/// The SNS sign-up form: what the seed's sign-up needs that the provider did not give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SnsSignupInput {
    pub name: String,
    pub nickname: String,
    /// Ignored when the provider vouched for an address.
    pub email: String,
    pub birth_date: String,
    pub gender: String,
    pub agree_terms: bool,
    pub agree_privacy: bool,
}

/// An SNS sign-up that passed every rule.
#[derive(Debug, Clone)]
pub struct ValidSnsSignup {
    pub name: PersonName,
    pub nickname: Nickname,
    pub email: Email,
    pub birth_date: BirthDate,
    pub gender: Option<Gender>,
}

impl SnsSignupInput {
    /// `vouched_email` is the provider's verified address, which wins over the field.
    pub fn validate(
        &self,
        today: NaiveDate,
        vouched_email: Option<&str>,
    ) -> Result<ValidSnsSignup, AppError> {
        let mut errors = Vec::new();
        let name = note(&mut errors, "name", PersonName::parse(&self.name));
        let nickname = note(&mut errors, "nickname", Nickname::parse(&self.nickname));
        let email = note(
            &mut errors,
            "email",
            Email::parse(vouched_email.unwrap_or(&self.email)),
        );
        let birth_date = note(
            &mut errors,
            "birth_date",
            BirthDate::parse(&self.birth_date, today),
        );
        let gender = note(&mut errors, "gender", Gender::parse_optional(&self.gender));
        note(
            &mut errors,
            "agree_terms",
            check_consent(self.agree_terms, "이용약관"),
        );
        note(
            &mut errors,
            "agree_privacy",
            check_consent(self.agree_privacy, "개인정보 수집·이용"),
        );
        match (name, nickname, email, birth_date, gender) {
            (Some(name), Some(nickname), Some(email), Some(birth_date), Some(gender))
                if errors.is_empty() =>
            {
                Ok(ValidSnsSignup {
                    name,
                    nickname,
                    email,
                    birth_date,
                    gender,
                })
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// One provider account linked to the signed-in member (내 정보 → SNS 연결).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnsLink {
    pub provider: SnsProvider,
    pub email: Option<String>,
    pub linked_at: chrono::DateTime<chrono::Utc>,
}

/// The SNS section of 내 정보: the providers this site offers, which are linked, and
/// whether the member also has a password (without one, the last link cannot go).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnsLinks {
    pub offered: Vec<SnsProvider>,
    pub linked: Vec<SnsLink>,
    pub has_password: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn input() -> SnsSignupInput {
        SnsSignupInput {
            name: "김하늘".into(),
            nickname: "하늘빵".into(),
            email: "typed@example.com".into(),
            birth_date: "1999-03-15".into(),
            gender: String::new(),
            agree_terms: true,
            agree_privacy: true,
        }
    }

    #[test]
    fn a_vouched_address_wins_over_the_field() {
        let valid = input().validate(today(), Some("Sky@Gmail.com")).unwrap();
        assert_eq!(valid.email.as_str(), "sky@gmail.com");
        let valid = input().validate(today(), None).unwrap();
        assert_eq!(valid.email.as_str(), "typed@example.com");
    }

    #[test]
    fn no_consent_no_account_and_every_field_is_checked() {
        let mut bad = input();
        bad.agree_privacy = false;
        bad.nickname = "x".into();
        bad.birth_date = "2020-01-01".into();
        let Err(AppError::Validation(errors)) = bad.validate(today(), None) else {
            panic!("accepted");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["nickname", "birth_date", "agree_privacy"]);
    }

    #[test]
    fn slugs_and_failure_codes_round_trip() {
        for p in SnsProvider::ALL {
            assert_eq!(SnsProvider::from_slug(p.slug()), Some(p));
        }
        assert_eq!(SnsProvider::from_slug("yahoo"), None);
        for f in [
            SnsFailure::Cancelled,
            SnsFailure::Expired,
            SnsFailure::Provider,
            SnsFailure::LinkedElsewhere,
        ] {
            assert_eq!(SnsFailure::from_code(f.code()), Some(f));
        }
    }
}
