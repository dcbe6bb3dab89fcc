//! The ticket page: number, overview, every field, the attachment.

use super::api::{AddComment, ChangeWatcher, ConfirmClose, OpenFollowUp, fetch_ticket};
use super::queue::SignInFirst;
use crate::error::AppError;
use crate::format::short_time;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::lifecycle::Action;
use domain::size::human_size;
use domain::ticket::{COMMENT_MAX_CHARS, ticket_url};
use domain::wire::tickets::{TicketDetail, TimelineEntry};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn TicketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ticket = Resource::new(move || params.read().get("number").unwrap_or_default(), fetch_ticket);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let created = query.read_untracked().get("created").is_some();
                let attach = AttachOutcome::from_query(&query.read_untracked());
                match ticket.await {
                    Ok(t) => view! { <Ticket t created attach/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <SignInFirst/> }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The success notification after ENVOYER. Dismissed with ×: a link to the same page
/// without the notification (works without JavaScript), hidden at once with it.
#[island]
fn CreatedNotice(number: String) -> impl IntoView {
    let i = use_locale();
    let visible = RwSignal::new(true);
    let href = ticket_url(&number);
    view! {
        <Show when=move || visible.get()>
            <div class="toast" role="status">
                <p>{i.t("ticket.created").replace("{n}", &number)}</p>
                <a
                    class="dismiss"
                    href=href.clone()
                    aria-label=i.t("ticket.dismiss")
                    on:click=move |ev| {
                        ev.prevent_default();
                        visible.set(false);
                    }
                >
                    "×"
                </a>
            </div>
        </Show>
    }
}

/// What the last "add attachments" post did, as it comes back in the URL.
#[derive(Clone, Default)]
struct AttachOutcome {
    added: Option<String>,
    error: Option<(String, Option<String>)>,
}

impl AttachOutcome {
    fn from_query(q: &leptos_router::params::ParamsMap) -> Self {
        AttachOutcome {
            added: q.get("attached"),
            error: q.get("attach_error").map(|k| (k, q.get("file"))),
        }
    }
}

#[component]
fn Ticket(t: TicketDetail, created: bool, attach: AttachOutcome) -> impl IntoView {
    let i = use_locale();
    let product = t.product.as_ref().map(|p| p.get(i).to_owned());
    view! {
        <Title text=format!("#{} {} · Guichet", t.number, t.subject)/>
        {created.then(|| view! { <CreatedNotice number=t.number.clone()/> })}
        <article class="ticket">
            <header class="page-head">
                <h1>
                    <span class="ticket-number">{format!("#{}", t.number)}</span>
                    " "
                    <span class="ticket-subject">{t.subject.clone()}</span>
                </h1>
                <span class=format!("status status-{}", t.status.as_str())>{i.t(t.status.label_key())}</span>
                {t.follow_up_of.clone().map(|n| view! {
                    <p class="muted">{i.t("ticket.follow_up_of")} " " <a href=ticket_url(&n)>{format!("#{n}")}</a></p>
                })}
            </header>
            <section class="panel" aria-labelledby="overview-title">
                <h2 id="overview-title">{i.t("ticket.overview")}</h2>
                <dl class="overview">
                    <dt>{i.t("ticket.number")}</dt>
                    <dd data-testid="ticket-number">{t.number.clone()}</dd>
                    <dt>{i.t("ticket.status")}</dt>
                    <dd>{i.t(t.status.label_key())}</dd>
                    <dt>{i.t("ticket.family")}</dt>
                    <dd>{i.t(t.family.label_key())}</dd>
                    {product.map(|p| view! { <dt>{i.t("ticket.product")}</dt> <dd>{p}</dd> })}
                    <dt>{i.t("ticket.requester")}</dt>
                    <dd>{t.requester_name.clone()}</dd>
                    <dt>{i.t("ticket.account")}</dt>
                    <dd>{t.account_name.clone()}</dd>
                    <dt>{i.t("ticket.created_at")}</dt>
                    <dd><time datetime=t.created_at.clone()>{short_time(&t.created_at)}</time></dd>
                    <dt>{i.t("ticket.updated")}</dt>
                    <dd><time datetime=t.updated_at.clone()>{short_time(&t.updated_at)}</time></dd>
                </dl>
            </section>
            <section class="panel" aria-labelledby="details-title">
                <h2 id="details-title">{i.t("ticket.details")}</h2>
                <dl class="fields">
                    {t.fields.into_iter().map(|f| {
                        let shown = f.display.as_ref().map(|d| d.get(i).to_owned()).unwrap_or(f.value);
                        view! {
                            <dt>{f.label.get(i).to_owned()}</dt>
                            <dd class=format!("field-{}", f.name)>{shown}</dd>
                        }
                    }).collect_view()}
                </dl>
            </section>
            <section class="panel" aria-labelledby="attachments-title">
                <h2 id="attachments-title">{i.t("ticket.attachments")}</h2>
                {if t.attachments.is_empty() {
                    view! { <p>{i.t("ticket.no_attachments")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="attachments">
                            {t.attachments.into_iter().map(|a| view! {
                                <li>
                                    <a href=format!("/attachments/{}", a.id) download=a.file_name.clone()>{a.file_name.clone()}</a>
                                    <span class="muted">{format!(" ({})", human_size(a.size))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {t.offered.contains(&Action::AddAttachment).then(|| view! {
                    <AttachForm number=t.number.clone() max_bytes=t.max_upload_bytes outcome=attach/>
                })}
            </section>
            <Watchers number=t.number.clone() watchers=t.watchers.clone() offered=t.offered.clone()/>
            <Timeline entries=t.timeline.clone()/>
            {t.auto_close_at.clone().map(|at| view! {
                <p class="panel notice" data-testid="auto-close">
                    {i.t("ticket.auto_close").replace("{date}", &short_time(&at))}
                </p>
            })}
            {if t.offered.contains(&Action::InternalNote) {
                view! {
                    <crate::console::panel::AgentPanel
                        number=t.number.clone()
                        offered=t.offered.clone()
                        agents=t.agents.clone()
                        assignee=t.assignee.clone()
                    />
                }.into_any()
            } else {
                view! { <Actions number=t.number.clone() offered=t.offered.clone() status=t.status/> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let i = use_locale();
    view! {
        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{i.t("timeline.title")}</h2>
            <ol class="timeline">
                {entries.into_iter().map(|e| {
                    let what = match e.status_change {
                        Some((from, to)) => i
                            .t("timeline.status")
                            .replace("{from}", i.t(from.label_key()))
                            .replace("{to}", i.t(to.label_key())),
                        None => i
                            .t(&format!("timeline.{}", e.kind.as_str()))
                            .replace("{who}", e.target.as_deref().unwrap_or_default()),
                    };
                    view! {
                        <li class=format!("event event-{}", e.kind.as_str())>
                            <p class="event-head">
                                <strong>{e.who}</strong> " " {what} " · "
                                <time datetime=e.at.clone()>{short_time(&e.at)}</time>
                            </p>
                            {e.body_html.map(|html| view! { <div class="prose comment-body" inner_html=html></div> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Several files at once, a plain multipart form: the same checks as at creation.
#[component]
fn AttachForm(number: String, max_bytes: u64, outcome: AttachOutcome) -> impl IntoView {
    let i = use_locale();
    let max = human_size(max_bytes as i64);
    let error = outcome.error.map(|(key, file)| {
        let text = i.t(&key).replace("{n}", &max);
        match file {
            Some(f) => format!("{f} — {text}"),
            None => text,
        }
    });
    let invalid = error.is_some();
    view! {
        <form
            id="attach"
            class="stack"
            method="post"
            enctype="multipart/form-data"
            action=domain::ticket::attach_url(&number)
        >
            <div class="field">
                <label for="attach-files">{i.t("attach.label")}</label>
                <p id="attach-help" class="help">
                    {i.t("attach.help").replace("{n}", &max).replace("{count}", &domain::ticket::MAX_FILES_AT_ONCE.to_string())}
                </p>
                <input
                    id="attach-files"
                    name="files"
                    type="file"
                    multiple
                    required
                    aria-invalid=invalid.then_some("true")
                    aria-describedby=if invalid { "attach-help attach-error" } else { "attach-help" }
                />
                <p id="attach-error" class="field-error" role="alert">{error}</p>
            </div>
            {outcome.added.map(|n| view! {
                <p role="status" class="muted" data-testid="attach-status">{i.t("attach.done").replace("{n}", &n)}</p>
            })}
            <button type="submit" class="button">{i.t("attach.send")}</button>
        </form>
    }
}

/// What the lifecycle lets the viewer do: comment, confirm and close; on a closed
/// ticket, nothing but reading.
#[component]
fn Actions(number: String, offered: Vec<Action>, status: domain::TicketStatus) -> impl IntoView {
    let i = use_locale();
    let comment = ServerAction::<AddComment>::new();
    let close = ServerAction::<ConfirmClose>::new();
    let error = move || {
        comment
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| close.value().get().and_then(Result::err))
    };
    let can_comment = offered
        .iter()
        .any(|a| matches!(a, Action::Comment | Action::PublicReply(None)));
    let can_close = offered.contains(&Action::ConfirmClose);
    let closed = status == domain::TicketStatus::Closed;
    view! {
        {closed.then(|| {
            let follow = ServerAction::<OpenFollowUp>::new();
            let can_follow = offered.contains(&Action::FollowUp);
            let number = number.clone();
            view! {
                <section class="panel notice">
                    <p>{i.t("ticket.closed_notice")}</p>
                    {can_follow.then(|| view! {
                        <ActionForm action=follow>
                            <input type="hidden" name="number" value=number/>
                            <button type="submit" class="button">{i.t("ticket.follow_up")}</button>
                        </ActionForm>
                    })}
                </section>
            }
        })}
        {can_close.then(|| {
            let number = number.clone();
            view! {
                <section class="panel notice">
                    <p>{i.t("ticket.resolved_notice")}</p>
                    <ActionForm action=close>
                        <input type="hidden" name="number" value=number/>
                        <button type="submit" class="button">{i.t("ticket.confirm_close")}</button>
                    </ActionForm>
                </section>
            }
        })}
        <div class="form-error" role="alert" id="comment-error">
            {move || error().map(|e| view! { <p>{i.t(e.message_key())}</p> })}
        </div>
        {can_comment.then(|| view! {
            <section class="panel" aria-labelledby="comment-title">
                <h2 id="comment-title">{i.t("comment.label")}</h2>
                <ActionForm action=comment attr:class="stack">
                    <input type="hidden" name="number" value=number.clone()/>
                    <div class="field">
                        <label for="comment-body">
                            {i.t("comment.label")}
                            <crate::components::required::RequiredMark/>
                        </label>
                        <p id="comment-help" class="help">{i.t("comment.help")}</p>
                        <textarea
                            id="comment-body"
                            name="body"
                            rows="5"
                            required
                            aria-required="true"
                            maxlength=COMMENT_MAX_CHARS.to_string()
                            aria-describedby=move || if error().is_some() { "comment-help comment-error" } else { "comment-help" }
                        ></textarea>
                    </div>
                    <button type="submit" class="button primary">{i.t("comment.send")}</button>
                </ActionForm>
            </section>
        })}
    }
}

/// Who follows the ticket; the requester and agents add and remove them.
#[component]
fn Watchers(number: String, watchers: Vec<String>, offered: Vec<Action>) -> impl IntoView {
    let i = use_locale();
    let change = ServerAction::<ChangeWatcher>::new();
    let can_add = offered.contains(&Action::AddWatcher);
    let can_remove = offered.contains(&Action::RemoveWatcher);
    let error = move || change.value().get().and_then(Result::err);
    view! {
        <section class="panel" aria-labelledby="watchers-title">
            <h2 id="watchers-title">{i.t("watchers.title")}</h2>
            {if watchers.is_empty() {
                view! { <p>{i.t("watchers.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="watchers">
                        {watchers.into_iter().map(|email| {
                            let number = number.clone();
                            view! {
                                <li>
                                    <span class="watcher">{email.clone()}</span>
                                    {can_remove.then(|| view! {
                                        <ActionForm action=change attr:class="inline-form">
                                            <input type="hidden" name="number" value=number/>
                                            <input type="hidden" name="email" value=email.clone()/>
                                            <input type="hidden" name="remove" value="1"/>
                                            <button type="submit" class="link-button">{i.t("watchers.remove").replace("{email}", &email)}</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <div class="form-error" role="alert" id="watcher-error">
                {move || error().map(|e| view! { <p>{i.t(e.message_key())}</p> })}
            </div>
            {can_add.then(|| view! {
                <ActionForm action=change attr:class="stack">
                    <input type="hidden" name="number" value=number.clone()/>
                    <div class="field">
                        <label for="watcher-email">{i.t("watchers.add_label")}</label>
                        <p id="watcher-help" class="help">{i.t("watchers.help")}</p>
                        <input
                            id="watcher-email"
                            name="email"
                            type="email"
                            autocomplete="off"
                            required
                            aria-describedby="watcher-help watcher-error"
                            aria-invalid=move || error().is_some().then_some("true")
                        />
                    </div>
                    <button type="submit" class="button">{i.t("watchers.add")}</button>
                </ActionForm>
            })}
        </section>
    }
}
