//! Payment providers behind one trait: the local sandbox (default, offline, labelled
//! "테스트 결제"), TossPayments and KakaoPay (real adapters written to their public API
//! docs; enabled by their keys). Amounts are whole won (`u32`), never floats.

pub mod http;
pub mod kakao;
pub mod sandbox;
mod settings;
pub mod toss;

pub use settings::PaymentSettings;

use std::sync::Arc;
use std::time::Duration;

use crate::features::orders::types::ProviderKind;

/// What a provider needs to open its checkout for one attempt.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    /// Our attempt id: the provider's order id and our idempotency key.
    pub attempt_key: String,
    pub order_no: String,
    /// The listing id: KakaoPay's item_code.
    pub item_code: String,
    pub item_name: String,
    pub amount: u32,
    pub buyer_id: u64,
    /// Where the provider sends the buyer back: success, failure, buyer cancelled.
    pub success_url: String,
    pub fail_url: String,
    pub cancel_url: String,
    /// The buyer is on a phone (KakaoPay has a separate mobile checkout).
    pub mobile: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The provider's id known before approval (KakaoPay's tid).
    pub provider_ref: Option<String>,
    /// Where to send the buyer.
    pub redirect_url: String,
}

/// What came back on the buyer's return to our success URL.
#[derive(Debug, Clone, Default)]
pub struct ReturnParams {
    /// Toss (and the sandbox): the payment key to confirm.
    pub payment_key: Option<String>,
    /// KakaoPay: the token that authorises the approve call.
    pub pg_token: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApproveRequest {
    pub attempt_key: String,
    pub order_no: String,
    pub amount: u32,
    pub buyer_id: u64,
    /// What `start` returned (KakaoPay tid), if anything.
    pub provider_ref: Option<String>,
    pub params: ReturnParams,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub provider_ref: String,
    /// What the provider says it charged; must equal the order's amount.
    pub amount: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// The provider refused; the message is safe to show (it is the provider's).
    #[error("{0}")]
    Declined(String),
    /// No answer in time or a transport error: the outcome is unknown, retry with the
    /// same idempotency key.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The provider answered something we do not understand (logged, shown generic).
    #[error("unexpected provider answer: {0}")]
    Unexpected(String),
}

impl From<reqwest::Error> for PayError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() || e.is_connect() || e.is_request() {
            PayError::Unavailable(e.to_string())
        } else {
            PayError::Unexpected(e.to_string())
        }
    }
}

/// A provider's error body: its code (for the log) and its message (for the buyer).
pub(crate) trait Refusal: serde::de::DeserializeOwned + Default {
    fn code(&self) -> String;
    fn into_message(self) -> String;
}

/// Reads a provider's answer the same way for every adapter: 2xx is `T`; 5xx means the
/// provider may or may not have acted (retry with the same idempotency key); anything
/// else is a refusal whose own message the buyer sees.
pub(crate) async fn read_answer<T: serde::de::DeserializeOwned, R: Refusal>(
    provider: &str,
    res: reqwest::Response,
) -> Result<T, PayError> {
    let status = res.status();
    if status.is_success() {
        return res
            .json::<T>()
            .await
            .map_err(|e| PayError::Unexpected(e.to_string()));
    }
    if status.is_server_error() {
        return Err(PayError::Unavailable(format!("{provider} status {status}")));
    }
    let refusal: R = res.json().await.unwrap_or_default();
    tracing::warn!(provider, status = %status, code = %refusal.code(), "payment refused");
    let message = refusal.into_message();
    Err(PayError::Declined(if message.is_empty() {
        "결제가 거절되었습니다.".into()
    } else {
        message
    }))
}

#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// Opens the provider's checkout for an attempt.
    async fn start(&self, req: &CheckoutRequest) -> Result<Checkout, PayError>;
    /// Captures the money after the buyer authorised it. Idempotent per attempt.
    async fn approve(&self, req: &ApproveRequest) -> Result<Approval, PayError>;
    /// Refunds an approved payment in full.
    async fn cancel(
        &self,
        provider_ref: &str,
        amount: u32,
        reason: &str,
        attempt_key: &str,
    ) -> Result<(), PayError>;
}

/// The providers this server offers, in the order the buy page lists them.
#[derive(Clone)]
pub struct Payments {
    providers: Vec<Arc<dyn PaymentProvider>>,
}

impl Payments {
    pub fn new(providers: Vec<Arc<dyn PaymentProvider>>) -> Self {
        Self { providers }
    }

    pub fn from_config(config: &crate::server::config::Config) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.payments.timeout)
            .connect_timeout(Duration::from_secs(3))
            .build()
            .expect("reqwest client with rustls");
        let mut providers: Vec<Arc<dyn PaymentProvider>> = Vec::new();
        if let Some(secret) = &config.payments.toss_secret_key {
            providers.push(Arc::new(toss::Toss::new(
                http.clone(),
                config.payments.toss_api_base.clone(),
                secret.clone(),
            )));
        }
        if let Some((secret, cid)) = &config.payments.kakaopay {
            providers.push(Arc::new(kakao::KakaoPay::new(
                http,
                config.payments.kakaopay_api_base.clone(),
                secret.clone(),
                cid.clone(),
            )));
        }
        if config.payments.sandbox {
            tracing::warn!(
                public_url = %config.public_url,
                "PAYMENT SANDBOX IS ON: '테스트 결제' approves payments that move no money \
                 (on for a loopback PUBLIC_URL or PAYMENT_SANDBOX=1)"
            );
            providers.push(Arc::new(sandbox::Sandbox));
        }
        Self::new(providers)
    }

    pub fn get(&self, kind: ProviderKind) -> Option<&Arc<dyn PaymentProvider>> {
        self.providers.iter().find(|p| p.kind() == kind)
    }

    pub fn kinds(&self) -> Vec<ProviderKind> {
        self.providers.iter().map(|p| p.kind()).collect()
    }
}
