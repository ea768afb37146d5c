//! The local sandbox provider: our own checkout page (`/pay/sandbox/{attempt}`) stands in
//! for the provider's, with the same return shape as TossPayments. It moves no money
//! and the UI says so ("테스트 결제"); it is what makes the app usable offline.

use super::{Approval, ApproveRequest, Checkout, CheckoutRequest, PayError, PaymentProvider};
use crate::features::orders::types::ProviderKind;

pub struct Sandbox;

/// The payment key the sandbox checkout hands back for an attempt.
pub fn payment_key(attempt_key: &str) -> String {
    format!("sandbox_{attempt_key}")
}

#[async_trait::async_trait]
impl PaymentProvider for Sandbox {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn start(&self, req: &CheckoutRequest) -> Result<Checkout, PayError> {
        Ok(Checkout {
            provider_ref: None,
            redirect_url: format!("/pay/sandbox/{}", req.attempt_key),
        })
    }

    async fn approve(&self, req: &ApproveRequest) -> Result<Approval, PayError> {
        let key = req.params.payment_key.as_deref().unwrap_or_default();
        if key != payment_key(&req.attempt_key) {
            return Err(PayError::Declined("결제 정보가 올바르지 않습니다.".into()));
        }
        Ok(Approval {
            provider_ref: key.to_owned(),
            amount: req.amount,
        })
    }

    async fn cancel(&self, _: &str, _: u32, _: &str, _: &str) -> Result<(), PayError> {
        Ok(())
    }
}
