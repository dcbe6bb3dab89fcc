//! The header's right-hand side: "Sign in", or the avatar with the account menu
//! (MANAGE MY TICKETS, Switch account, Sign out). Built on <details> so that it opens
//! with the keyboard and without JavaScript.

use super::api::use_session;
use crate::i18n::{Translate, use_locale};
use domain::wire::accounts::Viewer;
use leptos::prelude::*;

#[component]
pub fn AccountArea() -> impl IntoView {
    let i = use_locale();
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.viewer.await {
                    Ok(Some(viewer)) => view! { <AccountMenu viewer/> }.into_any(),
                    _ => view! { <a class="signin-link" href="/signin">{i.t("nav.signin")}</a> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountMenu(viewer: Viewer) -> impl IntoView {
    let i = use_locale();
    let session = use_session();
    let active = viewer.active_account().cloned();
    let active_id = viewer.active_account_id;
    let accounts = viewer.accounts.clone();
    view! {
        <details class="account-menu">
            <summary>
                <span class="avatar" aria-hidden="true">{viewer.initials()}</span>
                <span class="who">
                    <span class="user-name">{viewer.name.clone()}</span>
                    <span class="active-account" data-testid="active-account">
                        {active.map(|a| a.name).unwrap_or_default()}
                    </span>
                </span>
                <span class="visually-hidden">{format!(" ({})", i.t("menu.label"))}</span>
            </summary>
            <div class="menu-panel">
                <a class="menu-item" href="/tickets">{i.t("nav.manage_tickets")}</a>
                {viewer.role.is_staff().then(|| view! {
                    <a class="menu-item" href="/console">{i.t("console.title")}</a>
                })}
                {(viewer.role == domain::Role::Admin).then(|| view! {
                    <a class="menu-item" href="/admin/deflection">{i.t("stats.title")}</a>
                    <a class="menu-item" href="/admin/mail">{i.t("mailbox.title")}</a>
                })}
                {(accounts.len() > 1).then(|| view! {
                    <details class="switch-account">
                        <summary>{i.t("menu.switch_account")}</summary>
                        <ul class="account-list">
                            {accounts.into_iter().map(|a| {
                                let is_active = Some(a.id) == active_id;
                                view! {
                                    <li>
                                        <ActionForm action=session.switch_account>
                                            <input type="hidden" name="account_id" value=a.id/>
                                            <button
                                                type="submit"
                                                class="menu-item"
                                                aria-current=is_active.then_some("true")
                                            >
                                                {a.name}
                                                {is_active.then(|| view! {
                                                    <span class="current-mark">{format!(" ({})", i.t("menu.current"))}</span>
                                                })}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </details>
                })}
                <ActionForm action=session.sign_out>
                    <button type="submit" class="menu-item">{i.t("menu.sign_out")}</button>
                </ActionForm>
                <ActionForm action=session.sign_out_everywhere>
                    <button type="submit" class="menu-item">{i.t("menu.sign_out_everywhere")}</button>
                </ActionForm>
            </div>
        </details>
    }
}
