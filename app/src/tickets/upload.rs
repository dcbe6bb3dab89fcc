//! (hydrate) Sends the ticket form with XMLHttpRequest: unlike fetch, it reports
//! upload progress, which a 25 MB attachment deserves.

use domain::wire::tickets::CreateOutcome;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};

pub fn send(form: &HtmlFormElement, progress: RwSignal<Option<f64>>, done: impl FnOnce(CreateOutcome) + 'static) {
    let outcome = (|| -> Result<(), wasm_bindgen::JsValue> {
        let data = FormData::new_with_form(form)?;
        let xhr = XmlHttpRequest::new()?;
        xhr.open_with_async("POST", "/tickets/new", true)?;
        xhr.set_request_header("Accept", "application/json")?;
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress.set(Some(e.loaded() / e.total()));
            }
        });
        xhr.upload()?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let request = xhr.clone();
        let mut done = Some(done);
        let on_end = Closure::<dyn FnMut()>::new(move || {
            let body = request.response_text().ok().flatten().unwrap_or_default();
            let outcome = serde_json::from_str::<CreateOutcome>(&body).unwrap_or(CreateOutcome::Refused {
                message_key: if request.status().unwrap_or(0) == 0 {
                    "error.request".into()
                } else {
                    "error.internal".into()
                },
            });
            if let Some(done) = done.take() {
                done(outcome);
            }
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        xhr.send_with_opt_form_data(Some(&data))?;
        // The request owns its callbacks until it ends; one small leak per sent form.
        on_progress.forget();
        on_end.forget();
        Ok(())
    })();
    if outcome.is_err() {
        progress.set(None);
    }
}
