//! The HTML shell (server only) and the `App` both sides render.

use crate::accounts::api::SessionState;
use crate::accounts::reset::{ForgotPasswordPage, ResetPasswordPage};
use crate::accounts::signin::SignInPage;
use crate::admin::mailbox::MailboxAdminPage;
mod header;

use crate::console::page::ConsolePage;
use crate::help::article::ArticlePage;
use crate::help::category::CategoryPage;
use crate::help::home::HomePage;
use crate::help::post::PostPage;
use crate::help::search::SearchPage;
use crate::help::stats::DeflectionPage;
use crate::not_found::NotFound;
use crate::tickets::detail::TicketPage;
use crate::tickets::new::NewTicket;
use crate::tickets::queue::QueuePage;
use header::SiteHeader;
use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Hashed names of the browser bundle's files, written by `cargo xtask bundle`
/// and provided by the server as context.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, serde::Deserialize)]
pub struct AssetManifest {
    pub boot: String,
    pub js: String,
    pub wasm: String,
    pub css: String,
}

#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    let _ = options;
    let locale = crate::request::request_context().map(|c| c.locale).unwrap_or_default();
    let assets = use_context::<AssetManifest>().map(|a| {
        view! {
            <link rel="stylesheet" href=a.css/>
            <script type="module" src=a.boot></script>
        }
    });
    crate::response::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang=locale.as_str()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                {assets}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(crate::i18n::page_locale());
    view! {
        <Router>
            <Layout/>
        </Router>
    }
}

// Every page renders whole on the server (SsrMode::Async): it must read complete
// without JavaScript, and its status code (404, 429) must be known before the body.

/// Inside the router: server actions created here see the errors that a form posted
/// without JavaScript brings back in the URL.
#[component]
fn Layout() -> impl IntoView {
    // <Routes> would provide the error of a form posted without JavaScript only to
    // the pages; the session's actions live above them, so provide it here too.
    leptos_router::hooks::use_url()
        .read_untracked()
        .provide_server_action_error();
    SessionState::provide();
    view! {
        <SiteHeader/>
        <main id="main" tabindex="-1">
            <Routes fallback=NotFound>
                <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("signin") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("tickets") view=QueuePage ssr=SsrMode::Async/>
                <Route path=path!("tickets/new") view=NewTicket ssr=SsrMode::Async/>
                <Route path=path!("tickets/:number") view=TicketPage ssr=SsrMode::Async/>
                <Route path=path!("help/search") view=SearchPage ssr=SsrMode::Async/>
                <Route path=path!("help/categories/:slug") view=CategoryPage ssr=SsrMode::Async/>
                <Route path=path!("help/articles/:slug") view=ArticlePage ssr=SsrMode::Async/>
                <Route path=path!("help/posts/:slug") view=PostPage ssr=SsrMode::Async/>
                <Route path=path!("admin/deflection") view=DeflectionPage ssr=SsrMode::Async/>
                <Route path=path!("console") view=ConsolePage ssr=SsrMode::Async/>
                <Route path=path!("admin/mail") view=MailboxAdminPage ssr=SsrMode::Async/>
                <Route path=path!("password/forgot") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("password/reset") view=ResetPasswordPage ssr=SsrMode::Async/>
            </Routes>
        </main>
    }
}
