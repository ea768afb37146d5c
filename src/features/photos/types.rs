//! Photo rules shared by the browser (before upload) and the server (on upload and
//! when a listing names its photos).

use serde::{Deserialize, Serialize};

/// PRODUCT_03: up to ten photos per listing.
pub const MAX_PHOTOS: usize = 10;
/// The server refuses a single file above this many bytes. Browsers downscale to
/// `MAX_EDGE_PX` JPEG first (usually well under 1 MB), so this only bites raw uploads.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// A whole upload request: one file plus multipart framing.
pub const MAX_REQUEST_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
/// The longest edge we keep, in the browser's downscale and the server's re-encode.
pub const MAX_EDGE_PX: u32 = 1600;
/// Thumbnails for cards and the gallery strip.
pub const THUMB_EDGE_PX: u32 = 480;
/// Decoding refuses images whose header claims more pixels than this (a phone's
/// 48-megapixel sensor fits; a decompression bomb does not).
pub const MAX_PIXELS: u64 = 50_000_000;
/// Uploads one member may make in an hour: a busy seller's ten listings of ten photos,
/// not a bulk store.
pub const MAX_UPLOADS_PER_HOUR: i64 = 100;
/// Photos uploaded but never put on a listing are removed after this many hours.
pub const ORPHAN_HOURS: i64 = 24;
/// The multipart field the upload endpoint reads.
pub const UPLOAD_FIELD: &str = "photo";
pub const UPLOAD_PATH: &str = "/api/photos";

/// What the upload endpoint answers: the stored photo's content hash and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedPhoto {
    pub key: String,
    pub width: u32,
    pub height: u32,
}

/// A photo key is the lowercase hex SHA-256 of the stored JPEG.
pub fn is_photo_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub fn photo_url(key: &str) -> String {
    format!("/photos/{key}.jpg")
}

pub fn thumb_url(key: &str) -> String {
    format!("/photos/{key}_t.jpg")
}

/// The photo list of a sale form: well-formed keys, at most ten, no repeats.
pub fn check_photo_keys(keys: &[String]) -> Result<(), String> {
    if keys.len() > MAX_PHOTOS {
        return Err(format!("사진은 {MAX_PHOTOS}장까지 올릴 수 있어요."));
    }
    if keys.iter().any(|k| !is_photo_key(k)) {
        return Err("사진 정보가 올바르지 않아요. 사진을 다시 올려 주세요.".into());
    }
    let mut seen = std::collections::HashSet::new();
    if !keys.iter().all(|k| seen.insert(k)) {
        return Err("같은 사진이 두 번 들어 있어요.".into());
    }
    Ok(())
}

/// The size a picture is scaled to so its longest edge is at most `max_edge`
/// (never enlarged).
pub fn fit_within(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_edge || longest == 0 {
        return (width, height);
    }
    let scale = f64::from(max_edge) / f64::from(longest);
    let w = ((f64::from(width) * scale).round() as u32).max(1);
    let h = ((f64::from(height) * scale).round() as u32).max(1);
    (w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn keys_are_lowercase_sha256_hex() {
        assert!(is_photo_key(KEY));
        assert!(!is_photo_key(&KEY.to_uppercase()));
        assert!(!is_photo_key(&KEY[..63]));
        assert!(!is_photo_key("../../etc/passwd"));
    }

    #[test]
    fn photo_lists_are_capped_and_unique() {
        let ten: Vec<String> = (0..10).map(|i| format!("{i:064x}")).collect();
        assert!(check_photo_keys(&ten).is_ok());
        let mut eleven = ten.clone();
        eleven.push(format!("{:064x}", 99));
        assert!(check_photo_keys(&eleven).unwrap_err().contains("10장"));
        assert!(check_photo_keys(&[KEY.into(), KEY.into()]).is_err());
        assert!(check_photo_keys(&["nope".into()]).is_err());
    }

    #[test]
    fn scaling_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit_within(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit_within(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit_within(800, 600, 1600), (800, 600));
        assert_eq!(fit_within(10000, 1, 1600), (1600, 1));
    }
}
