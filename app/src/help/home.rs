//! Help-center home: where the seed starts.

use crate::accounts::api::use_session;
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let i = use_locale();
    let session = use_session();
    view! {
        <Title text=i.t("home.title")/>
        <section class="hero">
            <h1>{i.t("home.title")}</h1>
            <p class="lead">{i.t("home.lead")}</p>
        </section>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = matches!(session.viewer.await, Ok(Some(_)));
                view! {
                    <section class="panel actions">
                        {if signed_in {
                            view! {
                                <a class="button primary" href="/tickets">{i.t("nav.manage_tickets")}</a>
                            }.into_any()
                        } else {
                            view! {
                                <p>{i.t("home.signin_prompt")}</p>
                                <a class="button primary" href="/signin">{i.t("nav.signin")}</a>
                            }.into_any()
                        }}
                    </section>
                }
            })}
        </Transition>
    }
}
