//! The ticket page: number, overview, every field, the attachment.

use super::api::fetch_ticket;
use super::queue::SignInFirst;
use super::{TicketDetail, human_size, short_time, ticket_url};
use crate::components::not_found::NotFound;
use crate::error::AppError;
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ticket = Resource::new(move || params.read().get("number").unwrap_or_default(), fetch_ticket);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let created = query.read_untracked().get("created").is_some();
                match ticket.await {
                    Ok(t) => view! { <Ticket t created/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst/> }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The success notification after ENVOYER. Dismissed with ×: a link to the same page
/// without the notification (works without JavaScript), hidden at once with it.
#[island]
fn CreatedNotice(number: String) -> impl IntoView {
    let i = use_locale();
    let visible = RwSignal::new(true);
    let href = ticket_url(&number);
    view! {
        <Show when=move || visible.get()>
            <div class="toast" role="status">
                <p>{i.t("ticket.created").replace("{n}", &number)}</p>
                <a
                    class="dismiss"
                    href=href.clone()
                    aria-label=i.t("ticket.dismiss")
                    on:click=move |ev| {
                        ev.prevent_default();
                        visible.set(false);
                    }
                >
                    "×"
                </a>
            </div>
        </Show>
    }
}

#[component]
fn Ticket(t: TicketDetail, created: bool) -> impl IntoView {
    let i = use_locale();
    let product = t.product.as_ref().map(|p| p.get(i).to_owned());
    view! {
        <Title text=format!("#{} {} · Guichet", t.number, t.subject)/>
        {created.then(|| view! { <CreatedNotice number=t.number.clone()/> })}
        <article class="ticket">
            <header class="page-head">
                <h1>
                    <span class="ticket-number">{format!("#{}", t.number)}</span>
                    " "
                    <span class="ticket-subject">{t.subject.clone()}</span>
                </h1>
                <span class=format!("status status-{}", t.status.as_str())>{i.t(t.status.label_key())}</span>
            </header>
            <section class="panel" aria-labelledby="overview-title">
                <h2 id="overview-title">{i.t("ticket.overview")}</h2>
                <dl class="overview">
                    <dt>{i.t("ticket.number")}</dt>
                    <dd data-testid="ticket-number">{t.number.clone()}</dd>
                    <dt>{i.t("ticket.status")}</dt>
                    <dd>{i.t(t.status.label_key())}</dd>
                    <dt>{i.t("ticket.family")}</dt>
                    <dd>{i.t(t.family.label_key())}</dd>
                    {product.map(|p| view! { <dt>{i.t("ticket.product")}</dt> <dd>{p}</dd> })}
                    <dt>{i.t("ticket.requester")}</dt>
                    <dd>{t.requester_name.clone()}</dd>
                    <dt>{i.t("ticket.account")}</dt>
                    <dd>{t.account_name.clone()}</dd>
                    <dt>{i.t("ticket.created_at")}</dt>
                    <dd><time datetime=t.created_at.clone()>{short_time(&t.created_at)}</time></dd>
                    <dt>{i.t("ticket.updated")}</dt>
                    <dd><time datetime=t.updated_at.clone()>{short_time(&t.updated_at)}</time></dd>
                </dl>
            </section>
            <section class="panel" aria-labelledby="details-title">
                <h2 id="details-title">{i.t("ticket.details")}</h2>
                <dl class="fields">
                    {t.fields.into_iter().map(|f| {
                        let shown = f.display.as_ref().map(|d| d.get(i).to_owned()).unwrap_or(f.value);
                        view! {
                            <dt>{f.label.get(i).to_owned()}</dt>
                            <dd class=format!("field-{}", f.name)>{shown}</dd>
                        }
                    }).collect_view()}
                </dl>
            </section>
            <section class="panel" aria-labelledby="attachments-title">
                <h2 id="attachments-title">{i.t("ticket.attachments")}</h2>
                {if t.attachments.is_empty() {
                    view! { <p>{i.t("ticket.no_attachments")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="attachments">
                            {t.attachments.into_iter().map(|a| view! {
                                <li>
                                    <a href=format!("/attachments/{}", a.id) download=a.file_name.clone()>{a.file_name.clone()}</a>
                                    <span class="muted">{format!(" ({})", human_size(a.size))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </article>
    }
}
