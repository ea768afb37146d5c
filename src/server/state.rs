use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::MySqlPool;

use super::clock::Clock;
use super::config::Config;
use super::limits::Limiters;
use super::mail::Mailer;
use super::metrics::Metrics;
use crate::features::catalog::server::sources::{self, Catalog};
use crate::features::chat::server::hub::Hub;
use crate::features::chat::server::writer::ChatWriter;
use crate::features::orders::server::payments::Payments;
use crate::features::photos::server::PhotoStore;

/// Everything a request handler or server function needs; provided to server functions
/// as context by `leptos_routes_with_context` (no globals).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: MySqlPool,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub catalog: Arc<Catalog>,
    pub photos: Arc<PhotoStore>,
    pub payments: Arc<Payments>,
    pub chat: Arc<Hub>,
    pub chat_writer: ChatWriter,
    pub limiters: Arc<Limiters>,
    pub mailer: Arc<Mailer>,
    pub sns: Arc<crate::features::accounts::server::sns::Sns>,
}

impl AppState {
    /// The state for one configuration: the catalog with the sources the config enables,
    /// the photo store it names, its payment providers and fresh metrics. Shared by the
    /// binary, the integration tests and the benchmarks, so they serve the same app.
    pub fn new(
        leptos_options: LeptosOptions,
        pool: MySqlPool,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            catalog: Arc::new(Catalog::new(
                pool.clone(),
                sources::external_sources(&config),
            )),
            photos: Arc::new(PhotoStore::open(&config.photo_backend)?),
            payments: Arc::new(Payments::from_config(&config)),
            chat: Hub::new(config.chat_broker_url.as_deref())?,
            chat_writer: ChatWriter::start(pool.clone(), config.chat_writers),
            metrics: Arc::new(Metrics::new()),
            mailer: Arc::new(Mailer::new(&config.mail)?),
            sns: Arc::new(crate::features::accounts::server::sns::Sns::new(
                &config.sns,
            )?),
            limiters: {
                let limiters = Arc::new(Limiters::new(&config.rate_limits));
                tokio::spawn(super::limits::shrink_forever(limiters.clone()));
                limiters
            },
            config: Arc::new(config),
            leptos_options,
            pool,
            clock,
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
