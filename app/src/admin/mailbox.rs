//! `/admin/mail`: every message of the outbox, newest first, with what became of
//! it. Without SMTP this is where mail is read (the `.eml` files are in the
//! mailbox folder too).

use crate::error::AppError;
use crate::i18n::{Translate, use_locale};
use crate::not_found::NotFound;
use domain::wire::mailbox::MailboxView;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(endpoint = "admin_mailbox")]
pub async fn fetch_mailbox() -> Result<MailboxView, AppError> {
    use crate::error::reply_error;
    use crate::request::*;
    let session = require_session()?;
    if session.viewer.role != domain::Role::Admin {
        return Err(reply_error(AppError::NotFound));
    }
    let port = use_context::<domain::ports::MailboxPort>().ok_or(AppError::Internal)?;
    Ok(port.recent().await?)
}

#[component]
pub fn MailboxAdminPage() -> impl IntoView {
    let i = use_locale();
    let page = Resource::new(|| (), |_| fetch_mailbox());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <Title text=format!("{} · Guichet", i.t("mailbox.title"))/>
                        <h1>{i.t("mailbox.title")}</h1>
                        <p>{i.t("mailbox.intro")}</p>
                        <p class="muted">{i.t("mailbox.transport")} " " <code>{p.transport}</code></p>
                        {p.messages.is_empty().then(|| view! { <p>{i.t("mailbox.empty")}</p> })}
                        <ul class="mailbox">
                            {p.messages.into_iter().map(|m| {
                                let (to_attr, to_summary, to) = (m.to.clone(), m.to.clone(), m.to.clone());
                                let (subject_summary, subject) = (m.subject.clone(), m.subject.clone());
                                let (at_attr, at) = (m.written_at.clone(), m.written_at.clone());
                                let status = i.t(m.status.label_key());
                                view! {
                                <li data-testid="mail" data-to=to_attr>
                                    <details>
                                        <summary>
                                            <span class="mail-to">{to_summary}</span>
                                            " · " <strong>{subject_summary}</strong>
                                            " · " <span class="muted">{status}</span>
                                        </summary>
                                        <dl class="overview">
                                            <dt>{i.t("mailbox.to")}</dt><dd>{to}</dd>
                                            <dt>{i.t("mailbox.subject")}</dt><dd>{subject}</dd>
                                            <dt>{i.t("mailbox.written")}</dt><dd><time datetime=at_attr>{at}</time></dd>
                                            <dt>{i.t("mailbox.status")}</dt><dd>{status}</dd>
                                            <dt>{i.t("mailbox.attempts")}</dt><dd>{m.attempts}</dd>
                                            {m.delivered_as.map(|d| view! { <dt>{i.t("mailbox.delivered_as")}</dt><dd><code>{d}</code></dd> })}
                                            {m.last_error.map(|e| view! { <dt>{i.t("mailbox.last_error")}</dt><dd>{e}</dd> })}
                                        </dl>
                                        <pre class="mail-text" lang=m.locale>{m.text}</pre>
                                    </details>
                                </li>
                            }}).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! { <NotFound/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
