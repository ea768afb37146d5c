#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use axum::serve::ListenerExt;

    use bread_book::server::{
        AppState, clock::SystemClock, config::Config, db, router, seed, telemetry,
    };
    use leptos::prelude::get_configuration;

    telemetry::init();
    let config = Config::from_env()?;
    let mut leptos_options = get_configuration(None)?.leptos_options;
    bread_book::server::assets::use_hashed_names_if_built(&mut leptos_options);
    let addr = leptos_options.site_addr;

    let pool = db::connect(&config).await?;
    db::migrate(&pool).await?;
    let clock = Arc::new(SystemClock);
    if config.seed_demo {
        seed::seed_demo_if_empty(&pool, clock.as_ref()).await?;
    }

    // Listings added before the search index existed, or by an older tokenizer.
    let indexed = bread_book::features::search::server::repo::index_pending(&pool).await?;
    if indexed > 0 {
        tracing::info!(indexed, "search index brought up to date");
    }

    let state = AppState::new(leptos_options, pool, clock, config)?;
    // Expiries, auto-confirmations, settlements, review reveals, refund retries.
    tokio::spawn(bread_book::features::orders::server::sweep::sweep_forever(
        state.clone(),
    ));
    // What is left of members who withdrew two years ago; accounts never verified.
    tokio::spawn(bread_book::features::accounts::server::withdrawal::purge_forever(state.clone()));
    // Photos uploaded for a listing that was never posted.
    tokio::spawn(bread_book::features::photos::server::http::sweep_orphans_forever(state.clone()));
    if let Some(metrics_addr) = state.config.metrics_addr {
        // Prometheus scrapes here; the public listener has no /metrics at all.
        let metrics_app = axum::Router::new()
            .route("/metrics", axum::routing::get(router::metrics))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        tracing::info!(%metrics_addr, "metrics on their own listener");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics_app).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    let app = router::build(state);
    // Streamed pages are written in several pieces; without TCP_NODELAY, Nagle's
    // algorithm and the client's delayed ACK hold the last piece for ~40 ms.
    let listener = tokio::net::TcpListener::bind(&addr).await?.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(%addr, "책빵 listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("server stopped");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser entry point is `hydrate()` in lib.rs; this binary is server-only.
}
