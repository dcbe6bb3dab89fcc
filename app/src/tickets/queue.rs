//! GÉRER MES TICKETS: every ticket the user opened or watches, newest first.

use super::api::fetch_queue;
use crate::error::AppError;
use crate::format::short_time;
use crate::i18n::{Translate, use_locale};
use domain::TicketStatus;
use domain::ticket::ticket_url;
use domain::wire::tickets::QueueFilter;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

fn filter_from(query: &ParamsMap) -> QueueFilter {
    QueueFilter {
        status: query.get("status").as_deref().and_then(TicketStatus::parse),
        q: query.get("q").unwrap_or_default().chars().take(200).collect(),
        before: query.get("before").and_then(|b| b.parse().ok()),
        all_accounts: query.get("all").is_some_and(|v| v == "1"),
    }
}

/// The query string of a filter (the page's links keep the filters).
fn query_of(f: &QueueFilter, before: Option<i64>) -> String {
    let mut parts = Vec::new();
    if !f.q.is_empty() {
        parts.push(format!("q={}", urlencode(&f.q)));
    }
    if let Some(s) = f.status {
        parts.push(format!("status={}", s.as_str()));
    }
    if f.all_accounts {
        parts.push("all=1".to_owned());
    }
    if let Some(b) = before {
        parts.push(format!("before={b}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let page = Resource::new(move || filter_from(&query.read()), fetch_queue);
    view! {
        <Title text=format!("{} · Guichet", i.t("queue.title"))/>
        <div class="page-head">
            <h1>{i.t("queue.title")}</h1>
            <a class="button primary" href="/tickets/new">{i.t("tickets.add_new")}</a>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let filter = filter_from(&query.read_untracked());
                match page.await {
                    Err(AppError::Unauthenticated) => view! { <SignInFirst/> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{i.t(e.message_key())}</p> }.into_any(),
                    Ok(result) => view! { <Filters filter=filter.clone()/> <Results result filter/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SignInFirst() -> impl IntoView {
    let i = use_locale();
    #[cfg(feature = "ssr")]
    crate::response::set_status(401);
    view! {
        <section class="panel narrow">
            <p>{i.t("error.unauthenticated")}</p>
            <a class="button primary" href="/signin">{i.t("nav.signin")}</a>
        </section>
    }
}

/// A plain GET form: filters work the same with and without JavaScript.
#[component]
fn Filters(filter: QueueFilter) -> impl IntoView {
    let i = use_locale();
    view! {
        <form method="get" action="/tickets" class="filters" role="search" aria-label=i.t("queue.filters")>
            <div class="field">
                <label for="queue-q">{i.t("queue.search")}</label>
                <input id="queue-q" name="q" type="search" value=filter.q.clone()/>
            </div>
            <div class="field">
                <label for="queue-status">{i.t("queue.status")}</label>
                <select id="queue-status" name="status">
                    <option value="">{i.t("queue.all_statuses")}</option>
                    {TicketStatus::ALL
                        .into_iter()
                        .map(|s| view! {
                            <option value=s.as_str() selected=filter.status == Some(s)>{i.t(s.label_key())}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field checkbox">
                <input id="queue-all" name="all" type="checkbox" value="1" checked=filter.all_accounts/>
                <label for="queue-all">{i.t("queue.all_accounts")}</label>
            </div>
            <button type="submit" class="button">{i.t("queue.apply")}</button>
        </form>
    }
}

#[component]
fn Results(result: domain::wire::tickets::QueueView, filter: QueueFilter) -> impl IntoView {
    let i = use_locale();
    if result.items.is_empty() {
        return view! { <p class="panel empty">{i.t("queue.empty")}</p> }.into_any();
    }
    let first_page = filter
        .before
        .is_some()
        .then(|| format!("/tickets{}", query_of(&filter, None)));
    let next_page = result
        .next_before
        .map(|b| format!("/tickets{}", query_of(&filter, Some(b))));
    view! {
        <table class="queue">
            <caption class="visually-hidden">{i.t("queue.title")}</caption>
            <thead>
                <tr>
                    <th scope="col">{i.t("ticket.number")}</th>
                    <th scope="col">{i.t("ticket.subject")}</th>
                    <th scope="col">{i.t("ticket.status")}</th>
                    <th scope="col">{i.t("ticket.product")}</th>
                    <th scope="col">{i.t("ticket.updated")}</th>
                </tr>
            </thead>
            <tbody>
                {result.items.into_iter().map(|t| {
                    let url = ticket_url(&t.number);
                    let product = t.product.as_ref().map(|p| p.get(i).to_owned()).unwrap_or_else(|| i.t(t.family.label_key()).to_owned());
                    view! {
                        <tr>
                            <td><a href=url.clone()>{format!("#{}", t.number)}</a></td>
                            <td>
                                <a href=url>{t.subject}</a>
                                {t.watching.then(|| view! { <span class="badge">{i.t("queue.watching")}</span> })}
                            </td>
                            <td><span class=format!("status status-{}", t.status.as_str())>{i.t(t.status.label_key())}</span></td>
                            <td>{product}<span class="account-name">{t.account_name}</span></td>
                            <td><time datetime=t.updated_at.clone()>{short_time(&t.updated_at)}</time></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pagination" aria-label=i.t("queue.pages")>
            {first_page.map(|href| view! { <a href=href>{i.t("queue.newest")}</a> })}
            {next_page.map(|href| view! { <a href=href rel="next">{i.t("queue.older")}</a> })}
        </nav>
    }
    .into_any()
}
