//! Static files: the front-end bundle under `/pkg` and what `public/` holds. They are
//! served from the brotli and gzip copies `cargo leptos build --release --precompress`
//! made once at build time (no compression per request), and with validators, so a phone
//! that already has a file gets a 304 or, for the hashed bundle, never asks again.

use std::fs::Metadata;
use std::path::PathBuf;
use std::time::UNIX_EPOCH;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// A hashed bundle file's content never changes under its name.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Anything else may change in place: always revalidated, which costs a 304, not the body.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");
const VARY_ENCODING: HeaderValue = HeaderValue::from_static("accept-encoding");

pub enum Served {
    File(Response<Body>),
    /// Not a static file: the request goes on to the page router (its 404 page).
    NotAFile(Request<Body>),
}

pub async fn serve(options: &LeptosOptions, req: Request<Body>) -> Served {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Served::NotAFile(req);
    }
    let Some(path) = file_under(&options.site_root, req.uri().path()) else {
        return Served::NotAFile(req);
    };
    let meta = match tokio::fs::metadata(&path).await {
        Ok(meta) if meta.is_file() => meta,
        _ => return Served::NotAFile(req),
    };
    let hashed = options.hash_files
        && req
            .uri()
            .path()
            .starts_with(&format!("/{}/", options.site_pkg_dir));
    let validators = Validators {
        etag: etag_of(&meta),
        cache_control: if hashed { IMMUTABLE } else { REVALIDATE },
    };
    if validators.matches(req.headers()) {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        validators.stamp(res.headers_mut());
        return Served::File(res);
    }
    let files = ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip();
    let mut res = match files.oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        validators.stamp(res.headers_mut());
    }
    Served::File(res)
}

/// The file a URL path names, if it is a plain relative path of ordinary names: no
/// `..`, no hidden files, nothing that needs decoding (the bundle's names never do).
fn file_under(root: &str, url_path: &str) -> Option<PathBuf> {
    let relative = url_path.strip_prefix('/')?;
    let mut path = PathBuf::from(root);
    for segment in relative.split('/') {
        let plain = !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !plain {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// Weak, because the brotli, gzip and plain bodies differ byte for byte while being the
/// same file; from size and modification time, as nginx does, so no file is read for it.
fn etag_of(meta: &Metadata) -> HeaderValue {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    HeaderValue::from_str(&format!("W/\"{:x}-{:x}\"", meta.len(), modified))
        .expect("hex digits are a valid header value")
}

struct Validators {
    etag: HeaderValue,
    cache_control: HeaderValue,
}

impl Validators {
    /// `If-None-Match` compared weakly (RFC 9110 §13.1.2), `*` included.
    fn matches(&self, headers: &HeaderMap) -> bool {
        let ours = self.etag.as_bytes().strip_prefix(b"W/").unwrap_or_default();
        headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == ours)
    }

    fn stamp(&self, headers: &mut HeaderMap) {
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        headers.insert(header::VARY, VARY_ENCODING);
    }
}

/// cargo-leptos writes the bundle's hashes next to the server binary it builds; when that
/// file is there the pages must name the hashed files, whatever the environment says.
pub fn use_hashed_names_if_built(options: &mut LeptosOptions) {
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    if beside_binary.is_some_and(|file| file.is_file()) {
        options.hash_files = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_name_files() {
        assert_eq!(
            file_under("site", "/pkg/bread-book.Ab_9-x.wasm"),
            Some(PathBuf::from("site/pkg/bread-book.Ab_9-x.wasm"))
        );
        for path in [
            "/",
            "/pkg/",
            "/../secret",
            "/pkg/../../x",
            "/.env",
            "/pkg//a.js",
            "/a%2e%2e/b",
            "/a\\b",
            "relative",
        ] {
            assert_eq!(file_under("site", path), None, "{path}");
        }
    }

    #[test]
    fn if_none_match_is_compared_weakly() {
        let v = Validators {
            etag: HeaderValue::from_static("W/\"10-20\""),
            cache_control: REVALIDATE,
        };
        let with = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            v.matches(&h)
        };
        assert!(with("W/\"10-20\""));
        assert!(with("\"10-20\""));
        assert!(with("\"other\", W/\"10-20\""));
        assert!(with("*"));
        assert!(!with("W/\"10-21\""));
        assert!(!v.matches(&HeaderMap::new()));
    }
}
