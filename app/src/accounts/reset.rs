//! Password reset: ask for a link by e-mail, then choose a new password with it.
//! Plain forms: both pages work the same with and without JavaScript.

use super::api::{RequestPasswordReset, ResetPassword};
use crate::components::required::RequiredMark;
use crate::error::AppError;
use crate::i18n::{Translate, use_locale};
use domain::password::{MIN_CHARS, PasswordProblem};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let action = ServerAction::<RequestPasswordReset>::new();
    let sent = move || query.read().get("sent").is_some() || action.value().with(|v| matches!(v, Some(Ok(()))));
    let error = move || action.value().get().and_then(Result::err);
    let error_id = "email-error";
    view! {
        <Title text=format!("{} · Guichet", i.t("password.forgot_title"))/>
        <section class="panel narrow">
            <h1>{i.t("password.forgot_title")}</h1>
            <div role="status">
                {move || sent().then(|| view! { <p class="notice" data-testid="reset-sent">{i.t("password.sent")}</p> })}
            </div>
            <p>{i.t("password.forgot_intro")}</p>
            <ActionForm action=action attr:class="stack">
                <div class="field">
                    <label for="email">{i.t("signin.email")} <RequiredMark/></label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="email"
                        required
                        aria-required="true"
                        aria-invalid=move || error().is_some().then_some("true")
                        aria-describedby=move || error().is_some().then_some(error_id)
                    />
                    <p id=error_id class="field-error">
                        {move || error().map(|_| i.t("password.email_invalid"))}
                    </p>
                </div>
                <button type="submit" class="button primary">{i.t("password.send_link")}</button>
            </ActionForm>
            <p><a href="/signin">{i.t("signin.title")}</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let token = query.read_untracked().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let problem = move || match action.value().get() {
        Some(Err(AppError::Password(p))) => Some(p),
        Some(Err(_)) => Some(PasswordProblem::LinkInvalid),
        _ => None,
    };
    let on = move |field: &'static str| move || problem().filter(|p| p.field() == field);
    let (pw_error, confirm_error, link_error) = (on("password"), on("confirm"), on("token"));
    let link_gone = move || token.is_empty() || link_error().is_some();
    let token_value = query.read_untracked().get("token").unwrap_or_default();
    view! {
        <Title text=format!("{} · Guichet", i.t("password.reset_title"))/>
        <section class="panel narrow">
            <h1>{i.t("password.reset_title")}</h1>
            <div class="form-error" role="alert">
                {move || link_gone().then(|| view! {
                    <p data-testid="reset-link-invalid">
                        {i.t("password.link_invalid")} " "
                        <a href="/password/forgot">{i.t("password.ask_again")}</a>
                    </p>
                })}
            </div>
            <ActionForm action=action attr:class="stack">
                <input type="hidden" name="token" value=token_value/>
                <div class="field">
                    <label for="password">{i.t("password.new")} <RequiredMark/></label>
                    <p id="password-hint" class="muted">{i.t("password.hint")}</p>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        required
                        minlength=MIN_CHARS.to_string()
                        aria-required="true"
                        aria-invalid=move || pw_error().is_some().then_some("true")
                        aria-describedby=move || {
                            if pw_error().is_some() { "password-hint password-error" } else { "password-hint" }
                        }
                    />
                    <p id="password-error" class="field-error">{move || pw_error().map(|p| i.t(p.message_key()))}</p>
                </div>
                <div class="field">
                    <label for="confirm">{i.t("password.confirm")} <RequiredMark/></label>
                    <input
                        id="confirm"
                        name="confirm"
                        type="password"
                        autocomplete="new-password"
                        required
                        aria-required="true"
                        aria-invalid=move || confirm_error().is_some().then_some("true")
                        aria-describedby=move || confirm_error().is_some().then_some("confirm-error")
                    />
                    <p id="confirm-error" class="field-error">
                        {move || confirm_error().map(|p| i.t(p.message_key()))}
                    </p>
                </div>
                <button type="submit" class="button primary">{i.t("password.save")}</button>
            </ActionForm>
        </section>
    }
}
