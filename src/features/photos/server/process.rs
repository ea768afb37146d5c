//! Turning an uploaded file into the photos we store: sniff the real type from the
//! bytes, refuse bombs before decoding, decode upright, re-encode as a fresh JPEG (no
//! EXIF, no GPS, no trailing payloads) plus a thumbnail.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::features::photos::types::{
    MAX_EDGE_PX, MAX_PIXELS, THUMB_EDGE_PX, UPLOAD_FIELD, fit_within,
};

const JPEG_QUALITY: u8 = 82;
/// Decoders may allocate at most this much, whatever a header claims.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// The two JPEGs we keep for one upload.
pub struct ProcessedPhoto {
    /// Lowercase hex SHA-256 of `full`: the photo's storage key.
    pub key: String,
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The formats we take, judged by magic bytes only (names and Content-Type lie).
fn sniff(bytes: &[u8]) -> Result<ImageFormat, AppError> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        _ if is_heif(bytes) => Err(AppError::Unsupported(
            "HEIC 사진은 아직 받을 수 없어요. 사진 앱에서 JPEG로 내보내거나 '호환성 우선'으로 찍어 주세요."
                .into(),
        )),
        _ => Err(AppError::Unsupported(
            "사진 파일(JPEG, PNG, WebP)만 올릴 수 있어요.".into(),
        )),
    }
}

/// ISO-BMFF `ftyp` box with a HEIF brand (iPhone photos).
fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        )
}

fn corrupt() -> AppError {
    AppError::field(
        UPLOAD_FIELD,
        "사진 파일이 손상되었거나 끝까지 올라오지 않았어요. 다시 올려 주세요.",
    )
}

fn too_many_pixels() -> AppError {
    AppError::TooLarge(format!(
        "사진 해상도가 너무 커요. {}만 화소 이하로 줄여 주세요.",
        MAX_PIXELS / 10_000
    ))
}

/// CPU-bound: call from a blocking task.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, AppError> {
    let format = sniff(bytes)?;
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(corrupt());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| corrupt())?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(corrupt());
    }
    // The header alone decides: a few KB can claim gigapixels (decompression bomb).
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_many_pixels());
    }
    let orientation = decoder.orientation().map_err(|_| corrupt())?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_many_pixels(),
        _ => corrupt(),
    })?;
    image.apply_orientation(orientation);

    let full = scaled_rgb(&image, MAX_EDGE_PX);
    let thumb = scaled_rgb(&image, THUMB_EDGE_PX);
    let (width, height) = full.dimensions();
    let full = encode_jpeg(&full)?;
    let thumb = encode_jpeg(&thumb)?;
    let key = hex(&Sha256::digest(&full));
    Ok(ProcessedPhoto {
        key,
        full,
        thumb,
        width,
        height,
    })
}

/// The JPEG decoder fills a cut-off picture with grey rather than failing, so look for
/// the end-of-image marker after the last start-of-scan ourselves. Entropy-coded data
/// escapes 0xFF, so 0xFFD9 there can only be the real marker.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    last_scan.is_some_and(|at| bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// Scaled down to `max_edge`, transparency flattened onto white (JPEG has no alpha).
fn scaled_rgb(image: &DynamicImage, max_edge: u32) -> RgbImage {
    let (w, h) = fit_within(image.width(), image.height(), max_edge);
    let scaled = if (w, h) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(w, h, image::imageops::FilterType::Triangle)
    };
    let rgba = scaled.to_rgba8();
    RgbImage::from_fn(w, h, |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let blend =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([blend(r), blend(g), blend(b)])
    })
}

fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(256 * 1024);
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| crate::error::internal("jpeg encode", &e))?;
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
