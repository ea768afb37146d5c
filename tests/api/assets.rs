//! Static files as a phone's browser asks for them: precompressed bodies, validators,
//! ranges, and a year of caching only for the hashed bundle.

use std::path::{Path, PathBuf};

use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, RANGE, VARY,
};
use sqlx::MySqlPool;

use crate::helpers::TestApp;

const WASM: &[u8] = b"\0asm fake module body, long enough to take a range of";

/// A site folder as `cargo leptos build --release --precompress` leaves it.
fn site(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("bread-site-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/bread-book.Xy_9-a.wasm"), WASM).unwrap();
    std::fs::write(root.join("pkg/bread-book.Xy_9-a.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(root.join("pkg/bread-book.Xy_9-a.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(root.join("favicon.svg"), b"<svg/>").unwrap();
    root
}

/// `hashed`: the pages name hashed bundle files (then no page may be rendered here, as
/// Leptos reads the hash file beside the binary, which a test binary has not).
async fn spawn(pool: MySqlPool, root: &Path, hashed: bool) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("bread-book")
        .site_root(root.to_str().unwrap())
        .hash_files(hashed)
        .build();
    TestApp::spawn_site(pool, |_| {}, options).await
}

#[sqlx::test]
async fn the_bundle_is_served_precompressed_and_cached_for_a_year(pool: MySqlPool) {
    let root = site("bundle");
    let app = spawn(pool, &root, true).await;
    let url = format!("{}/pkg/bread-book.Xy_9-a.wasm", app.base);

    let br = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), StatusCode::OK);
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        br.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.headers()[VARY], "accept-encoding");
    let etag = br.headers()[ETAG].clone();
    assert!(etag.to_str().unwrap().starts_with("W/\""), "{etag:?}");
    assert_eq!(
        br.bytes().await.unwrap(),
        &b"brotli bytes"[..],
        "the build's file, not a new compression"
    );

    let gz = app
        .client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gz.bytes().await.unwrap(), &b"gzip bytes"[..]);

    let plain = app.client.get(&url).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let last_modified = plain.headers()[LAST_MODIFIED].clone();
    assert_eq!(plain.bytes().await.unwrap(), WASM);

    // Conditional requests: the same file is not sent twice.
    let again = app
        .client
        .get(&url)
        .header(IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let again = app
        .client
        .get(&url)
        .header(IF_MODIFIED_SINCE, last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let other = app
        .client
        .get(&url)
        .header(IF_NONE_MATCH, "W/\"0-0\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    // A broken download resumes where it stopped.
    let part = app
        .client
        .get(&url)
        .header(RANGE, "bytes=5-8")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap(), &WASM[5..=8]);
    std::fs::remove_dir_all(root).unwrap();
}

#[sqlx::test]
async fn unhashed_files_are_revalidated_and_missing_ones_get_the_404_page(pool: MySqlPool) {
    let root = site("public");
    let app = spawn(pool, &root, false).await;

    let icon = app.get("/favicon.svg").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()[CACHE_CONTROL], "no-cache");
    let etag = icon.headers()[ETAG].clone();
    let again = app
        .client
        .get(format!("{}/favicon.svg", app.base))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Without hashed names a bundle file may change in place: revalidated too.
    let bundle = app.get("/pkg/bread-book.Xy_9-a.wasm").await;
    assert_eq!(bundle.headers()[CACHE_CONTROL], "no-cache");

    for path in ["/pkg/nothing.wasm", "/.env", "/no-such-page"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let page = app.get("/pkg/nothing.wasm").await.text().await.unwrap();
    assert!(page.contains("<html"), "the app's own 404 page");
    std::fs::remove_dir_all(root).unwrap();
}
