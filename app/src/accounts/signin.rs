//! The sign-in page of the seed: first the product family, then e-mail and password.

use super::api::use_session;
use crate::components::required::RequiredMark;
use crate::error::AppError;
use crate::i18n::{Translate, use_locale};
use domain::ProductFamily;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let family = move || query.read().get("family").and_then(|f| ProductFamily::parse(&f));
    let reset = query.read_untracked().get("reset").is_some();
    view! {
        <Title text=format!("{} · Guichet", i.t("signin.title"))/>
        <section class="panel narrow">
            <h1>{i.t("signin.title")}</h1>
            {reset.then(|| view! { <p class="notice" role="status" data-testid="password-changed">{i.t("password.changed")}</p> })}
            {move || match family() {
                None => view! { <FamilyChoice/> }.into_any(),
                Some(f) => view! { <CredentialsForm family=f/> }.into_any(),
            }}
        </section>
    }
}

/// Step one: two large links, so the choice works without JavaScript.
#[component]
fn FamilyChoice() -> impl IntoView {
    let i = use_locale();
    view! {
        <p id="family-intro">{i.t("signin.choose_family")}</p>
        <ul class="family-choice" aria-labelledby="family-intro">
            {ProductFamily::ALL
                .into_iter()
                .map(|f| {
                    view! {
                        <li>
                            <a class="family-card" href=format!("/signin?family={}", f.as_str())>
                                <strong>{i.t(f.label_key())}</strong>
                                <span>{i.t(f.hint_key())}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Step two. Errors come back either as the action's value (JavaScript) or through
/// the URL after a plain form post; both render the same way, e-mail kept.
#[component]
fn CredentialsForm(family: ProductFamily) -> impl IntoView {
    let i = use_locale();
    let session = use_session();
    let action = session.sign_in;
    let error = move || action.value().get().and_then(Result::err);
    // The e-mail to show again after a failed attempt without JavaScript.
    let kept_email = match action.value().get_untracked() {
        Some(Err(AppError::BadCredentials { email })) | Some(Err(AppError::RateLimited { email })) => email,
        _ => String::new(),
    };
    #[cfg(feature = "ssr")]
    if let Some(Err(e @ AppError::RateLimited { .. })) = action.value().get_untracked() {
        crate::response::set_status(e.status());
    }
    let error_id = "signin-error";
    view! {
        <p class="chosen-family">
            {i.t("signin.family_chosen")} " " <strong>{i.t(family.label_key())}</strong> " "
            <a href="/signin">{i.t("signin.change_family")}</a>
        </p>
        <div id=error_id class="form-error" role="alert">
            {move || error().map(|e| view! { <p>{i.t(e.message_key())}</p> })}
        </div>
        <ActionForm action=action attr:class="stack" attr:novalidate=false>
            <input type="hidden" name="family" value=family.as_str()/>
            <div class="field">
                <label for="email">
                    {i.t("signin.email")}
                    <RequiredMark/>
                </label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="username"
                    required
                    aria-required="true"
                    aria-invalid=move || error().is_some().then_some("true")
                    aria-describedby=move || error().is_some().then_some(error_id)
                    value=kept_email
                />
            </div>
            <div class="field">
                <label for="password">
                    {i.t("signin.password")}
                    <RequiredMark/>
                </label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    aria-required="true"
                    aria-invalid=move || error().is_some().then_some("true")
                    aria-describedby=move || error().is_some().then_some(error_id)
                />
            </div>
            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                {i.t("signin.submit")}
            </button>
        </ActionForm>
        <p><a href="/password/forgot">{i.t("password.forgot_link")}</a></p>
    }
}
