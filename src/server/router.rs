use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{HeaderName, StatusCode, header};
use axum::http::{Request, Uri};
use axum::middleware;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use futures_util::future::BoxFuture;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::AppState;
use super::assets::{self, Served};
use super::http::{limit_request_size, record_metrics, server_fn_error_status};
use super::security::{self, ClientIp};
use crate::app::{App, shell};
use crate::features::accounts::server::sns;
use crate::features::chat::server as chat;
use crate::features::chat::types::SOCKET_PATH as CHAT_SOCKET_PATH;
use crate::features::orders::server::payments;
use crate::features::orders::server::repo as orders_repo;
use crate::features::orders::types::OrderStatus;
use crate::features::photos::server as photos;
use crate::features::photos::types::{MAX_REQUEST_BYTES, UPLOAD_PATH};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP surface: Leptos pages, server functions, static files, health, metrics.
pub fn build(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security::provide_request_nonce();
        }
    };
    let request_span = TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
        let request_id = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id = %request_id, method = %req.method(), path = %req.uri().path())
    });

    let mut router = Router::new().route("/healthz", get(healthz));
    // With a metrics address of its own, /metrics is served there only (main.rs).
    if state.config.metrics_addr.is_none() {
        router = router.route("/metrics", get(guarded_metrics));
    }
    router
        .route(
            UPLOAD_PATH,
            post(photos::http::upload).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES)),
        )
        .route("/photos/{file}", get(photos::http::serve))
        .route(CHAT_SOCKET_PATH, get(chat::ws::upgrade))
        .route(
            "/pay/return/{provider}",
            get(payments::http::payment_return),
        )
        .route("/pay/fail/{provider}", get(payments::http::payment_fail))
        .route("/auth/{provider}", get(sns::http::start))
        .route("/auth/{provider}/callback", get(sns::http::callback))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(static_file_or_page(context))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(limit_request_size))
        // Outermost last: the client address first, then the CSRF check and the address
        // limits (both answer before any handler runs), headers on every answer.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::address_limits,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_writes,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::client_ip,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            record_metrics,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(request_span)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(panic_response))
                .layer(CompressionLayer::new()),
        )
        .with_state(state)
}

/// A static file with its cache headers, or else the page router's 404 page.
fn static_file_or_page(
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> impl Fn(Uri, State<AppState>, Request<Body>) -> BoxFuture<'static, Response>
+ Clone
+ Send
+ Sync
+ 'static {
    let page = leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell);
    move |uri, State(state), req| {
        let page = page.clone();
        Box::pin(async move {
            match assets::serve(&state.leptos_options, req).await {
                Served::File(res) => res,
                Served::NotAFile(req) => page(uri, State(state), req).await,
            }
        })
    }
}

/// The app's routes, found once per process. Finding them renders the app with every
/// resource load suppressed through a process-wide flag, and a resource first polled
/// while it is set never loads (leptos issue #4773): a second router built while another
/// serves (the integration tests, the two-instance chat test) hung its page renders.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// A bug must cost one request a 500, never the connection: logged in full, sent opaque.
fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(crate::error::AppError::Internal),
    )
        .into_response()
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx::query_scalar!("SELECT 1 AS `ok: i32`")
        .fetch_one(&state.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn guarded_metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    client: Option<axum::Extension<ClientIp>>,
) -> axum::response::Response {
    if !security::may_read_metrics(&state, &headers, client.map(|c| c.0)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    metrics(State(state)).await.into_response()
}

/// The metrics page itself; on `METRICS_ADDR` it is all that listener serves.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    // Every state is reported, zero included, so a graph does not break when one empties.
    let mut orders: Vec<(&'static str, i64)> =
        OrderStatus::ALL.iter().map(|s| (s.as_db(), 0)).collect();
    match orders_repo::count_by_status(&state.pool).await {
        Ok(counts) => {
            for (status, count) in counts {
                if let Some(slot) = orders.iter_mut().find(|(s, _)| *s == status.as_db()) {
                    slot.1 = count;
                }
            }
        }
        // The rest of the page is still worth scraping; the gauges keep their last value.
        Err(_) => orders.clear(),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state
            .metrics
            .render(&state.pool, state.chat.open_sockets(), &orders),
    )
}
