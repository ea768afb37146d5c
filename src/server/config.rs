//! Configuration from the environment, with defaults that make a local run work.

use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    /// Holds credentials: never logged (Debug below redacts it).
    pub database_url: String,
    /// The address users reach us at; its scheme decides the cookie's `Secure` flag.
    pub public_url: String,
    pub session_ttl: Duration,
    pub db_max_connections: u32,
    /// Load the demo marketplace when the database has no members yet.
    pub seed_demo: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &"***")
            .field("public_url", &self.public_url)
            .field("session_ttl", &self.session_ttl)
            .field("db_max_connections", &self.db_max_connections)
            .field("seed_demo", &self.seed_demo)
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
            public_url: var("PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            session_ttl: Duration::from_secs(session_days * 24 * 3600),
            db_max_connections: var("DB_MAX_CONNECTIONS")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(16),
            seed_demo: var("SEED_DEMO").is_some_and(|v| v == "1" || v == "true"),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Settings for tests: no seeding, short pool.
    pub fn for_tests(database_url: String) -> Self {
        Self {
            database_url,
            public_url: "http://127.0.0.1".into(),
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            db_max_connections: 5,
            seed_demo: false,
        }
    }
}
