//! TossPayments core API (docs.tosspayments.com, "Payment APIs"): Basic auth with the
//! secret key and a trailing colon; `Idempotency-Key` on every money-moving call.
//!
//! * `POST /v1/payments` opens a payment window without the browser SDK and answers a
//!   Payment whose `checkout.url` we send the buyer to;
//! * the buyer comes back to `successUrl?paymentKey=…&orderId=…&amount=…` (or to
//!   `failUrl?code=…&message=…&orderId=…`);
//! * `POST /v1/payments/confirm {paymentKey, orderId, amount}` captures it — only after
//!   we checked `amount` against our own order;
//! * `POST /v1/payments/{paymentKey}/cancel {cancelReason}` refunds it.

use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::{
    Approval, ApproveRequest, Checkout, CheckoutRequest, PayError, PaymentProvider, Refusal,
    read_answer,
};
use crate::features::orders::types::ProviderKind;

pub const DEFAULT_BASE: &str = "https://api.tosspayments.com";

pub struct Toss {
    http: reqwest::Client,
    base: String,
    authorization: String,
}

#[derive(Deserialize)]
struct Payment {
    #[serde(rename = "paymentKey", default)]
    payment_key: String,
    #[serde(default)]
    status: String,
    #[serde(rename = "totalAmount", default)]
    total_amount: u32,
    checkout: Option<CheckoutUrl>,
}

#[derive(Deserialize)]
struct CheckoutUrl {
    url: String,
}

/// The error body: `{"code": "...", "message": "..."}`.
#[derive(Deserialize, Default)]
struct TossError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl Toss {
    pub fn new(http: reqwest::Client, base: String, secret_key: String) -> Self {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{secret_key}:"));
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            authorization: format!("Basic {token}"),
        }
    }

    async fn post(
        &self,
        path: &str,
        idempotency_key: &str,
        body: serde_json::Value,
    ) -> Result<Payment, PayError> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.authorization)
            .header("Idempotency-Key", idempotency_key)
            .json(&body)
            .send()
            .await?;
        read_answer::<Payment, TossError>("toss", res).await
    }
}

impl Refusal for TossError {
    fn code(&self) -> String {
        self.code.clone()
    }
    fn into_message(self) -> String {
        self.message
    }
}

#[async_trait::async_trait]
impl PaymentProvider for Toss {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Toss
    }

    async fn start(&self, req: &CheckoutRequest) -> Result<Checkout, PayError> {
        let order_name: String = req.item_name.chars().take(100).collect();
        let payment = self
            .post(
                "/v1/payments",
                &req.attempt_key,
                json!({
                    "method": "CARD",
                    "amount": req.amount,
                    "orderId": req.attempt_key,
                    "orderName": order_name,
                    "successUrl": req.success_url,
                    "failUrl": req.fail_url,
                }),
            )
            .await?;
        let url = payment
            .checkout
            .map(|c| c.url)
            .ok_or_else(|| PayError::Unexpected("toss payment without checkout.url".into()))?;
        Ok(Checkout {
            provider_ref: None,
            redirect_url: url,
        })
    }

    async fn approve(&self, req: &ApproveRequest) -> Result<Approval, PayError> {
        let payment_key = req
            .params
            .payment_key
            .as_deref()
            .filter(|k| !k.is_empty() && k.len() <= 200)
            .ok_or_else(|| PayError::Declined("결제 정보가 올바르지 않습니다.".into()))?;
        let payment = self
            .post(
                "/v1/payments/confirm",
                &req.attempt_key,
                json!({
                    "paymentKey": payment_key,
                    "orderId": req.attempt_key,
                    "amount": req.amount,
                }),
            )
            .await?;
        if payment.status != "DONE" {
            return Err(PayError::Unexpected(format!(
                "toss confirm status {}",
                payment.status
            )));
        }
        Ok(Approval {
            provider_ref: payment.payment_key,
            amount: payment.total_amount,
        })
    }

    async fn cancel(
        &self,
        provider_ref: &str,
        _amount: u32,
        reason: &str,
        attempt_key: &str,
    ) -> Result<(), PayError> {
        // Path segment: payment keys are [A-Za-z0-9_-] but never trust that blindly.
        if !provider_ref
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(PayError::Unexpected("odd toss payment key".into()));
        }
        self.post(
            &format!("/v1/payments/{provider_ref}/cancel"),
            &format!("cancel-{attempt_key}"),
            json!({ "cancelReason": reason }),
        )
        .await
        .map(|_| ())
    }
}
