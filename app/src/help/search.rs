//! Search results, paginated. Also where the ticket form's "Search the help center
//! for this subject" button lands without JavaScript.

use super::api::search_help;
use super::home::SearchBox;
use crate::i18n::{Translate, use_locale};
use domain::wire::help::Hit;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn page_href(q: &str, page: usize) -> String {
    format!(
        "/help/search?q={}&page={page}",
        percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// One hit: the title and snippet come escaped from the server with `<b>` marks.
#[component]
pub fn HitItem(hit: Hit) -> impl IntoView {
    let i = use_locale();
    let label = match hit.kind {
        domain::wire::help::ItemKind::Article => i.t("help.article"),
        domain::wire::help::ItemKind::Post => i.t("help.community_post"),
    };
    view! {
        <li class="hit">
            <span class="kind-label">{label}</span>
            <a href=hit.kind.url(&hit.slug) inner_html=hit.title_html></a>
            <p class="snippet" inner_html=hit.snippet_html></p>
        </li>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let i = use_locale();
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        domain::help::bounded_search(
            // `subject`: the ticket form's "search the help center" button.
            &q.get("q").or_else(|| q.get("subject")).unwrap_or_default(),
            q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1),
        )
    };
    let results = Resource::new(args, |(q, page)| search_help(q, page));
    view! {
        <Title text=format!("{} · Guichet", i.t("help.search_title"))/>
        <h1>{i.t("help.search_title")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let r = results.await.unwrap_or_else(|_| domain::wire::help::SearchResults {
                    query: String::new(),
                    page: 1,
                    hits: Vec::new(),
                    total: 0,
                });
                let pages = r.pages();
                let q = r.query.clone();
                view! {
                    <SearchBox value=r.query.clone()/>
                    <p role="status" class="result-count">
                        {if r.query.trim().is_empty() {
                            i.t("help.type_to_search").to_owned()
                        } else {
                            i.t("help.n_results").replace("{n}", &r.total.to_string())
                        }}
                    </p>
                    <ol class="hits">
                        {r.hits.into_iter().map(|hit| view! { <HitItem hit/> }).collect_view()}
                    </ol>
                    {(pages > 1).then(|| view! {
                        <nav class="pagination" aria-label=i.t("help.pages")>
                            {(r.page > 1).then(|| view! { <a rel="prev" href=page_href(&q, r.page - 1)>{i.t("help.previous")}</a> })}
                            <span>{i.t("help.page_of").replace("{n}", &r.page.to_string()).replace("{total}", &pages.to_string())}</span>
                            {(r.page < pages).then(|| view! { <a rel="next" href=page_href(&q, r.page + 1)>{i.t("help.next")}</a> })}
                        </nav>
                    })}
                }
            })}
        </Suspense>
    }
}
