use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page for anything missing, and for anything the user may not see: the two
/// must be indistinguishable.
#[component]
pub fn NotFound() -> impl IntoView {
    let i = use_locale();
    #[cfg(feature = "ssr")]
    crate::request::set_status(404);
    view! {
        <Title text=format!("{} · Guichet", i.t("notfound.title"))/>
        <section class="panel narrow">
            <h1>{i.t("notfound.title")}</h1>
            <p>{i.t("notfound.body")}</p>
            <p><a href="/">{i.t("notfound.home")}</a></p>
        </section>
    }
}
