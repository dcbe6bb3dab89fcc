//! A category: its articles and its community questions.

use super::api::fetch_category;
use super::home::{ArticleList, SearchBox};
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::help::category_key;
use domain::wire::help::PostCard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PostList(posts: Vec<PostCard>) -> impl IntoView {
    let i = use_locale();
    view! {
        <ul class="link-list">
            {posts.into_iter().map(|p| view! {
                <li>
                    <a href=format!("/help/posts/{}", p.slug)>{p.title}</a>
                    " "
                    <span class="muted">
                        {i.t("help.n_answers").replace("{n}", &p.answers.to_string())}
                        {p.solved.then(|| format!(" · {}", i.t("help.solved")))}
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let i = use_locale();
    let params = use_params_map();
    let page = Resource::new(move || params.read().get("slug").unwrap_or_default(), fetch_category);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(c) => {
                        let name = i.t(&category_key(&c.slug));
                        view! {
                            <Title text=format!("{name} · Guichet")/>
                            <nav class="breadcrumb" aria-label=i.t("help.breadcrumb")>
                                <a href="/">{i.t("home.title")}</a>
                            </nav>
                            <h1>{name}</h1>
                            <SearchBox/>
                            <section aria-labelledby="cat-articles">
                                <h2 id="cat-articles">{i.t("help.articles")}</h2>
                                <ArticleList articles=c.articles/>
                            </section>
                            <section aria-labelledby="cat-posts">
                                <h2 id="cat-posts">{i.t("help.community")}</h2>
                                <PostList posts=c.posts/>
                            </section>
                        }.into_any()
                    }
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
