//! Admins: what the live suggestions achieved, per article and overall.

use super::api::fetch_deflection;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DeflectionPage() -> impl IntoView {
    let i = use_locale();
    let report = Resource::new(|| (), |_| fetch_deflection());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => {
                        let rate = format!("{:.1} %", r.rate() * 100.0);
                        view! {
                            <Title text=format!("{} · Guichet", i.t("stats.title"))/>
                            <h1>{i.t("stats.title")}</h1>
                            <dl class="overview">
                                <dt>{i.t("stats.rate")}</dt>
                                <dd data-testid="deflection-rate">{rate}</dd>
                                <dt>{i.t("stats.solved")}</dt>
                                <dd data-testid="deflection-solved">{r.solved}</dd>
                                <dt>{i.t("stats.tickets")}</dt>
                                <dd>{r.tickets_created}</dd>
                            </dl>
                            <table class="queue">
                                <caption>{i.t("stats.per_item")}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{i.t("stats.item")}</th>
                                        <th scope="col">{i.t("stats.suggested")}</th>
                                        <th scope="col">{i.t("stats.opened")}</th>
                                        <th scope="col">{i.t("stats.deflected")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {r.rows.into_iter().map(|row| view! {
                                        <tr data-slug=row.slug.clone()>
                                            <th scope="row"><a href=row.kind.url(&row.slug)>{row.slug.clone()}</a></th>
                                            <td>{row.suggested}</td>
                                            <td>{row.opened}</td>
                                            <td>{row.solved}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
