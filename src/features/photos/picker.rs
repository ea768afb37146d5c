//! The sale form's photo picker: choose, drop or shoot up to ten photos, see them at
//! once, reorder and remove them. Each photo is downscaled in the browser and uploaded
//! on its own with a real progress bar, so the form submits only keys.

use leptos::prelude::*;

use super::types::{MAX_PHOTOS, thumb_url};
use crate::ui::icons::CameraIcon;

/// One photo in the picker, from choosing it to its stored key.
#[derive(Clone, Debug, PartialEq)]
pub struct PhotoSlot {
    /// Local identity for keyed rendering and for finding the slot after an await.
    pub id: u64,
    /// An object URL of the chosen file, or the stored thumbnail.
    pub preview: String,
    /// Set once the server stored the photo.
    pub key: Option<String>,
    /// Upload progress, 0–100.
    pub progress: u8,
    pub error: Option<String>,
}

/// Slots for photos already stored (an edited listing, a restored draft).
pub fn slots_from_keys(keys: &[String]) -> Vec<PhotoSlot> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| PhotoSlot {
            id: i as u64 + 1,
            preview: thumb_url(key),
            key: Some(key.clone()),
            progress: 100,
            error: None,
        })
        .collect()
}

/// The stored photos' keys, in the order shown.
pub fn keys_of(slots: &[PhotoSlot]) -> Vec<String> {
    slots.iter().filter_map(|s| s.key.clone()).collect()
}

/// True while some photo is still on its way (the form waits for it).
pub fn still_uploading(slots: &[PhotoSlot]) -> bool {
    slots.iter().any(|s| s.key.is_none() && s.error.is_none())
}

fn move_slot(slots: RwSignal<Vec<PhotoSlot>>, id: u64, by: isize) {
    slots.update(|v| {
        if let Some(i) = v.iter().position(|s| s.id == id) {
            let j = i as isize + by;
            if (0..v.len() as isize).contains(&j) {
                v.swap(i, j as usize);
            }
        }
    });
}

fn remove_slot(slots: RwSignal<Vec<PhotoSlot>>, id: u64) {
    let mut removed = None;
    slots.update(|v| {
        if let Some(i) = v.iter().position(|s| s.id == id) {
            removed = Some(v.remove(i));
        }
    });
    // A chosen file's preview holds its bytes in memory until revoked.
    #[cfg(feature = "hydrate")]
    if let Some(slot) = removed.filter(|s| s.preview.starts_with("blob:")) {
        let _ = web_sys::Url::revoke_object_url(&slot.preview);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = removed;
}

#[component]
pub fn PhotoPicker(
    slots: RwSignal<Vec<PhotoSlot>>,
    /// The shared rule's or the server's message about the photo list.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let count = move || slots.with(Vec::len);
    let index_of = move |id: u64| slots.with(|v| v.iter().position(|s| s.id == id));
    let field = move |id: u64| slots.with(|v| v.iter().find(|s| s.id == id).cloned());
    let drag_over = RwSignal::new(false);

    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let input = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                if let Some(files) = input.files() {
                    upload::add_files(files, slots, note);
                }
                // The same file may be picked again after removing it.
                input.set_value("");
            }
        }
    };
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        drag_over.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            upload::add_files(files, slots, note);
        }
    };

    view! {
        <div class="photo-picker" class:drag-over=move || drag_over.get() data-test="photo-picker"
            on:dragover=move |ev| { ev.prevent_default(); drag_over.set(true); }
            on:dragleave=move |_| drag_over.set(false)
            on:drop=on_drop>
            <ul class="photo-grid" aria-label="올린 사진">
                <For each=move || slots.get() key=|s| s.id let(slot)>
                    {
                        let id = slot.id;
                        let status = move || field(id);
                        view! {
                            <li class="photo-slot" data-test="photo-slot"
                                class:failed=move || status().is_some_and(|s| s.error.is_some())>
                                <img src=slot.preview.clone() alt=move || format!("사진 {}", index_of(id).map_or(0, |i| i + 1)) />
                                {move || (index_of(id) == Some(0)).then(|| view! { <span class="cover-badge">"대표"</span> })}
                                {move || status().and_then(|s| match (&s.key, &s.error) {
                                    (None, None) if s.progress < 100 => Some(view! {
                                        <progress class="photo-progress" max="100" value=s.progress
                                            aria-label="업로드 진행률" data-test="photo-progress"></progress>
                                    }.into_any()),
                                    (None, None) => Some(view! { <span class="photo-state">"처리 중…"</span> }.into_any()),
                                    (_, Some(e)) => Some(view! { <span class="photo-state err" role="alert">{e.clone()}</span> }.into_any()),
                                    (Some(_), None) => None,
                                })}
                                <div class="photo-actions">
                                    <button type="button" aria-label="앞으로" disabled=move || index_of(id) == Some(0)
                                        on:click=move |_| move_slot(slots, id, -1)>"‹"</button>
                                    <button type="button" aria-label="뒤로" disabled=move || index_of(id) == Some(count().saturating_sub(1))
                                        on:click=move |_| move_slot(slots, id, 1)>"›"</button>
                                    <button type="button" aria-label="삭제" data-test="photo-remove"
                                        on:click=move |_| remove_slot(slots, id)>"✕"</button>
                                </div>
                            </li>
                        }
                    }
                </For>
                // Always rendered (hidden when full): an optional pair of items after a
                // keyed list does not hydrate.
                <li class="photo-add" hidden=move || { count() >= MAX_PHOTOS }>
                        <label>
                            <input type="file" accept="image/*" multiple class="sr-only" data-test="photo-input" on:change=on_files />
                            <span aria-hidden="true">"＋"</span>
                            <span>{move || format!("사진 {}/{MAX_PHOTOS}", count())}</span>
                        </label>
                    </li>
                <li class="photo-add camera" hidden=move || { count() >= MAX_PHOTOS }>
                        <label>
                            <input type="file" accept="image/*" capture="environment" class="sr-only" on:change=on_files />
                            <CameraIcon size=24 />
                            <span>"카메라"</span>
                        </label>
                    </li>
            </ul>
            <p class="muted small">"사진을 끌어다 놓아도 돼요. 첫 번째 사진이 대표 사진이 돼요."</p>
            {move || note.get().or_else(|| error.get()).map(|e| view! { <p class="field-msg"><span class="err">{e}</span></p> })}
        </div>
    }
}

/// Browser side: downscale on a canvas, upload with XMLHttpRequest for progress.
#[cfg(feature = "hydrate")]
mod upload {
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Blob, File, FileList};

    use super::PhotoSlot;
    use crate::error::AppError;
    use crate::features::photos::types::{
        MAX_EDGE_PX, MAX_PHOTOS, UPLOAD_FIELD, UPLOAD_PATH, UploadedPhoto, fit_within,
    };

    const JPEG_QUALITY: f64 = 0.85;

    pub fn add_files(
        files: FileList,
        slots: RwSignal<Vec<PhotoSlot>>,
        note: RwSignal<Option<String>>,
    ) {
        note.set(None);
        for i in 0..files.length() {
            let Some(file) = files.get(i) else { continue };
            if slots.with_untracked(Vec::len) >= MAX_PHOTOS {
                note.set(Some(format!(
                    "사진은 {MAX_PHOTOS}장까지예요. 나머지는 올리지 않았어요."
                )));
                break;
            }
            let id = slots.with_untracked(|v| v.iter().map(|s| s.id).max().unwrap_or(0)) + 1;
            let preview = web_sys::Url::create_object_url_with_blob(&file).unwrap_or_default();
            slots.update(|v| {
                v.push(PhotoSlot {
                    id,
                    preview,
                    key: None,
                    progress: 0,
                    error: None,
                })
            });
            spawn_local(upload_one(file, id, slots));
        }
    }

    fn update(slots: RwSignal<Vec<PhotoSlot>>, id: u64, f: impl FnOnce(&mut PhotoSlot)) {
        slots.try_update(|v| {
            if let Some(s) = v.iter_mut().find(|s| s.id == id) {
                f(s);
            }
        });
    }

    async fn upload_one(file: File, id: u64, slots: RwSignal<Vec<PhotoSlot>>) {
        let result = match downscale(&file).await {
            Ok(blob) => send(blob, move |p| update(slots, id, |s| s.progress = p.min(99))).await,
            Err(m) => Err(m),
        };
        update(slots, id, |s| match result {
            Ok(photo) => {
                s.key = Some(photo.key);
                s.progress = 100;
            }
            Err(m) => s.error = Some(m),
        });
    }

    fn cannot_open() -> String {
        "이 사진을 열 수 없어요. JPEG나 PNG 사진을 골라 주세요.".into()
    }

    /// Longest edge to `MAX_EDGE_PX`, re-encoded as JPEG: a 12-megapixel phone photo
    /// becomes a few hundred KB before it leaves the phone.
    async fn downscale(file: &File) -> Result<Blob, String> {
        let window = web_sys::window().ok_or_else(cannot_open)?;
        let bitmap: web_sys::ImageBitmap = JsFuture::from(
            window
                .create_image_bitmap_with_blob(file)
                .map_err(|_| cannot_open())?,
        )
        .await
        .map_err(|_| cannot_open())?
        .dyn_into()
        .map_err(|_| cannot_open())?;
        let (w, h) = fit_within(bitmap.width(), bitmap.height(), MAX_EDGE_PX);
        let canvas: web_sys::HtmlCanvasElement = window
            .document()
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|e| e.dyn_into().ok())
            .ok_or_else(cannot_open)?;
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(cannot_open)?;
        // JPEG has no transparency: PNG cut-outs go on white, not black.
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(
            &bitmap,
            0.0,
            0.0,
            f64::from(w),
            f64::from(h),
        )
        .map_err(|_| cannot_open())?;
        bitmap.close();

        let encoded = js_sys::Promise::new(&mut |resolve, reject| {
            let done = Closure::once_into_js(move |blob: JsValue| {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            });
            if canvas
                .to_blob_with_type_and_encoder_options(
                    done.unchecked_ref(),
                    "image/jpeg",
                    &JsValue::from_f64(JPEG_QUALITY),
                )
                .is_err()
            {
                let _ = reject.call0(&JsValue::NULL);
            }
        });
        JsFuture::from(encoded)
            .await
            .ok()
            .and_then(|b| b.dyn_into::<Blob>().ok())
            .ok_or_else(cannot_open)
    }

    /// One multipart POST; `progress` hears the bytes sent, in percent.
    async fn send(blob: Blob, progress: impl Fn(u8) + 'static) -> Result<UploadedPhoto, String> {
        let network = || AppError::Network.to_string();
        let xhr = web_sys::XmlHttpRequest::new().map_err(|_| network())?;
        xhr.open("POST", UPLOAD_PATH).map_err(|_| network())?;
        let form = web_sys::FormData::new().map_err(|_| network())?;
        form.append_with_blob_and_filename(UPLOAD_FIELD, &blob, "photo.jpg")
            .map_err(|_| network())?;
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress((e.loaded() / e.total() * 100.0) as u8);
                }
            });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        let finished = js_sys::Promise::new(&mut |resolve, _| {
            let done = Closure::once_into_js(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            xhr.set_onloadend(Some(done.unchecked_ref()));
        });
        xhr.send_with_opt_form_data(Some(&form))
            .map_err(|_| network())?;
        let _ = JsFuture::from(finished).await;
        drop(on_progress);

        let status = xhr.status().unwrap_or(0);
        let body = xhr.response_text().ok().flatten().unwrap_or_default();
        match status {
            201 => serde_json::from_str(&body).map_err(|_| network()),
            0 => Err(network()),
            _ => Err(serde_json::from_str::<AppError>(&body)
                .map(|e| e.to_string())
                .unwrap_or_else(|_| AppError::Internal.to_string())),
        }
    }
}
