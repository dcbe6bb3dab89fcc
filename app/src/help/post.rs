//! A community post: the question and its answers, the accepted one first.

use super::api::fetch_post;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::help::category_key;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PostPage() -> impl IntoView {
    let i = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let post = Resource::new(move || params.read().get("slug").unwrap_or_default(), fetch_post);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let solved = query.read_untracked().get("solved").is_some();
                match post.await {
                    Ok(p) => view! {
                        <Title text=format!("{} · Guichet", p.title)/>
                        {solved.then(|| view! { <div class="toast" role="status"><p>{i.t("suggest.solved_thanks")}</p></div> })}
                        <nav class="breadcrumb" aria-label=i.t("help.breadcrumb")>
                            <a href="/">{i.t("home.title")}</a>
                            " › "
                            <a href=format!("/help/categories/{}", p.category)>{i.t(&category_key(&p.category))}</a>
                        </nav>
                        <article class="help-post">
                            <p class="kind-label">{i.t("help.community_post")}</p>
                            <h1>{p.title.clone()}</h1>
                            <p class="muted">{i.t("help.asked_by").replace("{who}", &p.author).replace("{date}", &p.asked_on)}</p>
                            <div class="prose" inner_html=p.body_html.clone()></div>
                        </article>
                        <section aria-labelledby="answers-title">
                            <h2 id="answers-title">{i.t("help.n_answers").replace("{n}", &p.answers.len().to_string())}</h2>
                            <ol class="answers">
                                {p.answers.into_iter().map(|a| view! {
                                    <li class:accepted=a.accepted>
                                        {a.accepted.then(|| view! { <p class="accepted-label">{i.t("help.accepted")}</p> })}
                                        <p class="muted">{a.author}</p>
                                        <div class="prose" inner_html=a.body_html></div>
                                    </li>
                                }).collect_view()}
                            </ol>
                        </section>
                    }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
