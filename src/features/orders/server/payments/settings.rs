//! Which payment providers run, read from the environment at start-up.

use std::net::IpAddr;
use std::time::Duration;

use super::{kakao, toss};
use crate::server::config::origin_of;

#[derive(Clone)]
pub struct PaymentSettings {
    /// TossPayments secret key (disabled without one); base URL overridable for tests.
    pub toss_secret_key: Option<String>,
    pub toss_api_base: String,
    /// KakaoPay: (secret key, merchant cid); disabled without a key.
    pub kakaopay: Option<(String, String)>,
    pub kakaopay_api_base: String,
    /// Offer the local "테스트 결제" provider (default on; turn off in production).
    pub sandbox: bool,
    /// How long we wait for a payment provider before calling the outcome unknown.
    pub timeout: Duration,
}

impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSettings")
            .field("toss", &self.toss_secret_key.as_ref().map(|_| "***"))
            .field("kakaopay", &self.kakaopay.as_ref().map(|(_, cid)| cid))
            .field("sandbox", &self.sandbox)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl PaymentSettings {
    /// From `TOSS_*`, `KAKAOPAY_*`, `PAYMENT_SANDBOX` and `PAYMENT_TIMEOUT_SECS`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        Ok(Self {
            toss_secret_key: var("TOSS_SECRET_KEY"),
            toss_api_base: var("TOSS_API_BASE").unwrap_or_else(|| toss::DEFAULT_BASE.into()),
            kakaopay: var("KAKAOPAY_SECRET_KEY").map(|key| {
                let cid = var("KAKAOPAY_CID").unwrap_or_else(|| kakao::TEST_CID.into());
                (key, cid)
            }),
            kakaopay_api_base: var("KAKAOPAY_API_BASE")
                .unwrap_or_else(|| kakao::DEFAULT_BASE.into()),
            sandbox: sandbox_allowed(
                var("PAYMENT_SANDBOX").as_deref(),
                var("PUBLIC_URL").as_deref(),
            ),
            timeout: Duration::from_secs(
                var("PAYMENT_TIMEOUT_SECS")
                    .map(|v| v.parse())
                    .transpose()?
                    .unwrap_or(10),
            ),
        })
    }

    /// The sandbox only, with a short time-out.
    pub fn for_tests() -> Self {
        Self {
            toss_secret_key: None,
            toss_api_base: toss::DEFAULT_BASE.into(),
            kakaopay: None,
            kakaopay_api_base: kakao::DEFAULT_BASE.into(),
            sandbox: true,
            timeout: Duration::from_secs(2),
        }
    }
}

/// The test payment provider moves no money, so it is on only where that cannot matter:
/// a loopback `PUBLIC_URL` (a developer's machine), or `PAYMENT_SANDBOX=1` said outright.
fn sandbox_allowed(setting: Option<&str>, public_url: Option<&str>) -> bool {
    match setting {
        Some("1" | "true") => true,
        Some(_) => false,
        None => public_url.is_none_or(|url| {
            let authority = origin_of(url)
                .split_once("://")
                .map_or("", |(_, rest)| rest);
            // "[::1]:3000" keeps its colons inside the brackets; "host:3000" before its port.
            let host = match authority.strip_prefix('[') {
                Some(v6) => v6.split_once(']').map_or(v6, |(h, _)| h),
                None => authority.split_once(':').map_or(authority, |(h, _)| h),
            };
            host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_is_on_only_for_loopback_or_when_asked() {
        assert!(sandbox_allowed(None, None));
        assert!(sandbox_allowed(None, Some("http://127.0.0.1:3000")));
        assert!(sandbox_allowed(None, Some("http://localhost:3000/")));
        assert!(sandbox_allowed(None, Some("http://[::1]:3000")));
        assert!(sandbox_allowed(None, Some("http://[::1]")));
        assert!(sandbox_allowed(None, Some("http://127.0.0.1")));
        assert!(!sandbox_allowed(None, Some("https://breadbook.kr")));
        assert!(!sandbox_allowed(
            None,
            Some("http://127.0.0.1.evil.example")
        ));
        assert!(sandbox_allowed(Some("1"), Some("https://breadbook.kr")));
        assert!(!sandbox_allowed(Some("0"), Some("http://127.0.0.1:3000")));
    }
}
