use crate::i18n::{Translate, use_locale};
use leptos::prelude::*;

/// The mark of a required field: a red asterisk for the eye, the word "required"
/// for screen readers (in the label, so in the field's accessible name).
#[component]
pub fn RequiredMark() -> impl IntoView {
    let i = use_locale();
    view! {
        <span class="required" aria-hidden="true">" *"</span>
        <span class="visually-hidden">{format!(" ({})", i.t("form.required"))}</span>
    }
}
