//! KakaoPay online single payment (developers.kakaopay.com): `Authorization: SECRET_KEY
//! {key}`, JSON bodies, three calls —
//!
//! * `POST /online/v1/payment/ready` with the item (name, code, quantity), the amounts
//!   (books are VAT-exempt in Korea, so the whole amount is `tax_free_amount`) and our
//!   approval / cancel / fail URLs; answers `tid` and the checkout URLs;
//! * the buyer comes back to `approval_url?pg_token=…`;
//! * `POST /online/v1/payment/approve {cid, tid, partner_order_id, partner_user_id,
//!   pg_token}` captures it and answers the charged `amount.total`;
//! * `POST /online/v1/payment/cancel {cid, tid, cancel_amount, cancel_tax_free_amount}`.

use serde::Deserialize;
use serde_json::json;

use super::{
    Approval, ApproveRequest, Checkout, CheckoutRequest, PayError, PaymentProvider, Refusal,
    read_answer,
};
use crate::features::orders::types::ProviderKind;

pub const DEFAULT_BASE: &str = "https://open-api.kakaopay.com";
/// KakaoPay's public test merchant code for single payments.
pub const TEST_CID: &str = "TC0ONETIME";

pub struct KakaoPay {
    http: reqwest::Client,
    base: String,
    secret_key: String,
    cid: String,
}

#[derive(Deserialize)]
struct Ready {
    tid: String,
    next_redirect_pc_url: String,
    #[serde(default)]
    next_redirect_mobile_url: String,
}

#[derive(Deserialize)]
struct Approved {
    tid: String,
    amount: Amount,
}

#[derive(Deserialize)]
struct Amount {
    total: u32,
}

#[derive(Deserialize, Default)]
struct KakaoError {
    #[serde(default)]
    error_code: i64,
    #[serde(default)]
    error_message: String,
}

impl KakaoPay {
    pub fn new(http: reqwest::Client, base: String, secret_key: String, cid: String) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret_key,
            cid,
        }
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<T, PayError> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Authorization", format!("SECRET_KEY {}", self.secret_key))
            .json(&body)
            .send()
            .await?;
        read_answer::<T, KakaoError>("kakaopay", res).await
    }
}

impl Refusal for KakaoError {
    fn code(&self) -> String {
        self.error_code.to_string()
    }
    fn into_message(self) -> String {
        self.error_message
    }
}

#[async_trait::async_trait]
impl PaymentProvider for KakaoPay {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Kakao
    }

    async fn start(&self, req: &CheckoutRequest) -> Result<Checkout, PayError> {
        let ready: Ready = self
            .post(
                "/online/v1/payment/ready",
                json!({
                    "cid": self.cid,
                    "partner_order_id": req.attempt_key,
                    "partner_user_id": req.buyer_id.to_string(),
                    "item_name": req.item_name.chars().take(100).collect::<String>(),
                    "item_code": req.item_code,
                    "quantity": 1,
                    "total_amount": req.amount,
                    "tax_free_amount": req.amount,
                    "approval_url": req.success_url,
                    "cancel_url": req.cancel_url,
                    "fail_url": req.fail_url,
                }),
            )
            .await?;
        let url = if req.mobile && !ready.next_redirect_mobile_url.is_empty() {
            ready.next_redirect_mobile_url
        } else {
            ready.next_redirect_pc_url
        };
        Ok(Checkout {
            provider_ref: Some(ready.tid),
            redirect_url: url,
        })
    }

    async fn approve(&self, req: &ApproveRequest) -> Result<Approval, PayError> {
        let tid = req
            .provider_ref
            .as_deref()
            .ok_or_else(|| PayError::Unexpected("kakaopay attempt without tid".into()))?;
        let pg_token = req
            .params
            .pg_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PayError::Declined("결제 정보가 올바르지 않습니다.".into()))?;
        let approved: Approved = self
            .post(
                "/online/v1/payment/approve",
                json!({
                    "cid": self.cid,
                    "tid": tid,
                    "partner_order_id": req.attempt_key,
                    "partner_user_id": req.buyer_id.to_string(),
                    "pg_token": pg_token,
                }),
            )
            .await?;
        Ok(Approval {
            provider_ref: approved.tid,
            amount: approved.amount.total,
        })
    }

    async fn cancel(
        &self,
        provider_ref: &str,
        amount: u32,
        _reason: &str,
        _attempt_key: &str,
    ) -> Result<(), PayError> {
        self.post::<serde_json::Value>(
            "/online/v1/payment/cancel",
            json!({
                "cid": self.cid,
                "tid": provider_ref,
                "cancel_amount": amount,
                "cancel_tax_free_amount": amount,
            }),
        )
        .await
        .map(|_| ())
    }
}
