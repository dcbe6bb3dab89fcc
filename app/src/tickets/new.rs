//! AJOUTER UN NOUVEAU TICKET: the form of the chosen product family.
//!
//! Without JavaScript it is a plain multipart form posted to `/tickets/new`; the
//! server answers with the ticket page, or with this form again, values kept and
//! errors named. With JavaScript the same form is checked as the user goes (the
//! shared rules), sent with an upload progress bar, and kept as a draft in the
//! browser so that a reload or a crashed tab loses nothing.

use super::api::fetch_new_ticket_form;
use super::form::{Field, FormState, SUBJECT_FIELD, field_id};
use super::queue::SignInFirst;
use crate::error::AppError;
use crate::help::suggest::{SuggestState, SuggestionPanel};
use crate::i18n::{Translate, use_locale};
use domain::ProductFamily;
#[cfg(feature = "browser")]
use domain::forms::FieldKind;
use domain::wire::tickets::NewTicketPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NewTicket() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("family"), fetch_new_ticket_form);
    view! {
        <Title text=format!("{} · Guichet", i.t("tickets.add_new"))/>
        <h1>{i.t("tickets.add_new")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <TicketForm page=p/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{i.t(e.message_key())}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The only part of the page that runs in the browser (an island): the rest is
/// server-rendered HTML, so the browser bundle carries just this form.
#[island]
pub fn TicketForm(page: NewTicketPage) -> impl IntoView {
    let i = use_locale();
    let forms = StoredValue::new(page.forms);
    let family = RwSignal::new(page.family);
    let state = FormState {
        values: RwSignal::new(page.values.clone()),
        errors: RwSignal::new(
            page.errors
                .iter()
                .map(|e| (e.field.clone(), e.problem.clone()))
                .collect(),
        ),
        today: StoredValue::new(page.today),
        max_upload: page.max_upload_bytes,
    };
    // The summary lists the errors found at the last submit.
    let show_summary = RwSignal::new(!page.errors.is_empty());
    let progress = RwSignal::new(None::<f64>);
    let refused = RwSignal::new(None::<String>);
    let summary_ref = NodeRef::<leptos::html::Div>::new();
    let form_ref = NodeRef::<leptos::html::Form>::new();

    keep_draft(family, state, page.values.is_empty());
    let suggest = SuggestState::new(family.into(), i);
    provide_context(suggest);

    let fields_of =
        move |f: ProductFamily| forms.with_value(|s| s.form(f).map(|f| f.fields.clone()).unwrap_or_default());
    let summary = move || {
        let fields = fields_of(family.get());
        state.errors.with(|errors| {
            fields
                .iter()
                .filter_map(|def| {
                    errors
                        .get(&def.name)
                        .map(|p| (def.name.clone(), def.label.get(i).to_owned(), p.clone()))
                })
                .collect::<Vec<_>>()
        })
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "browser")]
        {
            // "Search the help center for this subject" is a plain GET to a new tab.
            if ev.submitter().is_some_and(|b| b.has_attribute("formaction")) {
                return;
            }
            ev.prevent_default();
            if progress.get_untracked().is_some() {
                return; // already sending: a double click sends once
            }
            let fields = fields_of(family.get_untracked());
            for def in fields.iter().filter(|d| !matches!(d.kind, FieldKind::File)) {
                state.check(def);
            }
            let has_errors = state
                .errors
                .with_untracked(|e| fields.iter().any(|d| e.contains_key(&d.name)));
            show_summary.set(has_errors);
            if has_errors {
                focus_later(summary_ref);
                return;
            }
            if let Some(form) = form_ref.get_untracked() {
                refused.set(None);
                progress.set(Some(0.0));
                super::upload::send(&form, progress, move |outcome| {
                    progress.set(None);
                    match outcome {
                        domain::wire::tickets::CreateOutcome::Created { url, .. } => {
                            crate::draft::clear_draft();
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().assign(&format!("{url}?created=1"));
                            }
                        }
                        domain::wire::tickets::CreateOutcome::Invalid { errors } => {
                            state
                                .errors
                                .set(errors.into_iter().map(|e| (e.field, e.problem)).collect());
                            show_summary.set(true);
                            focus_later(summary_ref);
                        }
                        domain::wire::tickets::CreateOutcome::Refused { message_key } => refused.set(Some(message_key)),
                    }
                });
            }
        }
        #[cfg(not(feature = "browser"))]
        let _ = ev;
    };

    view! {
        <p class="muted">{i.t("tickets.for_account")} " " <strong>{page.account_name.clone()}</strong></p>
        <form
            method="post"
            action="/tickets/new"
            enctype="multipart/form-data"
            class="ticket-form stack"
            novalidate
            node_ref=form_ref
            on:submit=on_submit
        >
            <div class="error-summary" role="alert" tabindex="-1" node_ref=summary_ref>
                {move || {
                    let items = summary();
                    (show_summary.get() && !items.is_empty()).then(|| view! {
                        <h2>{i.t("form.summary").replace("{n}", &items.len().to_string())}</h2>
                        <ul>
                            {items.into_iter().map(|(name, label, problem)| view! {
                                <li><a href=format!("#{}", field_id(&name))>{format!("{label} : {}", problem.message(i.t(problem.message_key())))}</a></li>
                            }).collect_view()}
                        </ul>
                    })
                }}
                {move || refused.get().map(|key| view! { <p>{i.t(&key)}</p> })}
            </div>
            <input type="hidden" name="idempotency_key" value=page.idempotency_key.clone()/>
            <fieldset class="family-switch">
                <legend>{i.t("tickets.family")}</legend>
                {ProductFamily::ALL.into_iter().map(|f| {
                    let id = format!("family-{}", f.as_str());
                    view! {
                        <div class="radio">
                            <input
                                type="radio"
                                id=id.clone()
                                name="family"
                                value=f.as_str()
                                checked=page.family == f
                                prop:checked=move || family.get() == f
                                on:change=move |_| family.set(f)
                            />
                            <label for=id>{i.t(f.label_key())}</label>
                        </div>
                    }
                }).collect_view()}
                // Without JavaScript, this posts the form back: the server shows the
                // other family's form with every common value kept.
                <button type="submit" name="switch_family" value="1" class="button no-js-only">
                    {i.t("tickets.switch_family")}
                </button>
            </fieldset>
            // The subject field carries the live suggestions (a combobox, from the
            // `SuggestState` context); the opened one shows in a panel after it.
            {move || {
                fields_of(family.get())
                    .into_iter()
                    .map(|def| {
                        let is_description = def.name == "description";
                        let is_subject = def.name == SUBJECT_FIELD;
                        view! {
                            <Field def state/>
                            {is_subject.then(|| view! {
                                // Without JavaScript: the same search, in a new tab so
                                // that the form stays as typed.
                                <button
                                    type="submit"
                                    class="link-button search-subject"
                                    formaction="/help/search"
                                    formmethod="get"
                                    formenctype="application/x-www-form-urlencoded"
                                    formtarget="_blank"
                                    formnovalidate
                                >
                                    {i.t("suggest.search_button")}
                                </button>
                                <SuggestionPanel state=suggest subject_id=field_id(SUBJECT_FIELD)/>
                            })}
                            {is_description.then(|| view! {
                                <p class="help">
                                    <a href="/help/articles/what-information-does-support-need" target="_blank">
                                        {i.t("tickets.what_info")}
                                    </a>
                                </p>
                            })}
                        }
                    })
                    .collect_view()
            }}
            {move || progress.get().map(|p| view! {
                <div class="upload-progress">
                    <label for="upload-progress">{i.t("tickets.sending")}</label>
                    <progress id="upload-progress" max="100" value=format!("{:.0}", p * 100.0)>{format!("{:.0} %", p * 100.0)}</progress>
                </div>
            })}
            // No focus change on mouse down: the field being left would show its
            // error, the layout would shift, and the click would miss the button.
            // The submit checks every field anyway.
            <button
                type="submit"
                class="button primary send"
                disabled=move || progress.get().is_some()
                on:mousedown=|ev| ev.prevent_default()
            >
                {i.t("tickets.send")}
            </button>
        </form>
    }
}

/// Moves focus to the error summary once it is rendered.
#[cfg(feature = "browser")]
fn focus_later(target: NodeRef<leptos::html::Div>) {
    request_animation_frame(move || {
        if let Some(el) = target.get_untracked() {
            let _ = el.focus();
        }
    });
}

/// Saves the form in the browser as it is typed, and restores it once after a
/// reload (only into a fresh form, never over values the server sent back).
fn keep_draft(family: RwSignal<ProductFamily>, state: FormState, fresh: bool) {
    #[cfg(feature = "browser")]
    {
        let restored = StoredValue::new(false);
        Effect::new(move |_| {
            let snapshot = (family.get(), state.values.get());
            if !restored.get_value() {
                restored.set_value(true);
                if fresh && let Some((f, values)) = crate::draft::load_draft() {
                    family.set(f);
                    state.values.set(values);
                    return;
                }
            }
            crate::draft::save_draft(&snapshot.0, &snapshot.1);
        });
    }
    #[cfg(not(feature = "browser"))]
    let _ = (family, state, fresh);
}
