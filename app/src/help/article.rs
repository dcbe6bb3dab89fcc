//! An article: its body (Markdown rendered and sanitised by the server), related
//! articles computed from the content, and "Was this helpful?".

use super::api::fetch_article;
use super::home::ArticleList;
use crate::format::short_time;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::help::category_key;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ArticlePage() -> impl IntoView {
    let i = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let article = Resource::new(move || params.read().get("slug").unwrap_or_default(), fetch_article);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let voted = query.read_untracked().get("voted").is_some();
                let solved = query.read_untracked().get("solved").is_some();
                match article.await {
                    Ok(a) => view! {
                        <Title text=format!("{} · Guichet", a.title)/>
                        <nav class="breadcrumb" aria-label=i.t("help.breadcrumb")>
                            <a href="/">{i.t("home.title")}</a>
                            " › "
                            <a href=format!("/help/categories/{}", a.category)>{i.t(&category_key(&a.category))}</a>
                        </nav>
                        {solved.then(|| view! { <div class="toast" role="status"><p>{i.t("suggest.solved_thanks")}</p></div> })}
                        <article class="help-article">
                            <h1>{a.title.clone()}</h1>
                            <p class="muted">
                                {i.t("help.updated")} " "
                                <time datetime=a.updated_at.clone()>{short_time(&a.updated_at)}</time>
                            </p>
                            <div class="prose" inner_html=a.body_html.clone()></div>
                        </article>
                        <section class="panel vote" aria-labelledby="vote-title">
                            {if voted {
                                view! { <p id="vote-title" role="status">{i.t("help.thanks_vote")}</p> }.into_any()
                            } else {
                                view! {
                                    <h2 id="vote-title">{i.t("help.was_helpful")}</h2>
                                    <form method="post" action="/api/help/event" class="vote-form">
                                        <input type="hidden" name="item" value="article"/>
                                        <input type="hidden" name="slug" value=a.slug.clone()/>
                                        <button type="submit" name="kind" value="helpful" class="button">{i.t("help.yes")}</button>
                                        <button type="submit" name="kind" value="not_helpful" class="button">{i.t("help.no")}</button>
                                    </form>
                                }.into_any()
                            }}
                        </section>
                        {(!a.related.is_empty()).then(|| view! {
                            <section aria-labelledby="related-title">
                                <h2 id="related-title">{i.t("help.related")}</h2>
                                <ArticleList articles=a.related/>
                            </section>
                        })}
                    }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
