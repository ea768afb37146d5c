//! Photo upload, processing, serving and attaching to listings, over real HTTP.

use std::io::Cursor;

use image::{ImageFormat, RgbImage, RgbaImage};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sqlx::MySqlPool;

use crate::helpers::listings::{create, detail, form, pairs, seeded};
use crate::helpers::{TestApp, field_message};

fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 120])
    })
}

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(&gradient(width, height).into(), ImageFormat::Jpeg)
}

/// A phone photo: EXIF right after SOI with Orientation = 6 (rotate 90° to view) and a
/// private marker standing in for GPS coordinates.
fn phone_jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&[0x00, 0x01]); // one IFD entry
    tiff.extend_from_slice(&[
        0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
    ]);
    tiff.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // no next IFD
    tiff.extend_from_slice(b"GPS-SECRET-37.5551-126.9368");
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A well-formed PNG of a few dozen bytes whose header claims 30000×30000 pixels
/// (900 MB of gray once decoded): a decompression bomb.
fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

async fn upload_as(
    app: &TestApp,
    client: &reqwest::Client,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    let part = Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap();
    client
        .post(format!("{}/api/photos", app.base))
        .multipart(Form::new().part("photo", part))
        .send()
        .await
        .unwrap()
}

/// Uploads and returns the stored key.
async fn upload_ok(app: &TestApp, client: &reqwest::Client, bytes: Vec<u8>) -> String {
    let res = upload_as(app, client, bytes, "photo.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    body["key"].as_str().unwrap().to_owned()
}

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[sqlx::test]
async fn a_phone_photo_is_stored_upright_without_its_metadata(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let anonymous = TestApp::new_client();
    let photo = phone_jpeg_with_exif(2400, 1800);
    assert_eq!(
        upload_as(&app, &anonymous, photo.clone(), "a.jpg", "image/jpeg")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let seller = app.member("photo01", false).await;
    let res = upload_as(&app, &seller, photo.clone(), "IMG_0001.JPG", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let key = body["key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    // Orientation 6 applied, then fitted into 1600 px: portrait 1200 × 1600.
    assert_eq!(
        (body["width"].as_u64(), body["height"].as_u64()),
        (Some(1200), Some(1600))
    );

    let full = fetch(&app, &format!("/photos/{key}.jpg")).await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    assert_eq!(
        full.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = full.headers()["etag"].to_str().unwrap().to_owned();
    let bytes = full.bytes().await.unwrap();
    assert!(!contains(&bytes, b"Exif"), "EXIF is stripped");
    assert!(
        !contains(&bytes, b"GPS-SECRET"),
        "location never leaves the server"
    );
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1200, 1600));

    let thumb = fetch(&app, &format!("/photos/{key}_t.jpg"))
        .await
        .bytes()
        .await
        .unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (360, 480));

    let again = app
        .client
        .get(format!("{}/photos/{key}.jpg", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        fetch(&app, &format!("/photos/{}.jpg", "0".repeat(64)))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&app, "/photos/..%2F..%2Fetc%2Fpasswd").await.status(),
        StatusCode::NOT_FOUND
    );

    // Content-addressed: the same picture is stored once, under the same key.
    assert_eq!(upload_ok(&app, &seller, photo).await, key);
    let rows = sqlx::query_scalar!("SELECT COUNT(*) FROM photo")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[sqlx::test]
async fn png_and_webp_are_accepted_and_transparency_goes_white(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("photo02", false).await;
    let clear = RgbaImage::from_pixel(300, 200, image::Rgba([0, 0, 0, 0]));
    let png = encode(&clear.into(), ImageFormat::Png);
    // Named .jpg on purpose: the bytes decide, not the name.
    let key = upload_ok(&app, &seller, png).await;
    let stored = fetch(&app, &format!("/photos/{key}.jpg"))
        .await
        .bytes()
        .await
        .unwrap();
    let pixel = image::load_from_memory(&stored)
        .unwrap()
        .to_rgb8()
        .get_pixel(150, 100)
        .0;
    assert!(
        pixel.iter().all(|&c| c > 245),
        "transparent became white, got {pixel:?}"
    );

    let webp = encode(&gradient(640, 480).into(), ImageFormat::WebP);
    let res = upload_as(&app, &seller, webp, "cover.webp", "image/webp").await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[sqlx::test]
async fn hostile_and_broken_files_are_refused_with_a_reason(pool: MySqlPool) {
    let app = TestApp::spawn(pool).await;
    let seller = app.member("photo03", false).await;
    let message = |body: &Value| -> String {
        body.as_object()
            .and_then(|o| o.values().next())
            .map(|v| v.to_string())
            .unwrap_or_default()
    };

    // A web page dressed as a photo.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let res = upload_as(&app, &seller, html, "cute-cat.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(message(&res.json().await.unwrap()).contains("JPEG, PNG, WebP"));

    // An iPhone HEIC: named for what it is.
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\x00\x00\x00\x00mif1heic");
    let res = upload_as(&app, &seller, heic, "IMG_0002.HEIC", "image/heic").await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(message(&res.json().await.unwrap()).contains("HEIC"));

    // Cut off half way.
    let whole = jpeg(800, 600);
    let res = upload_as(
        &app,
        &seller,
        whole[..whole.len() / 2].to_vec(),
        "half.jpg",
        "image/jpeg",
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_message(&res.json().await.unwrap(), "photo")
            .unwrap()
            .contains("손상")
    );

    // A decompression bomb is refused from its header, before any pixel is decoded.
    let started = std::time::Instant::now();
    let res = upload_as(&app, &seller, png_bomb(), "bomb.png", "image/png").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&res.json().await.unwrap()).contains("해상도"));
    assert!(
        started.elapsed().as_secs() < 10,
        "no 900 MB decode happened"
    );

    // Over the per-file cap (the request is cut off, never buffered whole).
    let mut huge = jpeg(64, 64);
    huge.resize(11 * 1024 * 1024, 0);
    let res = upload_as(&app, &seller, huge, "huge.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(message(&res.json().await.unwrap()).contains("10MB"));

    // Two files in one request, or none, are not what our form sends.
    let two = Form::new()
        .part("photo", Part::bytes(jpeg(32, 32)).file_name("a.jpg"))
        .part("photo", Part::bytes(jpeg(32, 32)).file_name("b.jpg"));
    let res = seller
        .post(format!("{}/api/photos", app.base))
        .multipart(two)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let none = Form::new().text("note", "hello");
    let res = seller
        .post(format!("{}/api/photos", app.base))
        .multipart(none)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = upload_as(&app, &seller, Vec::new(), "empty.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let stored = sqlx::query_scalar!("SELECT COUNT(*) FROM photo")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing refused was stored");
}

fn with_photos(keys: &[&str]) -> Vec<(String, String)> {
    let mut f = form("8000");
    for (i, k) in keys.iter().enumerate() {
        f.push((format!("input[photos][{i}]"), (*k).to_owned()));
    }
    f
}

#[sqlx::test]
async fn a_listing_shows_only_its_sellers_photos_in_their_order(pool: MySqlPool) {
    let app = seeded(pool).await;
    let seller = app.member("photo04", false).await;
    let other = app.member("photo05", false).await;
    let admin = app.member("photoadmin", true).await;
    let first = upload_ok(&app, &seller, jpeg(1000, 800)).await;
    let second = upload_ok(&app, &seller, jpeg(800, 1000)).await;
    let theirs = upload_ok(&app, &other, jpeg(640, 640)).await;

    let res = create(&app, &seller, &with_photos(&[&second, &first])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: u64 = res.json().await.unwrap();
    let d: Value = detail(&app, &TestApp::new_client(), id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["photos"], serde_json::json!([second, first]));
    let feed: Vec<Value> = app.call("listings/newest", &[]).await.json().await.unwrap();
    assert_eq!(
        feed[0]["cover"],
        second.as_str(),
        "the first photo is the cover"
    );
    let page = app
        .get(&format!("/listings/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/photos/{second}.jpg")),
        "the gallery is server-rendered"
    );

    // Somebody else's photo (its key is public in every URL) cannot be borrowed.
    let res = create(&app, &seller, &with_photos(&[&first, &theirs])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_message(&res.json().await.unwrap(), "photos")
            .unwrap()
            .contains("올리지 않은")
    );
    // Eleven is one too many; a made-up key is refused by the shared rule.
    let eleven: Vec<String> = (0..11).map(|i| format!("{i:064x}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    let res = create(&app, &seller, &with_photos(&eleven)).await;
    assert!(
        field_message(&res.json().await.unwrap(), "photos")
            .unwrap()
            .contains("10장")
    );

    // Edit: reorder and drop one; the cover follows.
    let version = d["version"].as_u64().unwrap().to_string();
    let mut edit = with_photos(&[&first]);
    edit.push(("input[version]".into(), version));
    edit.push(("id".into(), id.to_string()));
    let res = app.call_as(&seller, "listings/update", &pairs(&edit)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: Value = detail(&app, &seller, id).await.json().await.unwrap();
    assert_eq!(d["photos"], serde_json::json!([first]));
    let feed: Vec<Value> = app.call("listings/newest", &[]).await.json().await.unwrap();
    assert_eq!(feed[0]["cover"], first.as_str());

    // The other member cannot edit; an admin can, with the seller's photos.
    let mut edit = with_photos(&[&second]);
    edit.push(("input[version]".into(), d["version"].to_string()));
    edit.push(("id".into(), id.to_string()));
    let res = app.call_as(&other, "listings/update", &pairs(&edit)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.call_as(&admin, "listings/update", &pairs(&edit)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let d: Value = detail(&app, &seller, id).await.json().await.unwrap();
    assert_eq!(d["photos"], serde_json::json!([second]));
}

/// The S3 backend against a local stand-in for an S3-compatible service: the real
/// object_store client signs and sends PUT/GET requests; the stub keeps the bytes.
mod s3 {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::put;
    use bread_book::features::photos::server::{PhotoBackend, S3Settings};
    use sqlx::MySqlPool;

    use super::{fetch, jpeg, upload_ok};
    use crate::helpers::TestApp;

    #[derive(Clone, Default)]
    struct Bucket {
        objects: Arc<Mutex<HashMap<String, Bytes>>>,
        signed_puts: Arc<Mutex<Vec<String>>>,
    }

    async fn put_object(
        State(b): State<Bucket>,
        Path(key): Path<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl IntoResponse {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        b.signed_puts.lock().unwrap().push(format!("{key} {auth}"));
        b.objects.lock().unwrap().insert(key, body);
        [("etag", "\"stub\"")]
    }

    async fn get_object(
        State(b): State<Bucket>,
        Path(key): Path<String>,
    ) -> axum::response::Response {
        match b.objects.lock().unwrap().get(&key) {
            Some(bytes) => (
                [
                    ("etag", "\"stub\"".to_owned()),
                    ("last-modified", "Tue, 24 Nov 2026 03:00:00 GMT".to_owned()),
                    ("content-length", bytes.len().to_string()),
                ],
                bytes.clone(),
            )
                .into_response(),
            None => (
                StatusCode::NOT_FOUND,
                "<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>",
            )
                .into_response(),
        }
    }

    #[sqlx::test]
    async fn photos_go_to_an_s3_compatible_store_when_configured(pool: MySqlPool) {
        let bucket = Bucket::default();
        let stub = Router::new()
            .route("/breadbook-photos/{*key}", put(put_object).get(get_object))
            .with_state(bucket.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, stub).await.unwrap() });

        let app = TestApp::spawn_with(pool, |c| {
            c.photo_backend = PhotoBackend::S3(S3Settings {
                bucket: "breadbook-photos".into(),
                endpoint: Some(endpoint),
                region: "ap-northeast-2".into(),
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "secret".into(),
            });
        })
        .await;
        let seller = app.member("photos3", false).await;
        let key = upload_ok(&app, &seller, jpeg(900, 600)).await;

        let puts = bucket.signed_puts.lock().unwrap().clone();
        assert_eq!(puts.len(), 2, "full size and thumbnail: {puts:?}");
        assert!(
            puts.iter()
                .all(|p| p.contains("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        );
        let stored = bucket
            .objects
            .lock()
            .unwrap()
            .get(&format!("photos/{}/{key}.jpg", &key[..2]))
            .cloned();
        let served = fetch(&app, &format!("/photos/{key}.jpg")).await;
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(Some(served.bytes().await.unwrap()), stored);
        assert_eq!(
            fetch(&app, &format!("/photos/{}.jpg", "a".repeat(64)))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[sqlx::test]
async fn uploads_are_capped_per_hour_and_photos_never_listed_are_swept(pool: MySqlPool) {
    use bread_book::features::photos::server::http::sweep_orphans;
    use bread_book::server::clock::Clock;
    let app = seeded(pool).await;
    let seller = app.member("photo06", false).await;
    let kept = upload_ok(&app, &seller, jpeg(1000, 800)).await;
    let abandoned = upload_ok(&app, &seller, jpeg(700, 500)).await;
    let res = create(&app, &seller, &with_photos(&[&kept])).await;
    assert_eq!(res.status(), StatusCode::OK);

    // 98 more uploads this hour (written directly: the cap is about counting, not
    // decoding) make 100; the next one is refused before its body is read.
    let member_id: u64 = sqlx::query_scalar("SELECT id FROM member WHERE login_id = 'photo06'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let now = app.clock.now().naive_utc();
    for i in 0..98u32 {
        let hash = format!("{i:064x}");
        sqlx::query(
            "INSERT INTO photo (hash, width, height, bytes, created_at) VALUES (?, 10, 10, 10, ?)",
        )
        .bind(&hash)
        .bind(now)
        .execute(&app.pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO photo_owner (member_id, hash, created_at) VALUES (?, ?, ?)")
            .bind(member_id)
            .bind(&hash)
            .bind(now)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let res = upload_as(&app, &seller, jpeg(600, 600), "photo.jpg", "image/jpeg").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("한 시간에 100장"), "{body}");
    // Another member is not affected; an hour later the seller may upload again.
    let other = app.member("photo07", false).await;
    upload_ok(&app, &other, jpeg(640, 480)).await;
    app.clock.advance(chrono::Duration::minutes(61));
    let late = upload_ok(&app, &seller, jpeg(600, 600)).await;

    // Nothing is a day old yet: the sweep keeps everything.
    assert_eq!(
        sweep_orphans(&app.state(), app.clock.now()).await.unwrap(),
        0
    );
    assert_eq!(
        fetch(&app, &format!("/photos/{abandoned}.jpg"))
            .await
            .status(),
        StatusCode::OK
    );

    // A day on: photos never put on a listing go (rows and files), the listed one and a
    // fresh upload stay.
    app.clock.advance(chrono::Duration::hours(23));
    let fresh = upload_ok(&app, &seller, jpeg(500, 700)).await;
    app.clock.advance(chrono::Duration::hours(2));
    let swept = sweep_orphans(&app.state(), app.clock.now()).await.unwrap();
    assert_eq!(
        swept,
        98 + 3,
        "abandoned, the other member's, the 98 and the late one"
    );
    for gone in [&abandoned, &late] {
        for suffix in [".jpg", "_t.jpg"] {
            let res = fetch(&app, &format!("/photos/{gone}{suffix}")).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{gone}{suffix}");
        }
    }
    for stays in [&kept, &fresh] {
        assert_eq!(
            fetch(&app, &format!("/photos/{stays}.jpg")).await.status(),
            StatusCode::OK
        );
    }
    // The listed photo keeps its owner, so its seller can still edit the listing.
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photo_owner WHERE hash = ?")
        .bind(&kept)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(owners, 1);
    assert_eq!(
        sweep_orphans(&app.state(), app.clock.now()).await.unwrap(),
        0
    );
}
