//! One form field, rendered from its definition: label with the required marks,
//! help and error tied to the control, validation when the user leaves it.

use crate::components::required::RequiredMark;
use crate::help::suggest::{LISTBOX_ID, SuggestState, SuggestionList};
use crate::i18n::{Translate, use_locale};
use domain::Locale;
use domain::forms::{Choice, FieldDef, FieldKind, FieldProblem, check_field};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The form's live state, shared by every field.
#[derive(Clone, Copy)]
pub struct FormState {
    pub values: RwSignal<BTreeMap<String, String>>,
    pub errors: RwSignal<BTreeMap<String, FieldProblem>>,
    pub today: StoredValue<String>,
    pub max_upload: u64,
}

impl FormState {
    pub fn value(&self, name: &str) -> String {
        self.values.with(|v| v.get(name).cloned().unwrap_or_default())
    }

    fn set(&self, name: &str, value: String) {
        self.values.update(|v| {
            v.insert(name.to_owned(), value);
        });
    }

    /// Re-checks a field with the shared rule (the server runs the same one).
    pub fn check(&self, def: &FieldDef) {
        let value = self.value(&def.name);
        let result = self.today.with_value(|today| check_field(def, &value, today));
        self.errors.update(|e| match result {
            Err(problem) => {
                e.insert(def.name.clone(), problem);
            }
            Ok(_) => {
                e.remove(&def.name);
            }
        });
    }
}

/// The field the help-center suggestions follow.
pub const SUBJECT_FIELD: &str = "subject";

pub fn field_id(name: &str) -> String {
    format!("field-{name}")
}

fn label_text(def: &FieldDef, i: Locale) -> String {
    def.label.get(i).to_owned()
}

#[component]
pub fn Field(def: FieldDef, state: FormState) -> impl IntoView {
    let i = use_locale();
    let id = field_id(&def.name);
    let help_id = format!("help-{}", def.name);
    let error_id = format!("error-{}", def.name);
    let name = def.name.clone();
    let has_help = def.help.is_some();
    let error = {
        let name = name.clone();
        move || state.errors.with(|e| e.get(&name).cloned())
    };
    let invalid = {
        let error = error.clone();
        move || error().is_some().then_some("true")
    };
    let described_by = {
        let (help_id, error_id, error) = (help_id.clone(), error_id.clone(), error.clone());
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let required = def.required;
    let label = view! {
        <label for=id.clone()>
            {label_text(&def, i)}
            {required.then(|| view! { <RequiredMark/> })}
        </label>
    };
    let help = def.help.as_ref().map(|h| {
        let text = h.get(i).to_owned();
        view! { <p id=help_id.clone() class="help">{text}</p> }
    });
    let control = control(&def, state, id.clone(), invalid, described_by, i);
    let error_view = {
        let error = error.clone();
        move || {
            error().map(|p| {
                view! { <p id=error_id.clone() class="field-error">{p.message(i.t(p.message_key()))}</p> }
            })
        }
    };
    view! {
        <div class=format!("field field-{name}")>
            {label}
            {help}
            {control}
            {error_view}
        </div>
    }
}

fn control(
    def: &FieldDef,
    state: FormState,
    id: String,
    invalid: impl Fn() -> Option<&'static str> + Clone + Send + Sync + 'static,
    described_by: impl Fn() -> Option<String> + Clone + Send + Sync + 'static,
    i: Locale,
) -> AnyView {
    let name = def.name.clone();
    let required = def.required.then_some("true");
    let value = {
        let name = name.clone();
        move || state.value(&name)
    };
    // The subject carries the live suggestions when the form provides them.
    let combo = (def.name == SUBJECT_FIELD).then(use_context::<SuggestState>).flatten();
    let on_input = {
        let name = name.clone();
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            if let Some(c) = combo {
                c.typed(text.clone());
            }
            state.set(&name, text)
        }
    };
    let check = {
        let def = def.clone();
        move || state.check(&def)
    };
    let on_blur = {
        let check = check.clone();
        move |_: leptos::ev::FocusEvent| check()
    };
    match &def.kind {
        FieldKind::ShortText { .. } | FieldKind::Uuid => view! {
            <input
                id=id
                name=name.clone()
                type="text"
                autocomplete="off"
                spellcheck=matches!(def.kind, FieldKind::Uuid).then_some("false")
                aria-required=required
                aria-invalid=invalid
                aria-describedby=described_by
                role=combo.map(|_| "combobox")
                aria-autocomplete=combo.map(|_| "list")
                aria-controls=combo.map(|_| LISTBOX_ID)
                aria-expanded=move || combo.map(|c| if c.open.get() { "true" } else { "false" })
                aria-activedescendant=move || combo.and_then(|c| c.active_id())
                value=value.clone()
                prop:value=value
                on:input=on_input
                on:keydown=move |ev| {
                    if let Some(c) = combo {
                        c.on_keydown(ev);
                    }
                }
                on:blur=move |ev| {
                    if let Some(c) = combo {
                        c.open.set(false);
                    }
                    on_blur(ev)
                }
            />
            {combo.map(|c| view! { <SuggestionList state=c/> })}
        }
        .into_any(),
        FieldKind::LongText { .. } => {
            let initial = value();
            view! {
                <textarea
                    id=id
                    name=name.clone()
                    rows="8"
                    aria-required=required
                    aria-invalid=invalid
                    aria-describedby=described_by
                    prop:value=value
                    on:input=on_input
                    on:blur=on_blur
                >
                    {initial}
                </textarea>
            }
            .into_any()
        }
        FieldKind::Date { not_future } => {
            let max = not_future.then(|| state.today.get_value());
            view! {
                <input
                    id=id
                    name=name.clone()
                    type="date"
                    max=max
                    aria-required=required
                    aria-invalid=invalid
                    aria-describedby=described_by
                    value=value.clone()
                    prop:value=value
                    on:input=on_input
                    on:change=move |_| check()
                    on:blur=on_blur
                />
            }
            .into_any()
        }
        FieldKind::Select { options } | FieldKind::CountRange { options } => select(
            id,
            name,
            options.clone(),
            required,
            invalid,
            described_by,
            state,
            on_input,
            on_blur,
            i,
        ),
        FieldKind::YesNoNotSure => {
            let options = ["yes", "no", "not_sure"]
                .into_iter()
                .map(|v| Choice {
                    value: v.to_owned(),
                    label: domain::forms::Localized {
                        fr: Locale::Fr.t(&format!("answer.{v}")).to_owned(),
                        en: Locale::En.t(&format!("answer.{v}")).to_owned(),
                    },
                })
                .collect();
            select(
                id,
                name,
                options,
                required,
                invalid,
                described_by,
                state,
                on_input,
                on_blur,
                i,
            )
        }
        FieldKind::File => {
            let max = state.max_upload;
            let file_name = name.clone();
            view! {
                <input
                    id=id
                    name=name.clone()
                    type="file"
                    aria-required=required
                    aria-invalid=invalid
                    aria-describedby=described_by
                    on:change=move |ev: leptos::ev::Event| check_file_size(&ev, &file_name, max, state)
                />
            }
            .into_any()
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn select(
    id: String,
    name: String,
    options: Vec<Choice>,
    required: Option<&'static str>,
    invalid: impl Fn() -> Option<&'static str> + Clone + Send + Sync + 'static,
    described_by: impl Fn() -> Option<String> + Clone + Send + Sync + 'static,
    state: FormState,
    on_input: impl FnMut(leptos::ev::Event) + 'static,
    on_blur: impl FnMut(leptos::ev::FocusEvent) + Clone + 'static,
    i: Locale,
) -> AnyView {
    let current = {
        let name = name.clone();
        move || state.value(&name)
    };
    let initial = current();
    view! {
        <select
            id=id
            name=name
            aria-required=required
            aria-invalid=invalid
            aria-describedby=described_by
            prop:value=current
            on:change=on_input
            on:blur=on_blur
        >
            <option value="" selected=initial.is_empty()>{i.t("form.choose")}</option>
            {options.into_iter().map(|o| {
                let selected = o.value == initial;
                view! { <option value=o.value.clone() selected=selected>{o.label.get(i).to_owned()}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// A file over the limit is refused as soon as it is chosen, before any upload.
fn check_file_size(ev: &leptos::ev::Event, name: &str, max: u64, state: FormState) {
    #[cfg(feature = "browser")]
    {
        use wasm_bindgen::JsCast;
        let size = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
            .map(|file| file.size() as u64);
        state.errors.update(|e| match size {
            Some(s) if s > max => {
                e.insert(name.to_owned(), FieldProblem::FileTooLarge { max_bytes: max });
            }
            _ => {
                e.remove(name);
            }
        });
    }
    #[cfg(not(feature = "browser"))]
    let _ = (ev, name, max, state);
}
