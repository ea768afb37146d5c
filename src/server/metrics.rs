//! Prometheus metrics, held in AppState (a registry per app, so tests do not share one).

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sqlx::MySqlPool;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

/// Why a database call failed for now (see `AppError::from(sqlx::Error)`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TransientLabels {
    pub kind: &'static str,
}

/// Every `TransientLabels::kind` the error conversion uses.
pub const TRANSIENT_KINDS: [&str; 6] = [
    "deadlock",
    "lock_wait",
    "node_not_ready",
    "commit_failed",
    "pool_timeout",
    "connection_lost",
];

/// What the retry helper did with a failed transaction.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RetryLabels {
    /// `retried` or `gave_up`.
    pub outcome: &'static str,
}

// Process-wide, because they are counted where no AppState is at hand (error conversion,
// the retry helper, the address watcher); every registry exports the same counters.
pub static DB_TRANSIENT_ERRORS: LazyLock<Family<TransientLabels, Counter>> =
    LazyLock::new(Family::default);
pub static DB_RETRIES: LazyLock<Family<RetryLabels, Counter>> = LazyLock::new(Family::default);
pub static DB_FAILOVERS: LazyLock<Counter> = LazyLock::new(Counter::default);

/// An order state, as the metrics page labels it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OrderStateLabels {
    pub status: &'static str,
}

pub struct Metrics {
    orders: Family<OrderStateLabels, Gauge>,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    chat_sockets: Gauge,
    chat_store: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("breadbook");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
        });
        let (pool_size, pool_idle, pool_max) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Pool size limit",
            pool_max.clone(),
        );
        let chat_sockets = Gauge::default();
        registry.register(
            "chat_sockets",
            "Open chat WebSockets on this instance",
            chat_sockets.clone(),
        );
        let chat_store = Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]);
        registry.register(
            "chat_message_store_seconds",
            "From a message frame read to its acknowledgement (validated, committed, fanned out)",
            chat_store.clone(),
        );
        registry.register(
            "db_transient_errors",
            "Database calls that failed for now, by kind (deadlock, lock_wait, node_not_ready, commit_failed, pool_timeout, connection_lost)",
            DB_TRANSIENT_ERRORS.clone(),
        );
        registry.register(
            "db_retries",
            "Whole transactions run again after a transient failure, or given up on",
            DB_RETRIES.clone(),
        );
        registry.register(
            "db_failovers",
            "Switches from one database address (balancer) to the other",
            DB_FAILOVERS.clone(),
        );
        // Every label a graph or an alert names exists from the first scrape (at zero),
        // so "no retries yet" reads as 0 rather than as no data.
        for outcome in ["retried", "gave_up"] {
            DB_RETRIES.get_or_create(&RetryLabels { outcome }).inc_by(0);
        }
        for kind in TRANSIENT_KINDS {
            DB_TRANSIENT_ERRORS
                .get_or_create(&TransientLabels { kind })
                .inc_by(0);
        }
        let orders = Family::<OrderStateLabels, Gauge>::default();
        registry.register(
            "orders",
            "Orders in each state (read at scrape time)",
            orders.clone(),
        );
        Self {
            orders,
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            pool_max,
            chat_sockets,
            chat_store,
        }
    }

    pub fn observe_chat_store(&self, elapsed: Duration) {
        self.chat_store.observe(elapsed.as_secs_f64());
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.into(),
                route: route.into(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.into(),
                route: route.into(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Text exposition format, with the gauges read at scrape time.
    pub fn render(
        &self,
        pool: &MySqlPool,
        chat_sockets: u64,
        orders: &[(&'static str, i64)],
    ) -> String {
        for (status, count) in orders {
            self.orders
                .get_or_create(&OrderStateLabels { status })
                .set(*count);
        }
        self.chat_sockets.set(chat_sockets as i64);
        self.pool_size.set(pool.size() as i64);
        self.pool_idle.set(pool.num_idle() as i64);
        self.pool_max
            .set(pool.options().get_max_connections() as i64);
        self.encode()
    }

    /// The registry in the text format, gauges as last set.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        out
    }
}
