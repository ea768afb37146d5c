//! 내 정보 수정 and 비밀번호 변경 (USER-UPDATE-01..04): the same rules as sign-up, and the
//! current password before anything changes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::recovery::parse_code;
use super::{
    BirthDate, Email, Gender, Nickname, Password, PersonName, Phone, check_password_confirm, note,
};
use crate::error::{AppError, FieldError};

/// The current password, before anything about the account changes.
pub fn current_password(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        Err("지금 쓰는 비밀번호를 입력해 주세요.".into())
    } else {
        Ok(())
    }
}

/// What the member may change about themselves, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub name: String,
    pub nickname: String,
    pub birth_date: String,
    pub phone: String,
    pub gender: String,
    pub current_password: String,
}

/// A profile change that passed every rule.
#[derive(Debug, Clone)]
pub struct ValidProfile {
    pub name: PersonName,
    pub nickname: Nickname,
    pub birth_date: BirthDate,
    pub phone: Option<Phone>,
    pub gender: Option<Gender>,
}

impl ProfileInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ValidProfile, AppError> {
        let mut errors = Vec::new();
        let name = note(&mut errors, "name", PersonName::parse(&self.name));
        let nickname = note(&mut errors, "nickname", Nickname::parse(&self.nickname));
        let birth_date = note(
            &mut errors,
            "birth_date",
            BirthDate::parse(&self.birth_date, today),
        );
        let phone = note(&mut errors, "phone", Phone::parse_optional(&self.phone));
        let gender = note(&mut errors, "gender", Gender::parse_optional(&self.gender));
        note(
            &mut errors,
            "current_password",
            current_password(&self.current_password),
        );
        match (name, nickname, birth_date, phone, gender) {
            (Some(name), Some(nickname), Some(birth_date), Some(phone), Some(gender))
                if errors.is_empty() =>
            {
                Ok(ValidProfile {
                    name,
                    nickname,
                    birth_date,
                    phone,
                    gender,
                })
            }
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// 비밀번호 변경: the current one, and the new one twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

impl ChangePasswordInput {
    pub fn validate(&self) -> Result<Password, AppError> {
        let mut errors = Vec::new();
        note(
            &mut errors,
            "current_password",
            current_password(&self.current_password),
        );
        let password = note(&mut errors, "password", Password::parse(&self.password));
        if password.is_some() && self.password == self.current_password {
            errors.push(FieldError {
                field: "password".into(),
                message: "지금 쓰는 비밀번호와 다른 비밀번호를 정해 주세요.".into(),
            });
        }
        note(
            &mut errors,
            "password_confirm",
            check_password_confirm(&self.password, &self.password_confirm),
        );
        match password {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// 이메일 변경: the new address and the current password; then the code mailed to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeEmailInput {
    pub email: String,
    pub current_password: String,
    pub code: String,
}

impl ChangeEmailInput {
    pub fn validate_request(&self) -> Result<Email, AppError> {
        let mut errors = Vec::new();
        let email = note(&mut errors, "email", Email::parse(&self.email));
        note(
            &mut errors,
            "current_password",
            current_password(&self.current_password),
        );
        match email {
            Some(e) if errors.is_empty() => Ok(e),
            _ => Err(AppError::Validation(errors)),
        }
    }

    pub fn validate_code(&self) -> Result<String, AppError> {
        parse_code(&self.code).map_err(|m| AppError::field("code", m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: AppError) -> Vec<String> {
        match e {
            AppError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_profile_change_follows_the_sign_up_rules_and_needs_the_password() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let bad = ProfileInput {
            name: "".into(),
            nickname: "a".into(),
            birth_date: "2020-01-01".into(),
            phone: "12".into(),
            gender: "x".into(),
            current_password: "".into(),
        };
        assert_eq!(
            fields(bad.validate(today).unwrap_err()),
            [
                "name",
                "nickname",
                "birth_date",
                "phone",
                "gender",
                "current_password"
            ]
        );
        let good = ProfileInput {
            name: "김독서".into(),
            nickname: "책벌레".into(),
            birth_date: "2001-03-15".into(),
            phone: "".into(),
            gender: "female".into(),
            current_password: "Passw0rd".into(),
        };
        let valid = good.validate(today).unwrap();
        assert_eq!((valid.phone, valid.gender), (None, Some(Gender::Female)));
    }

    #[test]
    fn a_new_password_must_differ_and_be_typed_twice() {
        let same = ChangePasswordInput {
            current_password: "Passw0rd".into(),
            password: "Passw0rd".into(),
            password_confirm: "Passw0rd".into(),
        };
        assert_eq!(fields(same.validate().unwrap_err()), ["password"]);
        let mismatch = ChangePasswordInput {
            current_password: "Passw0rd".into(),
            password: "Newpassw0rd".into(),
            password_confirm: "Newpassw0rd!".into(),
        };
        assert_eq!(
            fields(mismatch.validate().unwrap_err()),
            ["password_confirm"]
        );
    }
}
