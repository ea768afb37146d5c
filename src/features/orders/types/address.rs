//! Shipping addresses: as the buyer types them, checked in the browser and on the server.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::text::one_line;

/// A shipping address as typed (and as saved).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressInput {
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub address1: String,
    #[serde(default)]
    pub address2: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAddress {
    pub id: u64,
    #[serde(flatten)]
    pub address: AddressInput,
}

pub fn check_recipient(s: &str) -> Result<(), String> {
    let n = s.trim().chars().count();
    if n == 0 {
        Err("받는 분 이름을 입력해 주세요.".into())
    } else if n > 40 {
        Err("받는 분 이름은 40자까지 입력할 수 있습니다.".into())
    } else {
        Ok(())
    }
}

/// Korean phone numbers: mobile 01X and landlines, with or without hyphens; returns
/// the digits with hyphens in the usual places.
pub fn normalize_phone(s: &str) -> Result<String, String> {
    let digits: String = s.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if digits.is_empty() {
        return Err("연락처를 입력해 주세요.".into());
    }
    if !digits.chars().all(|c| c.is_ascii_digit())
        || !digits.starts_with('0')
        || !(9..=11).contains(&digits.len())
    {
        return Err("연락처를 010-1234-5678 형식으로 입력해 주세요.".into());
    }
    let (a, rest) = if digits.starts_with("02") {
        digits.split_at(2)
    } else {
        digits.split_at(3)
    };
    let (b, c) = rest.split_at(rest.len() - 4);
    Ok(format!("{a}-{b}-{c}"))
}

/// 우편번호: five digits since 2015.
pub fn check_postcode(s: &str) -> Result<(), String> {
    let s = s.trim();
    if s.is_empty() {
        Err("우편번호를 입력해 주세요.".into())
    } else if s.len() != 5 || !s.chars().all(|c| c.is_ascii_digit()) {
        Err("우편번호는 숫자 5자리입니다.".into())
    } else {
        Ok(())
    }
}

pub fn check_address1(s: &str) -> Result<(), String> {
    let n = s.trim().chars().count();
    if n < 5 {
        Err("도로명 또는 지번 주소를 입력해 주세요.".into())
    } else if n > 200 {
        Err("주소는 200자까지 입력할 수 있습니다.".into())
    } else {
        Ok(())
    }
}

pub fn check_address2(s: &str) -> Result<(), String> {
    if s.trim().chars().count() > 100 {
        Err("상세주소는 100자까지 입력할 수 있습니다.".into())
    } else {
        Ok(())
    }
}

impl AddressInput {
    /// Every problem at once, keyed `address.<field>`; the cleaned address otherwise.
    pub fn validate(&self) -> Result<AddressInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut push = |field: &str, r: Result<(), String>| {
            if let Err(message) = r {
                errors.push(FieldError {
                    field: format!("address.{field}"),
                    message,
                });
            }
        };
        push("recipient", check_recipient(&self.recipient));
        let phone = normalize_phone(&self.phone);
        push("phone", phone.as_ref().map(|_| ()).map_err(Clone::clone));
        push("postcode", check_postcode(&self.postcode));
        push("address1", check_address1(&self.address1));
        push("address2", check_address2(&self.address2));
        match (errors.is_empty(), phone) {
            (true, Ok(phone)) => Ok(AddressInput {
                recipient: one_line(&self.recipient),
                phone,
                postcode: self.postcode.trim().to_owned(),
                address1: one_line(&self.address1),
                address2: one_line(&self.address2),
            }),
            _ => Err(errors),
        }
    }
}
