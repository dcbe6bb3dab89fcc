//! Live article suggestions under the new-ticket subject: a WAI-ARIA combobox.
//!
//! From the third character and after 150 ms without typing, one GET to
//! `/api/help/suggest`. Each keystroke aborts the request in flight (an
//! `AbortController`), so a slow old answer never replaces a newer one, and recent
//! answers are kept in memory. Arrow keys move through the listbox while focus stays
//! in the subject, Enter opens the highlighted suggestion in a side panel (the form
//! stays as it is), Escape closes, and a polite live region says how many were found.
//! Without JavaScript the "search the help center" button does the same search.

use crate::i18n::{Translate, use_locale};
use domain::Locale;
use domain::ProductFamily;
use domain::wire::help::{Hit, ItemKind, Suggestions};
use leptos::prelude::*;

pub const LISTBOX_ID: &str = "subject-suggestions";
/// Quiet time before a query is sent.
pub const DEBOUNCE_MS: u64 = 150;

pub fn option_id(index: usize) -> String {
    format!("suggestion-{index}")
}

/// What the side panel shows once a suggestion is opened.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub kind: ItemKind,
    pub slug: String,
    pub title: String,
    pub body_html: String,
}

/// The combobox's state, provided as context by the ticket form (inside its island)
/// and read by the subject field.
#[derive(Clone, Copy)]
pub struct SuggestState {
    pub items: RwSignal<Vec<Hit>>,
    pub open: RwSignal<bool>,
    pub active: RwSignal<Option<usize>>,
    pub announce: RwSignal<String>,
    pub opened: RwSignal<Option<Opened>>,
    // Read by the browser half only.
    #[cfg_attr(not(feature = "browser"), allow(dead_code))]
    family: Signal<ProductFamily>,
    #[cfg_attr(not(feature = "browser"), allow(dead_code))]
    locale: Locale,
    #[cfg(feature = "browser")]
    runtime: StoredValue<browser::Runtime, LocalStorage>,
}

impl SuggestState {
    pub fn new(family: Signal<ProductFamily>, locale: Locale) -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            open: RwSignal::new(false),
            active: RwSignal::new(None),
            announce: RwSignal::new(String::new()),
            opened: RwSignal::new(None),
            family,
            locale,
            #[cfg(feature = "browser")]
            runtime: StoredValue::new_local(browser::Runtime::default()),
        }
    }

    pub fn active_id(&self) -> Option<String> {
        if self.open.get() {
            self.active.get().map(option_id)
        } else {
            None
        }
    }

    #[cfg_attr(not(feature = "browser"), allow(dead_code))]
    fn show(&self, s: Suggestions) {
        let i = self.locale;
        let (a, p) = (s.articles.len(), s.posts.len());
        let items: Vec<Hit> = s.articles.into_iter().chain(s.posts).collect();
        self.announce.set(if items.is_empty() {
            i.t("suggest.none").to_owned()
        } else {
            i.t("suggest.announce")
                .replace("{articles}", &a.to_string())
                .replace("{posts}", &p.to_string())
        });
        // A late answer must not take the keyboard's place away: the option that was
        // active stays active if it is still suggested.
        let was = self.active.get_untracked().and_then(|index| {
            self.items
                .with_untracked(|old| old.get(index).map(|h| (h.kind, h.slug.clone())))
        });
        let active = was.and_then(|(kind, slug)| items.iter().position(|h| h.kind == kind && h.slug == slug));
        self.open.set(!items.is_empty());
        self.active.set(active);
        self.items.set(items);
    }

    fn close(&self) {
        self.open.set(false);
        self.active.set(None);
    }

    /// The subject changed: debounce, then ask (or answer from the cache).
    pub fn typed(&self, text: String) {
        #[cfg(feature = "browser")]
        browser::typed(*self, text);
        #[cfg(not(feature = "browser"))]
        let _ = text;
    }

    /// Keys on the subject input. Only keys the combobox owns are consumed.
    pub fn on_keydown(&self, ev: leptos::ev::KeyboardEvent) {
        let count = self.items.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if count > 0 => {
                ev.prevent_default();
                let down = ev.key() == "ArrowDown";
                self.open.set(true);
                self.active.update(|a| {
                    *a = Some(match (*a, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    })
                });
            }
            "Enter" if self.open.get_untracked() => {
                if let Some(index) = self.active.get_untracked() {
                    // Enter opens the suggestion; it must not send the form.
                    ev.prevent_default();
                    self.choose(index);
                }
            }
            "Escape" if self.open.get_untracked() || self.opened.get_untracked().is_some() => {
                ev.prevent_default();
                self.close();
                self.opened.set(None);
            }
            _ => {}
        }
    }

    /// Opens a suggestion in the side panel and records that it was opened.
    pub fn choose(&self, index: usize) {
        let Some(hit) = self.items.with_untracked(|items| items.get(index).cloned()) else {
            return;
        };
        self.close();
        #[cfg(feature = "browser")]
        browser::open(*self, hit);
        #[cfg(not(feature = "browser"))]
        let _ = hit;
    }

    /// "This solved my problem": counted, the draft dropped, no ticket.
    pub fn solved(&self) {
        #[cfg(feature = "browser")]
        if let Some(o) = self.opened.get_untracked() {
            browser::solved(o);
        }
    }
}

/// The listbox and the live region, right after the subject input.
#[component]
pub fn SuggestionList(state: SuggestState) -> impl IntoView {
    let i = use_locale();
    view! {
        <div class="suggestions" class:open=move || state.open.get()>
            <p class="suggestions-title" id="suggestions-title" hidden=move || !state.open.get()>
                {i.t("suggest.title")}
            </p>
            <ul id=LISTBOX_ID role="listbox" aria-labelledby="suggestions-title" hidden=move || !state.open.get()>
                {move || state.items.get().into_iter().enumerate().map(|(index, hit)| {
                    let label = match hit.kind {
                        ItemKind::Article => i.t("help.article"),
                        ItemKind::Post => i.t("help.community_post"),
                    };
                    view! {
                        <li
                            id=option_id(index)
                            role="option"
                            class="suggestion"
                            aria-selected=move || if state.active.get() == Some(index) { "true" } else { "false" }
                            // Keep the focus in the subject while clicking.
                            on:mousedown=|ev| ev.prevent_default()
                            on:click=move |_| state.choose(index)
                        >
                            <span class="kind-label">{label}</span>
                            " "
                            <span class="suggestion-title" inner_html=hit.title_html></span>
                            <span class="snippet" inner_html=hit.snippet_html></span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="visually-hidden" role="status" aria-live="polite">{move || state.announce.get()}</p>
        </div>
    }
}

/// The opened suggestion, beside the form: read it, then go back to the ticket or
/// say it solved the problem.
#[component]
pub fn SuggestionPanel(state: SuggestState, subject_id: String) -> impl IntoView {
    let i = use_locale();
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if state.opened.with(Option::is_some)
            && let Some(h) = heading.get()
        {
            let _ = h.focus();
        }
    });
    let back = move |_| {
        state.opened.set(None);
        #[cfg(feature = "browser")]
        browser::focus_id(&subject_id);
        #[cfg(not(feature = "browser"))]
        let _ = &subject_id;
    };
    view! {
        {move || state.opened.get().map(|o| view! {
            <aside class="suggestion-panel panel" aria-labelledby="suggestion-panel-title">
                <p class="kind-label">{match o.kind { ItemKind::Article => i.t("help.article"), ItemKind::Post => i.t("help.community_post") }}</p>
                <h2 id="suggestion-panel-title" tabindex="-1" node_ref=heading>{o.title.clone()}</h2>
                <div class="prose" inner_html=o.body_html.clone()></div>
                <div class="panel-actions">
                    <button type="button" class="button primary" on:click=move |_| state.solved()>{i.t("suggest.solved")}</button>
                    <button type="button" class="button" on:click=back.clone()>{i.t("suggest.back")}</button>
                    <a href=o.kind.url(&o.slug) target="_blank">{i.t("suggest.open_tab")}</a>
                </div>
            </aside>
        })}
    }
}

#[cfg(feature = "browser")]
mod browser {
    use super::*;
    use domain::wire::help::{ArticleView, PostView};
    use leptos::task::spawn_local;
    use std::collections::{HashSet, VecDeque};

    /// Calls a help server function the way a plain form would, with gloo-net (the
    /// same client the suggestions use): linking Leptos's server-function client
    /// into the island for three calls would cost more bytes than this.
    async fn call<T: serde::de::DeserializeOwned>(endpoint: &str, form: &[(&str, &str)]) -> Option<T> {
        let body = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let response = gloo_net::http::Request::post(endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .ok()?
            .send()
            .await
            .ok()?;
        if !response.ok() {
            return None;
        }
        response.json::<T>().await.ok()
    }

    async fn record(kind: &str, hit_kind: ItemKind, slug: &str) {
        let _ = call::<serde_json::Value>(
            "/api/help/event",
            &[("kind", kind), ("item", hit_kind.as_str()), ("slug", slug)],
        )
        .await;
    }

    /// Recent answers kept in memory (a retyped or corrected subject is instant).
    const CACHE_SIZE: usize = 50;

    #[derive(Default)]
    pub struct Runtime {
        timer: Option<TimeoutHandle>,
        impressions_timer: Option<TimeoutHandle>,
        in_flight: Option<web_sys::AbortController>,
        cache: VecDeque<(String, Suggestions)>,
        reported: HashSet<String>,
    }

    fn cache_key(s: &SuggestState, q: &str) -> String {
        format!(
            "{}|{}|{}",
            s.locale.as_str(),
            s.family.get_untracked().as_str(),
            q.trim().to_lowercase()
        )
    }

    pub fn typed(s: SuggestState, text: String) {
        s.runtime.update_value(|r| {
            if let Some(t) = r.timer.take() {
                t.clear();
            }
            if let Some(c) = r.in_flight.take() {
                c.abort();
            }
        });
        if !domain::help::suggests(&text) {
            s.close();
            s.items.set(Vec::new());
            return;
        }
        let key = cache_key(&s, &text);
        let cached = s
            .runtime
            .with_value(|r| r.cache.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
        if let Some(hit) = cached {
            s.show(hit);
            schedule_impressions(s);
            return;
        }
        let timer = set_timeout_with_handle(
            move || fetch(s, text, key),
            std::time::Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        s.runtime.update_value(|r| r.timer = timer);
    }

    fn fetch(s: SuggestState, text: String, key: String) {
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        s.runtime.update_value(|r| r.in_flight = Some(controller));
        let url = format!(
            "/api/help/suggest?locale={}&family={}&q={}",
            s.locale.as_str(),
            s.family.get_untracked().as_str(),
            percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
        );
        spawn_local(async move {
            let answer = gloo_net::http::Request::get(&url)
                .abort_signal(Some(&signal))
                .send()
                .await;
            // Aborted meanwhile: a newer keystroke owns the list now.
            if signal.aborted() {
                return;
            }
            let Ok(response) = answer else { return };
            let Ok(found) = response.json::<Suggestions>().await else {
                return;
            };
            if signal.aborted() {
                return;
            }
            s.runtime.update_value(|r| {
                r.in_flight = None;
                r.cache.retain(|(k, _)| *k != key);
                r.cache.push_front((key, found.clone()));
                r.cache.truncate(CACHE_SIZE);
            });
            mark_rendered();
            s.show(found);
            schedule_impressions(s);
        });
    }

    /// A performance mark the benchmark reads: suggestions are on screen.
    fn mark_rendered() {
        request_animation_frame(|| {
            if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                let _ = p.mark("guichet:suggestions-rendered");
            }
        });
    }

    /// A suggestion counts as suggested once it stayed on screen for a second.
    fn schedule_impressions(s: SuggestState) {
        s.runtime.update_value(|r| {
            if let Some(t) = r.impressions_timer.take() {
                t.clear();
            }
        });
        let timer = set_timeout_with_handle(
            move || {
                if !s.open.get_untracked() {
                    return;
                }
                let fresh: Vec<Hit> = s
                    .items
                    .get_untracked()
                    .into_iter()
                    .filter(|h| {
                        s.runtime
                            .try_update_value(|r| r.reported.insert(format!("{}:{}", h.kind.as_str(), h.slug)))
                            .unwrap_or(false)
                    })
                    .collect();
                for h in fresh {
                    spawn_local(async move {
                        record("suggested", h.kind, &h.slug).await;
                    });
                }
            },
            std::time::Duration::from_secs(1),
        )
        .ok();
        s.runtime.update_value(|r| r.impressions_timer = timer);
    }

    pub fn open(s: SuggestState, hit: Hit) {
        spawn_local(async move {
            record("opened", hit.kind, &hit.slug).await;
            let slug = [("slug", hit.slug.as_str())];
            let opened = match hit.kind {
                ItemKind::Article => call::<ArticleView>("/api/help/article", &slug)
                    .await
                    .map(|a| (a.title, a.body_html)),
                ItemKind::Post => call::<PostView>("/api/help/post", &slug).await.map(|p| {
                    let answers: String = p
                        .answers
                        .iter()
                        .filter(|a| a.accepted)
                        .map(|a| a.body_html.clone())
                        .collect();
                    (p.title, format!("{}{}", p.body_html, answers))
                }),
            };
            if let Some((title, body_html)) = opened {
                s.opened.set(Some(Opened {
                    kind: hit.kind,
                    slug: hit.slug,
                    title,
                    body_html,
                }));
            }
        });
    }

    pub fn solved(o: Opened) {
        spawn_local(async move {
            record("solved", o.kind, &o.slug).await;
            crate::draft::clear_draft();
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&format!("{}?solved=1", o.kind.url(&o.slug)));
            }
        });
    }

    pub fn focus_id(id: &str) {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}
