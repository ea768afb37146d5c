//! The local sandbox provider: our own checkout page (`/pay/sandbox/{attempt}`) stands in
//! for the provider's, with the same return shape as TossPayments. It moves no money
//! and the UI says so ("테스트 결제"); it is what makes the app usable offline.
//!
//! Like a real provider it hands out a payment key nobody can compute: a random token
//! made when the checkout opens, kept with the attempt, shown only to its buyer.

use super::{Approval, ApproveRequest, Checkout, CheckoutRequest, PayError, PaymentProvider};
use crate::features::orders::types::ProviderKind;

pub struct Sandbox;

fn new_payment_key() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sbx_{hex}")
}

#[async_trait::async_trait]
impl PaymentProvider for Sandbox {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn start(&self, req: &CheckoutRequest) -> Result<Checkout, PayError> {
        Ok(Checkout {
            provider_ref: Some(new_payment_key()),
            redirect_url: format!("/pay/sandbox/{}", req.attempt_key),
        })
    }

    async fn approve(&self, req: &ApproveRequest) -> Result<Approval, PayError> {
        let key = req.params.payment_key.as_deref().unwrap_or_default();
        let issued = req.provider_ref.as_deref().unwrap_or_default();
        if issued.is_empty() || key != issued {
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
