//! Configuration from the environment, with defaults that make a local run work.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use super::limits::RateLimits;
use super::mail::MailSettings;
use crate::features::catalog::server::sources::SourceSettings;
use crate::features::orders::server::payments::PaymentSettings;
use crate::features::photos::server::{PhotoBackend, S3Settings};

/// Two writers: one builds and sends a batch while the other waits for its commit.
const DEFAULT_CHAT_WRITERS: usize = 2;

#[derive(Clone)]
pub struct Config {
    /// Holds credentials: never logged (Debug below redacts it).
    pub database_url: String,
    /// A second address for the same database (the other HAProxy): the pool moves to it
    /// when `database_url` stops answering (`db::connect`). Also credentials.
    pub database_failover_url: Option<String>,
    /// The address users reach us at; its scheme decides the cookie's `Secure` flag.
    pub public_url: String,
    pub session_ttl: Duration,
    pub db_max_connections: u32,
    /// Load the demo marketplace when the database has no members yet.
    pub seed_demo: bool,
    /// Outside book sources (Kakao, Naver) behind our own catalog.
    pub book_sources: SourceSettings,
    /// Where listing photos are stored.
    pub photo_backend: PhotoBackend,
    /// Payment providers: TossPayments, KakaoPay, the sandbox.
    pub payments: PaymentSettings,
    /// Days after shipping before a purchase confirms itself.
    pub auto_confirm_days: i64,
    /// Redis for chat fan-out between app instances (`redis://…`); one instance needs none.
    pub chat_broker_url: Option<String>,
    /// Chat writer tasks (group commit, see `chat::writer`); each holds one connection
    /// while it writes.
    pub chat_writers: usize,
    /// Peers whose `X-Forwarded-For` we believe (our HAProxy); everyone else is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// `/metrics` on this address only (off the public listener), when set.
    pub metrics_addr: Option<SocketAddr>,
    /// `/metrics` on the public listener for `Authorization: Bearer <token>` (and
    /// loopback clients), when set.
    pub metrics_token: Option<String>,
    /// Requests of each costly or abusable kind a client may make (see `limits`).
    pub rate_limits: RateLimits,
    /// Outgoing mail: SMTP, or the outbox folder.
    pub mail: MailSettings,
    /// Kakao, Naver and Google sign-in: each offered once its client ID is set.
    pub sns: crate::features::accounts::server::sns::settings::SnsSettings,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &"***")
            .field(
                "database_failover_url",
                &self.database_failover_url.as_ref().map(|_| "***"),
            )
            .field("public_url", &self.public_url)
            .field("session_ttl", &self.session_ttl)
            .field("db_max_connections", &self.db_max_connections)
            .field("seed_demo", &self.seed_demo)
            .field("book_sources", &self.book_sources)
            .field("photo_backend", &self.photo_backend)
            .field("payments", &self.payments)
            .field("auto_confirm_days", &self.auto_confirm_days)
            .field(
                "chat_broker",
                &self.chat_broker_url.as_ref().map(|_| "redis"),
            )
            .field("chat_writers", &self.chat_writers)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_addr", &self.metrics_addr)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("rate_limits", &self.rate_limits)
            .field("mail", &self.mail)
            .field("sns", &self.sns)
            .finish()
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let database_url = var("DATABASE_URL")
            .ok_or_else(|| anyhow::anyhow!("DATABASE_URL is not set (./scripts/run sets it up)"))?;
        let session_days: u64 = var("SESSION_DAYS")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(30);
        Ok(Self {
            database_url,
            database_failover_url: var("DATABASE_FAILOVER_URL"),
            public_url: var("PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            session_ttl: Duration::from_secs(session_days * 24 * 3600),
            db_max_connections: var("DB_MAX_CONNECTIONS")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(16),
            seed_demo: var("SEED_DEMO").is_some_and(|v| v == "1" || v == "true"),
            book_sources: SourceSettings::from_env(var),
            photo_backend: match var("PHOTO_S3_BUCKET") {
                Some(bucket) => PhotoBackend::S3(S3Settings {
                    bucket,
                    endpoint: var("PHOTO_S3_ENDPOINT"),
                    region: var("PHOTO_S3_REGION").unwrap_or_else(|| "ap-northeast-2".into()),
                    access_key_id: var("AWS_ACCESS_KEY_ID").ok_or_else(|| {
                        anyhow::anyhow!("PHOTO_S3_BUCKET is set but AWS_ACCESS_KEY_ID is not")
                    })?,
                    secret_access_key: var("AWS_SECRET_ACCESS_KEY").ok_or_else(|| {
                        anyhow::anyhow!("PHOTO_S3_BUCKET is set but AWS_SECRET_ACCESS_KEY is not")
                    })?,
                }),
                None => PhotoBackend::Local(
                    var("PHOTO_DIR").map_or_else(|| PathBuf::from(".data/photos"), PathBuf::from),
                ),
            },
            payments: PaymentSettings::from_env(var)?,
            auto_confirm_days: var("AUTO_CONFIRM_DAYS")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(crate::features::orders::types::AUTO_CONFIRM_DAYS),
            chat_broker_url: var("CHAT_BROKER_URL"),
            chat_writers: var("CHAT_WRITERS")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(DEFAULT_CHAT_WRITERS),
            trusted_proxies: var("TRUSTED_PROXIES")
                .map(|v| parse_ips(&v))
                .transpose()?
                .unwrap_or_default(),
            metrics_addr: var("METRICS_ADDR").map(|v| v.parse()).transpose()?,
            metrics_token: var("METRICS_TOKEN"),
            rate_limits: RateLimits::from_env(|k| var(k))?,
            mail: MailSettings::from_env(var),
            sns: crate::features::accounts::server::sns::settings::SnsSettings::from_env(var),
        })
    }

    /// The database addresses in order of preference.
    pub fn database_urls(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.database_url.as_str()).chain(self.database_failover_url.as_deref())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Settings for tests: no seeding, short pool.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            database_url,
            database_failover_url: None,
            public_url: "http://127.0.0.1".into(),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            db_max_connections: 5,
            seed_demo: false,
            book_sources: SourceSettings::for_tests(),
            // Each test app gets its own folder.
            photo_backend: PhotoBackend::Local(
                std::env::temp_dir().join(format!("bread-photos-{}", uuid::Uuid::new_v4())),
            ),
            payments: PaymentSettings::for_tests(),
            auto_confirm_days: crate::features::orders::types::AUTO_CONFIRM_DAYS,
            chat_broker_url: None,
            chat_writers: DEFAULT_CHAT_WRITERS,
            trusted_proxies: Vec::new(),
            metrics_addr: None,
            metrics_token: None,
            rate_limits: RateLimits::default(),
            // Each test app gets its own outbox, which the tests read.
            mail: MailSettings {
                smtp_url: None,
                from: "책빵 <no-reply@breadbook.test>".into(),
                outbox: std::env::temp_dir().join(format!("bread-outbox-{}", uuid::Uuid::new_v4())),
            },
            sns: Default::default(),
        }
    }

    /// `scheme://host[:port]` of `PUBLIC_URL`: what a browser sends as `Origin`.
    pub fn public_origin(&self) -> &str {
        origin_of(&self.public_url)
    }
}

/// `scheme://host[:port]` of a URL.
pub(crate) fn origin_of(url: &str) -> &str {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url;
    };
    let end = rest
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme.len() + 3 + i);
    &url[..end]
}

fn parse_ips(list: &str) -> anyhow::Result<Vec<IpAddr>> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| anyhow::anyhow!("TRUSTED_PROXIES: '{s}' is not an IP address"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://breadbook.kr/app?x"),
            "https://breadbook.kr"
        );
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
    }
}
