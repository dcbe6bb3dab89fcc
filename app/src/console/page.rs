//! `/console`: the agents' queue. A plain GET form of filters, a table sorted by
//! last update; works the same with and without JavaScript.

use super::api::fetch_console;
use crate::format::short_time;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::ticket::ticket_url;
use domain::wire::console::{CONSOLE_LIMIT, ConsoleFilter};
use domain::{ProductFamily, TicketStatus};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConsolePage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        ConsoleFilter {
            status: q.get("status").as_deref().and_then(TicketStatus::parse),
            family: q.get("family").as_deref().and_then(ProductFamily::parse),
            product: q.get("product").filter(|p| !p.is_empty()),
            mine: q.get("mine").is_some_and(|v| v == "1"),
            unassigned: q.get("unassigned").is_some_and(|v| v == "1"),
        }
    };
    let page = Resource::new(filter, fetch_console);
    view! {
        <Title text=format!("{} · Guichet", i.t("console.title"))/>
        <h1>{i.t("console.title")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let f = filter();
                match page.await {
                    Ok(p) => view! {
                        <form class="panel filters" method="get" action="/console">
                            <div class="field">
                                <label for="f-status">{i.t("queue.status")}</label>
                                <select id="f-status" name="status">
                                    <option value="">{i.t("queue.all_statuses")}</option>
                                    {TicketStatus::ALL.into_iter().map(|s| view! {
                                        <option value=s.as_str() selected=f.status == Some(s)>{i.t(s.label_key())}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="f-family">{i.t("ticket.family")}</label>
                                <select id="f-family" name="family">
                                    <option value="">{i.t("console.all_families")}</option>
                                    {ProductFamily::ALL.into_iter().map(|fam| view! {
                                        <option value=fam.as_str() selected=f.family == Some(fam)>{i.t(fam.label_key())}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="checkbox">
                                <input type="checkbox" id="f-mine" name="mine" value="1" checked=f.mine/>
                                <label for="f-mine">{i.t("console.mine")}</label>
                            </div>
                            <div class="checkbox">
                                <input type="checkbox" id="f-unassigned" name="unassigned" value="1" checked=f.unassigned/>
                                <label for="f-unassigned">{i.t("console.unassigned")}</label>
                            </div>
                            <button type="submit" class="button">{i.t("console.filter")}</button>
                        </form>
                        <table class="queue console">
                            <caption class="visually-hidden">{i.t("console.caption").replace("{n}", &CONSOLE_LIMIT.to_string())}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{i.t("ticket.number")}</th>
                                    <th scope="col">{i.t("console.subject")}</th>
                                    <th scope="col">{i.t("ticket.status")}</th>
                                    <th scope="col">{i.t("ticket.requester")}</th>
                                    <th scope="col">{i.t("console.assignee")}</th>
                                    <th scope="col">{i.t("ticket.updated")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {p.rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td><a href=ticket_url(&r.number)>{format!("#{}", r.number)}</a></td>
                                        <td>{r.subject}</td>
                                        <td><span class=format!("status status-{}", r.status.as_str())>{i.t(r.status.label_key())}</span></td>
                                        <td>{format!("{} ({})", r.requester, r.account)}</td>
                                        <td>{r.assignee.unwrap_or_else(|| i.t("console.nobody").to_owned())}</td>
                                        <td><time datetime=r.updated_at.clone()>{short_time(&r.updated_at)}</time></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
