//! Rate limits on every costly or abusable call, per client address or per member.
//!
//! GCRA limiters from `governor`, kept in memory per app instance: a limit of N per
//! window lets a burst of N through and then one every window/N. Several instances
//! behind HAProxy each allow that much; the database-backed caps (unpaid orders, photos
//! per hour, the login lock-out) hold across instances.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

/// One kind of request that is limited, with its default allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Login attempts per client address (each costs a ~19 MiB argon2 hash).
    Login,
    /// Sign-ups per client address.
    Signup,
    /// While-typing availability checks of an ID, email or nickname, per address.
    Availability,
    /// Searches per client address.
    Search,
    /// Chat messages per member.
    ChatSend,
    /// Reports (of messages, listings, members) per member.
    Report,
    /// Photo upload attempts per member, whether or not the photo is stored.
    Upload,
    /// Orders placed per member (the unpaid ones are capped apart, in the database).
    Order,
    /// 아이디 찾기 and 비밀번호 재설정 calls per client address (codes are also capped
    /// per member, in the database).
    Recovery,
}

impl Limit {
    pub const ALL: [Limit; 9] = [
        Limit::Login,
        Limit::Signup,
        Limit::Availability,
        Limit::Search,
        Limit::ChatSend,
        Limit::Report,
        Limit::Upload,
        Limit::Order,
        Limit::Recovery,
    ];

    /// The environment variable that overrides it: `RATE_LIMIT_LOGIN=10/60` is ten per
    /// sixty seconds.
    pub fn env_name(self) -> &'static str {
        match self {
            Limit::Login => "RATE_LIMIT_LOGIN",
            Limit::Signup => "RATE_LIMIT_SIGNUP",
            Limit::Availability => "RATE_LIMIT_AVAILABILITY",
            Limit::Search => "RATE_LIMIT_SEARCH",
            Limit::ChatSend => "RATE_LIMIT_CHAT_SEND",
            Limit::Report => "RATE_LIMIT_REPORT",
            Limit::Upload => "RATE_LIMIT_UPLOAD",
            Limit::Order => "RATE_LIMIT_ORDER",
            Limit::Recovery => "RATE_LIMIT_RECOVERY",
        }
    }

    /// Defaults: what a real person never reaches, and what keeps a script slow.
    pub fn default_allowance(self) -> Allowance {
        let (count, secs) = match self {
            Limit::Login => (10, 60),
            Limit::Signup => (20, 3600),
            Limit::Availability => (60, 60),
            Limit::Search => (120, 60),
            Limit::ChatSend => (20, 10),
            Limit::Report => (20, 3600),
            Limit::Upload => (150, 3600),
            Limit::Order => (30, 3600),
            Limit::Recovery => (30, 3600),
        };
        Allowance {
            count: NonZeroU32::new(count).expect("non-zero default"),
            window: Duration::from_secs(secs),
        }
    }

    /// The Korean message a client over the limit sees.
    fn message(self) -> &'static str {
        match self {
            Limit::Login => "로그인 시도가 너무 많아요.",
            Limit::Signup => "이 네트워크에서 가입이 너무 많았어요.",
            Limit::Availability => "확인 요청이 너무 많아요.",
            Limit::Search => "검색이 너무 많아요.",
            Limit::ChatSend => "메시지를 너무 빨리 보내고 있어요.",
            Limit::Report => "신고를 너무 많이 했어요.",
            Limit::Upload => "사진을 너무 많이 올리고 있어요.",
            Limit::Order => "주문을 너무 많이 했어요.",
            Limit::Recovery => "아이디·비밀번호 찾기 요청이 너무 많아요.",
        }
    }
}

/// N requests per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub count: NonZeroU32,
    pub window: Duration,
}

impl Allowance {
    /// `count/seconds`, e.g. `10/60`.
    pub fn parse(text: &str) -> Option<Self> {
        let (count, secs) = text.trim().split_once('/')?;
        let count = NonZeroU32::new(count.trim().parse().ok()?)?;
        let secs: u64 = secs.trim().trim_end_matches('s').parse().ok()?;
        (secs > 0).then(|| Allowance {
            count,
            window: Duration::from_secs(secs),
        })
    }

    fn quota(self) -> Quota {
        let period = self.window / self.count.get();
        Quota::with_period(period.max(Duration::from_millis(1)))
            .expect("non-zero period")
            .allow_burst(self.count)
    }
}

/// The allowance of each limit, from the environment or the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    allowances: Vec<(Limit, Allowance)>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            allowances: Limit::ALL
                .iter()
                .map(|&l| (l, l.default_allowance()))
                .collect(),
        }
    }
}

impl RateLimits {
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut limits = Self::default();
        for limit in Limit::ALL {
            if let Some(text) = var(limit.env_name()) {
                let allowance = Allowance::parse(&text).ok_or_else(|| {
                    anyhow::anyhow!("{}: expected COUNT/SECONDS, got '{text}'", limit.env_name())
                })?;
                limits.set(limit, allowance);
            }
        }
        Ok(limits)
    }

    pub fn set(&mut self, limit: Limit, allowance: Allowance) {
        for (l, a) in &mut self.allowances {
            if *l == limit {
                *a = allowance;
            }
        }
    }

    pub fn get(&self, limit: Limit) -> Allowance {
        self.allowances
            .iter()
            .find(|(l, _)| *l == limit)
            .map_or_else(|| limit.default_allowance(), |(_, a)| *a)
    }
}

/// The running limiters, one keyed limiter per kind.
pub struct Limiters {
    limiters: Vec<(Limit, DefaultKeyedRateLimiter<String>)>,
}

impl fmt::Debug for Limiters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiters").finish_non_exhaustive()
    }
}

impl Limiters {
    pub fn new(limits: &RateLimits) -> Self {
        Self {
            limiters: Limit::ALL
                .iter()
                .map(|&l| (l, RateLimiter::keyed(limits.get(l).quota())))
                .collect(),
        }
    }

    /// Counts one request of `limit` for `key` (an address or `m:<member id>`); over the
    /// allowance it answers `RateLimited` with when to come back.
    pub fn check(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        let Some((_, limiter)) = self.limiters.iter().find(|(l, _)| *l == limit) else {
            return Ok(());
        };
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(limiter.clock()));
            let retry_after_secs = u32::try_from(wait.as_secs() + 1).unwrap_or(u32::MAX);
            tracing::info!(?limit, key, retry_after_secs, "rate limited");
            AppError::RateLimited {
                message: format!(
                    "{} {}",
                    limit.message(),
                    crate::ui::format::retry_after_ko(retry_after_secs)
                ),
                retry_after_secs,
            }
        })
    }

    /// Member-keyed check.
    pub fn check_member(&self, limit: Limit, member_id: u64) -> Result<(), AppError> {
        self.check(limit, &format!("m:{member_id}"))
    }

    /// Forgets keys that are back to a full allowance, so memory stays bounded by the
    /// clients of the last window.
    pub fn shrink(&self) {
        for (_, limiter) in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Sweeps idle keys once a minute.
pub async fn shrink_forever(limiters: std::sync::Arc<Limiters>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        limiters.shrink();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_parses_count_per_seconds() {
        let a = Allowance::parse("10/60").unwrap();
        assert_eq!(a.count.get(), 10);
        assert_eq!(a.window, Duration::from_secs(60));
        assert_eq!(Allowance::parse(" 5 / 30s"), Allowance::parse("5/30"));
        for bad in ["", "10", "0/60", "10/0", "x/60", "10/-1"] {
            assert_eq!(Allowance::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_burst_passes_then_the_key_waits_and_others_do_not() {
        let mut limits = RateLimits::default();
        limits.set(Limit::Login, Allowance::parse("3/60").unwrap());
        let limiters = Limiters::new(&limits);
        for _ in 0..3 {
            limiters.check(Limit::Login, "10.0.0.1").unwrap();
        }
        let Err(AppError::RateLimited {
            retry_after_secs, ..
        }) = limiters.check(Limit::Login, "10.0.0.1")
        else {
            panic!("the fourth attempt in a minute must be refused");
        };
        assert!((1..=21).contains(&retry_after_secs), "{retry_after_secs}");
        limiters.check(Limit::Login, "10.0.0.2").unwrap();
        // Limits are separate per kind.
        limiters.check(Limit::Search, "10.0.0.1").unwrap();
    }

    #[test]
    fn environment_overrides_one_limit() {
        let limits =
            RateLimits::from_env(|k| (k == "RATE_LIMIT_SEARCH").then(|| "7/7".into())).unwrap();
        assert_eq!(limits.get(Limit::Search).count.get(), 7);
        assert_eq!(limits.get(Limit::Login), Limit::Login.default_allowance());
        assert!(
            RateLimits::from_env(|k| (k == "RATE_LIMIT_LOGIN").then(|| "lots".into())).is_err()
        );
    }
}
