//! Browser-only services (location, local storage). On the server these do nothing:
//! they are only ever called from event handlers and effects, which run in the browser.

/// Asks the browser for the current position: Ok((lat, lng)) or a Korean message.
pub fn current_position(done: impl FnOnce(Result<(f64, f64), String>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use std::cell::RefCell;
        use std::rc::Rc;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;

        let done = Rc::new(RefCell::new(Some(done)));
        let finish = {
            let done = done.clone();
            move |r: Result<(f64, f64), String>| {
                if let Some(f) = done.borrow_mut().take() {
                    f(r);
                }
            }
        };
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            finish(Err("이 브라우저는 위치 정보를 지원하지 않아요.".into()));
            return;
        };
        // The typed GeolocationPosition bindings are behind web-sys's unstable cfg;
        // the two numbers are read off the plain JS object instead.
        let number = |obj: &wasm_bindgen::JsValue, key: &str| {
            js_sys::Reflect::get(obj, &key.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let ok = {
            let finish = finish.clone();
            Closure::once_into_js(move |p: wasm_bindgen::JsValue| {
                let coords = js_sys::Reflect::get(&p, &"coords".into()).unwrap_or_default();
                match (number(&coords, "latitude"), number(&coords, "longitude")) {
                    (Some(lat), Some(lng)) => finish(Ok((lat, lng))),
                    _ => finish(Err("위치를 알 수 없어요.".into())),
                }
            })
        };
        let err = {
            let finish = finish.clone();
            Closure::once_into_js(move |e: wasm_bindgen::JsValue| {
                // PERMISSION_DENIED is code 1.
                finish(Err(if number(&e, "code") == Some(1.0) {
                    "위치 권한이 거부되었어요. 장소 이름만 입력해도 돼요.".into()
                } else {
                    "위치를 알 수 없어요. 장소 이름만 입력해도 돼요.".into()
                }));
            })
        };
        if geo
            .get_current_position_with_error_callback(ok.unchecked_ref(), Some(err.unchecked_ref()))
            .is_err()
        {
            finish(Err("위치를 알 수 없어요.".into()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    done(Err("위치는 브라우저에서만 알 수 있어요.".into()));
}

/// Where a value is kept: on this device for good (localStorage), or for this tab
/// only (sessionStorage).
#[derive(Clone, Copy)]
enum Keep {
    Device,
    Tab,
}

#[cfg(feature = "hydrate")]
fn storage(keep: Keep) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    match keep {
        Keep::Device => window.local_storage(),
        Keep::Tab => window.session_storage(),
    }
    .ok()?
}

fn load_from(keep: Keep, key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return storage(keep)?.get_item(key).ok()?;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (keep, key);
        None
    }
}

fn save_to(keep: Keep, key: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage(keep) {
        let _ = s.set_item(key, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (keep, key, value);
}

pub fn load(key: &str) -> Option<String> {
    load_from(Keep::Device, key)
}

pub fn save(key: &str, value: &str) {
    save_to(Keep::Device, key, value)
}

pub fn remove(key: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage(Keep::Device) {
        let _ = s.remove_item(key);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key;
}

/// This tab's memory (sessionStorage): gone when the tab closes, not shared with others.
pub fn tab_load(key: &str) -> Option<String> {
    load_from(Keep::Tab, key)
}

pub fn tab_save(key: &str, value: &str) {
    save_to(Keep::Tab, key, value)
}

/// A fresh random UUID (v4) for idempotency keys: `crypto.randomUUID()` where the
/// browser offers it (secure contexts), `Math.random` otherwise.
pub fn new_key() -> String {
    #[cfg(feature = "hydrate")]
    if let Some(uuid) = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
    {
        return uuid;
    }
    let mut hex = String::with_capacity(36);
    for i in 0..32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            hex.push('-');
        }
        let nibble = match i {
            12 => 4,                           // version 4
            16 => 8 | (random_nibble() & 0x3), // variant 10xx
            _ => random_nibble(),
        };
        hex.push(char::from_digit(u32::from(nibble), 16).expect("nibble"));
    }
    hex
}

fn random_nibble() -> u8 {
    #[cfg(feature = "hydrate")]
    return (js_sys::Math::random() * 16.0) as u8 & 0xf;
    #[cfg(not(feature = "hydrate"))]
    {
        // Only reached on the server during rendering, where the key is never used.
        (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
            & 0xf) as u8
    }
}

/// Leaves the app for another address (a payment provider's checkout).
pub fn go_to(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// The browser's own yes/no dialog, for a step that cannot be undone (false on the server).
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    return web_sys::window().is_some_and(|w| w.confirm_with_message(question).unwrap_or(false));
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}
