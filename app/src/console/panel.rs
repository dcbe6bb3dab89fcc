//! On the ticket page, for agents: assign, reply publicly or write an internal note,
//! change the status. Plain forms to the console's server functions.

use super::api::{AgentReply, AssignTicket};
use crate::i18n::{Translate, use_locale};
use domain::TicketStatus;
use domain::lifecycle::Action;
use domain::wire::console::Agent;
use leptos::prelude::*;

#[component]
pub fn AgentPanel(number: String, offered: Vec<Action>, agents: Vec<Agent>, assignee: Option<String>) -> impl IntoView {
    let i = use_locale();
    let reply = ServerAction::<AgentReply>::new();
    let assign = ServerAction::<AssignTicket>::new();
    let error = move || {
        reply
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| assign.value().get().and_then(Result::err))
    };
    let statuses: Vec<TicketStatus> = [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Resolved]
        .into_iter()
        .filter(|s| offered.contains(&Action::SetStatus(*s)))
        .collect();
    let can_reply = offered.contains(&Action::InternalNote);
    let can_assign = offered.contains(&Action::Assign);
    let reply_number = number.clone();
    view! {
        <div class="form-error" role="alert" id="agent-error">
            {move || error().map(|e| view! { <p>{i.t(e.message_key())}</p> })}
        </div>
        {can_assign.then(|| view! {
            <section class="panel" aria-labelledby="assign-title">
                <h2 id="assign-title">{i.t("console.assign")}</h2>
                <p>{i.t("console.assignee")} " : " <strong data-testid="assignee">{assignee.clone().unwrap_or_else(|| i.t("console.nobody").to_owned())}</strong></p>
                <ActionForm action=assign attr:class="inline-form">
                    <input type="hidden" name="number" value=number.clone()/>
                    <label for="assignee">{i.t("console.assign_to")}</label>
                    <select id="assignee" name="assignee">
                        <option value="me">{i.t("console.me")}</option>
                        {agents.into_iter().map(|a| view! { <option value=a.id.to_string()>{a.name}</option> }).collect_view()}
                        <option value="">{i.t("console.nobody")}</option>
                    </select>
                    <button type="submit" class="button">{i.t("console.assign")}</button>
                </ActionForm>
            </section>
        })}
        {can_reply.then(|| view! {
            <section class="panel" aria-labelledby="reply-title">
                <h2 id="reply-title">{i.t("console.reply")}</h2>
                <ActionForm action=reply attr:class="stack">
                    <input type="hidden" name="number" value=reply_number/>
                    <div class="field">
                        <label for="reply-body">{i.t("console.message")}</label>
                        <textarea id="reply-body" name="body" rows="6" maxlength=domain::ticket::COMMENT_MAX_CHARS.to_string()></textarea>
                    </div>
                    <fieldset>
                        <legend>{i.t("console.visibility")}</legend>
                        <div class="radio">
                            <input type="radio" id="vis-public" name="visibility" value="public" checked/>
                            <label for="vis-public">{i.t("console.public")}</label>
                        </div>
                        <div class="radio">
                            <input type="radio" id="vis-internal" name="visibility" value="internal"/>
                            <label for="vis-internal">{i.t("console.internal")}</label>
                        </div>
                    </fieldset>
                    <div class="field">
                        <label for="reply-status">{i.t("console.set_status")}</label>
                        <select id="reply-status" name="status">
                            <option value="">{i.t("console.keep_status")}</option>
                            {statuses.into_iter().map(|s| view! { <option value=s.as_str()>{i.t(s.label_key())}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button primary">{i.t("console.send")}</button>
                </ActionForm>
            </section>
        })}
    }
}
