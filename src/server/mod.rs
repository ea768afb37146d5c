//! Server-only code: the single `ssr` gate. Nothing in here reaches the wasm build.

pub mod assets;
pub mod clock;
pub mod config;
pub mod db;
pub mod http;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod password;
pub mod request;
pub mod router;
pub mod security;
pub mod seed;
pub mod session;
pub mod state;
pub mod telemetry;

pub use state::AppState;

/// Server-side rendering allocates many short strings; under glibc malloc, allocation
/// was a fifth of a search page's server time (BENCHMARKS.md, SSR throughput).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
