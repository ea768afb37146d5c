use crate::error::AppError;
use leptos::prelude::*;

/// A labelled text input with its error line. The error is shown once the field has
/// been typed in or left (`touched`), so a fresh form is not a wall of red.
#[component]
pub fn TextField(
    /// Form field name; also the id (prefixed) and the `data-test` hook.
    name: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<u32>,
    /// The keyboard a phone shows (`numeric` for codes).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// Status line after a passing check (e.g. "사용할 수 있는 아이디입니다.").
    #[prop(optional, into)]
    ok_message: Signal<Option<String>>,
    /// Called on every keystroke with the new value.
    #[prop(optional, into)]
    on_change: Option<Callback<String>>,
    /// The name the form posts under when submitted without JavaScript.
    #[prop(optional)]
    form_name: Option<&'static str>,
    /// Show the error even if untouched (after a submit attempt).
    #[prop(optional, into)]
    show_errors: Signal<bool>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let id = format!("f-{name}");
    let msg_id = format!("f-{name}-msg");
    let shown_error = move || {
        if touched.get() || show_errors.get() {
            error.get()
        } else {
            None
        }
    };
    let invalid = move || shown_error().is_some();
    view! {
        <div class="field" class:invalid=invalid data-test=format!("field-{name}")>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=id
                name=form_name.unwrap_or(name)
                type=input_type
                autocomplete=autocomplete
                placeholder=placeholder
                maxlength=maxlength
                inputmode=inputmode
                required=required
                aria-invalid=move || if invalid() { "true" } else { "false" }
                aria-describedby=msg_id.clone()
                bind:value=value
                on:input=move |_| {
                    touched.set(true);
                    if let Some(cb) = on_change {
                        cb.run(value.get_untracked());
                    }
                }
                on:blur=move |_| touched.set(true)
            />
            <p id=msg_id class="field-msg" aria-live="polite">
                {move || match (shown_error(), ok_message.get()) {
                    (Some(e), _) => view! { <span class="err">{e}</span> }.into_any(),
                    (None, Some(ok)) if touched.get() => {
                        view! { <span class="ok">{ok}</span> }.into_any()
                    }
                    _ => view! { <span class="hint">{hint}</span> }.into_any(),
                }}
            </p>
        </div>
    }
}

/// A page's data that failed to load, or an action that failed, in the error's own
/// words: `AppError` says only what the browser may see.
pub fn error_line(error: AppError) -> AnyView {
    let verify = matches!(error, AppError::Unverified).then(|| {
        view! { " " <a href="/verify" class="go-link" data-test="verify-link">"이메일 인증하기"</a> }
    });
    view! { <p class="form-error" role="alert" data-test="form-error">{error.to_string()} {verify}</p> }
        .into_any()
}

/// After a submit that failed its checks: the first field with an error comes into view
/// (below the sticky header: `scroll-margin-top` in the CSS) with the cursor in it, once
/// the error lines have rendered. Browser only.
pub fn focus_first_error(form: NodeRef<leptos::html::Form>) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let Some(form) = form.get_untracked() else {
            return;
        };
        let Ok(Some(error)) = form.query_selector(".err") else {
            return;
        };
        let holder = error
            .closest(".field, fieldset")
            .ok()
            .flatten()
            .unwrap_or(error);
        let control = holder
            .query_selector("input:not([type=hidden]), select, textarea, button")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(control) = control {
            let _ = control.focus();
        }
        holder.scroll_into_view();
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = form;
}
