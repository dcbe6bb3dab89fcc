use crate::accounts::api::use_session;
use crate::i18n::{Translate, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;

/// The page for anything missing, and for anything the user may not see: the two
/// must be indistinguishable.
#[component]
pub fn NotFound() -> impl IntoView {
    let i = use_locale();
    #[cfg(feature = "ssr")]
    crate::response::set_status(404);
    view! {
        <Title text=format!("{} · Guichet", i.t("notfound.title"))/>
        <section class="panel narrow">
            <h1>{i.t("notfound.title")}</h1>
            <p>{i.t("notfound.body")}</p>
            <p><a href="/">{i.t("notfound.home")}</a></p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let signed_in = matches!(use_session().viewer.await, Ok(Some(_)));
                    (!signed_in).then(|| view! {
                        <p>{i.t("notfound.signin")} " " <a href="/signin">{i.t("nav.signin")}</a></p>
                    })
                })}
            </Transition>
        </section>
    }
}
