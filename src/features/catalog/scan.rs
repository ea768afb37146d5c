//! "바코드 스캔": the camera reads the ISBN off the back cover. The browser's own
//! `BarcodeDetector` is used where it exists (Android, macOS, ChromeOS); elsewhere our
//! wasm EAN-13 decoder reads a few lines of each video frame. Typing stays possible.

use leptos::html;
use leptos::prelude::*;

use crate::ui::icons::CameraIcon;

/// How often a frame is examined; decoding a few lines takes well under a millisecond.
#[cfg(feature = "hydrate")]
const FRAME_INTERVAL_MS: i32 = 120;

#[component]
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn IsbnScanner(on_found: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    // Each opening gets a number; a loop from an earlier opening stops by itself.
    let generation = StoredValue::new(0u32);
    let video = NodeRef::<html::Video>::new();

    let start = move |_| {
        note.set(None);
        open.set(true);
        generation.update_value(|g| *g += 1);
        #[cfg(feature = "hydrate")]
        {
            let mine = generation.get_value();
            leptos::task::spawn_local(camera::run(video, open, note, mine, generation, on_found));
        }
    };
    let stop = move |_| {
        open.set(false);
        generation.update_value(|g| *g += 1);
    };

    view! {
        <div class="scanner">
            <button type="button" class="button secondary small" data-test="scan-isbn" on:click=start>
                <CameraIcon />
                " 바코드 스캔"
            </button>
            {move || note.get().map(|m| view! { <p class="muted small" role="status" data-test="scan-note">{m}</p> })}
            <div class="scanner-overlay" hidden=move || !open.get() role="dialog" aria-label="바코드 스캔">
                <video node_ref=video autoplay muted playsinline data-test="scan-video"></video>
                <div class="scanner-frame" aria-hidden="true"></div>
                <p class="scanner-hint">"책 뒷면의 바코드를 가운데 선에 가로로 맞춰 주세요."</p>
                <button type="button" class="button secondary" data-test="scan-cancel" on:click=stop>"닫기"</button>
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod camera {
    use leptos::html;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{HtmlVideoElement, MediaStream};

    use super::FRAME_INTERVAL_MS;
    use crate::features::catalog::barcode::decode_row;
    use crate::features::catalog::types::Isbn13;

    /// Lines examined per frame, as fractions of the height (the guide line first).
    const ROWS: [f64; 7] = [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65];

    async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    fn camera_error(e: &JsValue) -> String {
        let name = js_sys::Reflect::get(e, &"name".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "SecurityError" => {
                "카메라 권한이 없어요. ISBN을 직접 입력해 주세요.".into()
            }
            "NotFoundError" | "OverconstrainedError" => {
                "카메라를 찾지 못했어요. ISBN을 직접 입력해 주세요.".into()
            }
            _ => "카메라를 켤 수 없어요. ISBN을 직접 입력해 주세요.".into(),
        }
    }

    async fn open_camera(video: &HtmlVideoElement) -> Result<MediaStream, String> {
        let devices = web_sys::window()
            .and_then(|w| w.navigator().media_devices().ok())
            .ok_or_else(|| {
                "이 브라우저에서는 카메라를 쓸 수 없어요. ISBN을 직접 입력해 주세요.".to_owned()
            })?;
        let facing = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&facing, &"facingMode".into(), &"environment".into());
        let _ = js_sys::Reflect::set(&facing, &"width".into(), &JsValue::from_f64(1280.0));
        let constraints = web_sys::MediaStreamConstraints::new();
        constraints.set_video(&facing);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|e| camera_error(&e))?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(|e| camera_error(&e))?
            .dyn_into()
            .map_err(|_| camera_error(&JsValue::NULL))?;
        video.set_src_object(Some(&stream));
        if let Ok(p) = video.play() {
            let _ = JsFuture::from(p).await;
        }
        Ok(stream)
    }

    fn stop_camera(stream: &MediaStream, video: &HtmlVideoElement) {
        for track in stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
                track.stop();
            }
        }
        video.set_src_object(None);
    }

    /// `new BarcodeDetector({formats: ["ean_13"]})`, where the browser has one.
    fn native_detector() -> Option<JsValue> {
        let window = web_sys::window()?;
        let ctor: js_sys::Function = js_sys::Reflect::get(&window, &"BarcodeDetector".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let options = js_sys::Object::new();
        let formats = js_sys::Array::of1(&"ean_13".into());
        js_sys::Reflect::set(&options, &"formats".into(), &formats).ok()?;
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&options)).ok()
    }

    async fn detect_native(detector: &JsValue, video: &HtmlVideoElement) -> Option<String> {
        let detect: js_sys::Function = js_sys::Reflect::get(detector, &"detect".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let promise: js_sys::Promise = detect.call1(detector, video).ok()?.dyn_into().ok()?;
        let found: js_sys::Array = JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
        found.iter().find_map(|code| {
            js_sys::Reflect::get(&code, &"rawValue".into())
                .ok()?
                .as_string()
        })
    }

    /// Our decoder over a few lines of the current frame; two lines must agree.
    fn detect_frame(
        canvas: &web_sys::HtmlCanvasElement,
        video: &HtmlVideoElement,
    ) -> Option<String> {
        let (vw, vh) = (video.video_width(), video.video_height());
        if vw == 0 || vh == 0 {
            return None;
        }
        let width = vw.min(960);
        let height = (f64::from(vh) * f64::from(width) / f64::from(vw)).round() as u32;
        canvas.set_width(width);
        canvas.set_height(height);
        let ctx: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.draw_image_with_html_video_element_and_dw_and_dh(
            video,
            0.0,
            0.0,
            f64::from(width),
            f64::from(height),
        )
        .ok()?;
        let mut seen: Vec<String> = Vec::new();
        for fraction in ROWS {
            let y = (f64::from(height) * fraction).floor();
            let Ok(line) = ctx.get_image_data(0.0, y, f64::from(width), 1.0) else {
                continue;
            };
            let rgba = line.data();
            let luminance: Vec<u8> = rgba
                .chunks_exact(4)
                .map(|p| {
                    ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                        as u8
                })
                .collect();
            if let Some(code) = decode_row(&luminance) {
                if seen.contains(&code) {
                    return Some(code);
                }
                seen.push(code);
            }
        }
        None
    }

    pub async fn run(
        video: NodeRef<html::Video>,
        open: RwSignal<bool>,
        note: RwSignal<Option<String>>,
        mine: u32,
        generation: StoredValue<u32>,
        on_found: Callback<String>,
    ) {
        let Some(video) = video.get_untracked() else {
            return;
        };
        let video: HtmlVideoElement = video;
        let stream = match open_camera(&video).await {
            Ok(s) => s,
            Err(m) => {
                note.try_set(Some(m));
                open.try_set(false);
                return;
            }
        };
        let native = native_detector();
        let canvas: Option<web_sys::HtmlCanvasElement> = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|e| e.dyn_into().ok());
        while generation.try_get_value() == Some(mine) {
            sleep(FRAME_INTERVAL_MS).await;
            if video.ready_state() < 2 {
                continue;
            }
            let mut code = None;
            if let Some(detector) = &native {
                code = detect_native(detector, &video).await;
            }
            if code.is_none()
                && let Some(canvas) = &canvas
            {
                code = detect_frame(canvas, &video);
            }
            // Only book barcodes: EAN-13 in the 978/979 "Bookland" ranges.
            if let Some(isbn) = code.and_then(|c| Isbn13::parse(&c).ok()) {
                note.try_set(Some(format!("ISBN {}을(를) 읽었어요.", isbn.as_str())));
                on_found.run(isbn.as_str().to_owned());
                break;
            }
        }
        stop_camera(&stream, &video);
        if generation.try_get_value() == Some(mine) {
            open.try_set(false);
        }
    }
}
