use std::time::Duration;

use sqlx::MySqlPool;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};

use super::config::Config;

pub async fn connect(config: &Config) -> anyhow::Result<MySqlPool> {
    let options: MySqlConnectOptions = config.database_url.parse()?;
    // UTC on the wire: every DATETIME we store is UTC.
    let options = options.timezone(Some("+00:00".into())).charset("utf8mb4");
    let pool = MySqlPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    Ok(pool)
}

pub async fn migrate(pool: &MySqlPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}
