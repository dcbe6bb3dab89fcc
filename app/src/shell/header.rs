//! The site header: brand, language switcher, and the account area at the top right.

use crate::accounts::api::use_session;
use crate::accounts::menu::AccountArea;
use crate::i18n::{Translate, use_locale};
use domain::Locale;
use leptos::prelude::*;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let i = use_locale();
    view! {
        <a class="skip-link" href="#main">{i.t("nav.skip")}</a>
        <header class="site-header">
            <a class="brand" href="/">{i.t("brand")}</a>
            <nav class="header-right" aria-label=i.t("nav.label")>
                <LanguageSwitcher/>
                <AccountArea/>
            </nav>
        </header>
    }
}

/// One button: the other language. A form, so it works without JavaScript; with
/// JavaScript the page reloads so that every string changes at once.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let i = use_locale();
    let action = use_session().set_locale;
    let other = if i == Locale::Fr { Locale::En } else { Locale::Fr };
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            #[cfg(feature = "browser")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    view! {
        <ActionForm action=action attr:class="lang-switch">
            <input type="hidden" name="locale" value=other.as_str()/>
            <button type="submit" class="link-button">
                <span lang=other.as_str()>{other.endonym()}</span>
                <span class="visually-hidden">{format!(" ({})", i.t("nav.language"))}</span>
            </button>
        </ActionForm>
    }
}
