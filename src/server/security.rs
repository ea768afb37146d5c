//! What every request passes before a handler sees it: who the client is (trusted
//! proxies), whether a write comes from our own pages (CSRF), whether it is within its
//! rate limit, and the security headers every response carries (a CSP whose script
//! nonce is the one Leptos puts on its own scripts).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore as _;

use super::AppState;
use super::limits::Limit;
use crate::error::AppError;

/// The client's address as we trust it, put on every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// This response's script nonce; the Leptos context hands the same one to its scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The peer, unless it is one of our proxies: then the nearest `X-Forwarded-For` hop that
/// is not a proxy of ours. Anyone else's `X-Forwarded-For` is ignored, so a client cannot
/// pick the address its limits are counted under.
pub fn resolve_client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|hop| !trusted.contains(hop))
        .unwrap_or(peer)
}

pub async fn client_ip(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Without the peer (a router served without connect info) nobody is on this
    // machine: 0.0.0.0 is not loopback, so it earns nothing meant for local clients.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ci| ci.0.ip());
    let ip = resolve_client_ip(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Whether a request comes from one of our own pages: the browser says so with
/// `Sec-Fetch-Site: same-origin`, or, where it does not send that header, with an
/// `Origin` that is ours. A request with neither is not from a browser page of ours; the
/// browser cannot be made to drop both. Writes (anything but GET/HEAD/OPTIONS) and the
/// chat WebSocket, which carries the session cookie, are taken only from our pages.
pub fn is_from_our_pages(headers: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin.eq_ignore_ascii_case(public_origin) {
        return true;
    }
    // The address the browser itself used (another port or name for the same server,
    // as on a developer's machine); the browser writes both headers, a page cannot.
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

pub async fn same_origin_writes(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || is_from_our_pages(req.headers(), state.config.public_origin()) {
        return next.run(req).await;
    }
    tracing::warn!(
        path = %req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        fetch_site = ?req.headers().get("sec-fetch-site"),
        "cross-site write refused"
    );
    AppError::Forbidden.into_response()
}

/// Which limit a request path counts against, for limits keyed by client address.
/// Member-keyed limits (chat, reports, uploads, orders) are checked where the member is
/// known.
fn address_limit(method: &Method, path: &str) -> Option<Limit> {
    match (method, path) {
        // Each checks a password (an argon2 hash).
        (
            &Method::POST,
            "/api/accounts/login"
            | "/api/accounts/profile"
            | "/api/accounts/password"
            | "/api/accounts/email/send"
            | "/api/accounts/withdraw",
        ) => Some(Limit::Login),
        // One checks a mailed code, the other mails one. (Entering the sign-up code needs
        // no address limit: it needs a session, and each code dies after five wrong tries.)
        (&Method::POST, "/api/accounts/email/confirm" | "/api/accounts/verify/send") => {
            Some(Limit::Recovery)
        }
        (&Method::POST, "/api/accounts/signup" | "/api/accounts/sns/signup") => Some(Limit::Signup),
        // Starting an SNS sign-in writes a row (its callback needs that row's state).
        (&Method::GET, p) if p.starts_with("/auth/") && !p.ends_with("/callback") => {
            Some(Limit::Login)
        }
        (&Method::POST, "/api/accounts/check") => Some(Limit::Availability),
        (&Method::POST, p)
            if p.starts_with("/api/accounts/find-id") || p.starts_with("/api/accounts/reset/") =>
        {
            Some(Limit::Recovery)
        }
        (_, "/search" | "/api/search/listings") => Some(Limit::Search),
        _ => None,
    }
}

pub async fn address_limits(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limit) = address_limit(req.method(), req.uri().path()) {
        let ip = req
            .extensions()
            .get::<ClientIp>()
            .map_or_else(|| "unknown".to_owned(), |ip| ip.0.to_string());
        if let Err(e) = state.limiters.check(limit, &ip) {
            if req.uri().path().starts_with("/api/") {
                return e.into_response();
            }
            // A page: the message itself, not the JSON the app's own calls decode.
            let message = e.to_string();
            let mut res = e.into_response();
            *res.body_mut() = axum::body::Body::from(message);
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return res;
        }
    }
    next.run(req).await
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Scripts run only with this response's nonce (Leptos' hydration loader and its
/// streamed resource scripts carry it; `strict-dynamic` lets the loader import the
/// bundle); wasm may compile; nothing frames us; styles may be inline (`style=`
/// attributes), scripts may not.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         font-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'"
    )
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), geolocation=(self), microphone=()"),
    );
    if state.config.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

/// The Leptos side of the nonce: called in the render context of every page, so the
/// scripts Leptos writes carry the nonce the CSP header names.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// `/metrics` on the public listener: for the configured bearer token, or for a client
/// on this machine when no token is set.
pub fn may_read_metrics(state: &AppState, headers: &HeaderMap, client: Option<ClientIp>) -> bool {
    match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.as_bytes(), token.as_bytes())),
        None => client.is_some_and(|ip| ip.0.is_loopback()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_our_proxies() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let outsider: IpAddr = "203.0.113.9".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7")]);
        // Anyone else's header is ignored.
        assert_eq!(resolve_client_ip(outsider, &h, &[proxy]), outsider);
        // From our proxy: the nearest hop it saw, not what the client wrote first.
        assert_eq!(
            resolve_client_ip(proxy, &h, &[proxy]),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // A chain of our own proxies is skipped.
        let h = headers(&[("x-forwarded-for", "198.51.100.7, 10.0.0.6")]);
        let proxies = [proxy, "10.0.0.6".parse().unwrap()];
        assert_eq!(
            resolve_client_ip(proxy, &h, &proxies),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Garbage from a proxy falls back to the proxy itself.
        let h = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(resolve_client_ip(proxy, &h, &[proxy]), proxy);
    }

    #[test]
    fn writes_need_a_same_origin_browser() {
        let ours = "https://breadbook.kr";
        assert!(is_from_our_pages(
            &headers(&[("sec-fetch-site", "same-origin")]),
            ours
        ));
        for site in ["cross-site", "same-site", "none"] {
            assert!(!is_from_our_pages(
                &headers(&[("sec-fetch-site", site)]),
                ours
            ));
        }
        // Sec-Fetch-Site wins over an Origin that looks right.
        assert!(!is_from_our_pages(
            &headers(&[("sec-fetch-site", "cross-site"), ("origin", ours)]),
            ours
        ));
        assert!(is_from_our_pages(&headers(&[("origin", ours)]), ours));
        assert!(!is_from_our_pages(
            &headers(&[("origin", "https://evil.example")]),
            ours
        ));
        assert!(!is_from_our_pages(&headers(&[("origin", "null")]), ours));
        assert!(!is_from_our_pages(&headers(&[]), ours));
        // The address the browser used for this very server.
        assert!(is_from_our_pages(
            &headers(&[
                ("origin", "http://127.0.0.1:41234"),
                ("host", "127.0.0.1:41234")
            ]),
            ours
        ));
        assert!(!is_from_our_pages(
            &headers(&[
                ("origin", "http://evil.example"),
                ("host", "127.0.0.1:41234")
            ]),
            ours
        ));
    }

    #[test]
    fn costly_paths_have_their_address_limit() {
        assert_eq!(
            address_limit(&Method::POST, "/api/accounts/login"),
            Some(Limit::Login)
        );
        assert_eq!(address_limit(&Method::GET, "/search"), Some(Limit::Search));
        // Starting an SNS sign-in stores a flow; its callback needs one.
        assert_eq!(
            address_limit(&Method::GET, "/auth/kakao"),
            Some(Limit::Login)
        );
        assert_eq!(address_limit(&Method::GET, "/auth/kakao/callback"), None);
        assert_eq!(
            address_limit(&Method::POST, "/api/search/listings"),
            Some(Limit::Search)
        );
        // Every call that checks a password, or spends or mails a code.
        for path in [
            "/api/accounts/profile",
            "/api/accounts/password",
            "/api/accounts/email/send",
            "/api/accounts/withdraw",
        ] {
            assert_eq!(
                address_limit(&Method::POST, path),
                Some(Limit::Login),
                "{path}"
            );
        }
        for path in [
            "/api/accounts/find-id",
            "/api/accounts/find-id/send",
            "/api/accounts/find-id/confirm",
            "/api/accounts/reset/send",
            "/api/accounts/reset/confirm",
            "/api/accounts/email/confirm",
            "/api/accounts/verify/send",
        ] {
            assert_eq!(
                address_limit(&Method::POST, path),
                Some(Limit::Recovery),
                "{path}"
            );
        }
        assert_eq!(address_limit(&Method::GET, "/listings/1"), None);
    }

    #[test]
    fn csp_allows_only_nonced_scripts() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("'unsafe-inline' 'strict"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
