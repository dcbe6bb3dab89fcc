//! Help-center home: where the seed starts. A search box, the categories, popular
//! articles and recent community questions.

use super::api::fetch_help_home;
use super::category::PostList;
use crate::accounts::api::use_session;
use crate::i18n::{Translate, use_locale};
use domain::help::category_key;
use domain::wire::help::ArticleCard;
use leptos::prelude::*;
use leptos_meta::Title;

/// The search box: a plain GET form, the same on every help page.
#[component]
pub fn SearchBox(#[prop(optional, into)] value: String) -> impl IntoView {
    let i = use_locale();
    view! {
        <form class="help-search" method="get" action="/help/search" role="search">
            <label for="help-q">{i.t("help.search_label")}</label>
            <div class="search-row">
                <input id="help-q" type="search" name="q" value=value maxlength="200" autocomplete="off"/>
                <button type="submit" class="button primary">{i.t("help.search")}</button>
            </div>
        </form>
    }
}

#[component]
pub fn ArticleList(articles: Vec<ArticleCard>) -> impl IntoView {
    view! {
        <ul class="link-list">
            {articles.into_iter().map(|a| view! {
                <li><a href=format!("/help/articles/{}", a.slug)>{a.title}</a></li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i = use_locale();
    let session = use_session();
    let home = Resource::new(|| (), |_| fetch_help_home());
    view! {
        <Title text=i.t("home.title")/>
        <section class="hero">
            <h1>{i.t("home.title")}</h1>
            <p class="lead">{i.t("home.lead")}</p>
            <SearchBox/>
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
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                home.await.ok().map(|h| view! {
                    <section aria-labelledby="categories-title">
                        <h2 id="categories-title">{i.t("help.categories")}</h2>
                        <ul class="category-grid">
                            {h.categories.into_iter().map(|c| view! {
                                <li>
                                    <a href=format!("/help/categories/{}", c.slug)>{i.t(&category_key(&c.slug))}</a>
                                    <span class="muted">{i.t("help.n_articles").replace("{n}", &c.articles.to_string())}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <div class="columns">
                        <section aria-labelledby="popular-title">
                            <h2 id="popular-title">{i.t("help.popular")}</h2>
                            <ArticleList articles=h.popular/>
                        </section>
                        <section aria-labelledby="community-title">
                            <h2 id="community-title">{i.t("help.community")}</h2>
                            <PostList posts=h.recent_posts/>
                        </section>
                    </div>
                })
            })}
        </Suspense>
    }
}
