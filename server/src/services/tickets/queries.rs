//! What the pages read: the customer's queue and the ticket page.

use super::{PAGE_SIZE, TicketsService, bad_row, storage};
use crate::db::entities::{account, attachment, ticket, ticket_field, ticket_watcher, user};
use app::i18n::Translate;
use domain::Locale;
use domain::forms::{FieldKind, Localized};
use domain::lifecycle;
use domain::ports::TicketsError;
use domain::ticket::{id_of, number_of};
use domain::wire::accounts::Viewer;
use domain::wire::tickets::{AttachmentInfo, QueueFilter, QueueView, ShownField, TicketDetail, TicketSummary};
use domain::{ProductFamily, TicketStatus};
use sea_orm::prelude::*;
use sea_orm::sea_query::{ExprTrait, Func, LikeExpr, Query};
use sea_orm::{Condition, QueryOrder, QuerySelect};
use std::collections::HashMap;

impl TicketsService {
    pub(super) async fn queue_of(&self, viewer: &Viewer, filter: QueueFilter) -> Result<QueueView, TicketsError> {
        let accounts: Vec<i64> = if filter.all_accounts {
            viewer.accounts.iter().map(|a| a.id).collect()
        } else {
            viewer.active_account_id.into_iter().collect()
        };
        let watched = Query::select()
            .column(ticket_watcher::Column::TicketId)
            .from(ticket_watcher::Entity)
            .and_where(ticket_watcher::Column::UserId.eq(viewer.user_id))
            .to_owned();
        let mut query = ticket::Entity::find()
            .filter(ticket::Column::AccountId.is_in(accounts))
            .filter(
                Condition::any()
                    .add(ticket::Column::RequesterId.eq(viewer.user_id))
                    .add(ticket::Column::Id.in_subquery(watched)),
            );
        if let Some(status) = filter.status {
            query = query.filter(ticket::Column::Status.eq(ticket::Status::from(status)));
        }
        let q = filter.q.trim();
        if let Some(id) = id_of(q) {
            query = query.filter(ticket::Column::Id.eq(id));
        } else {
            for word in q.split_whitespace().take(8) {
                let lower = Expr::expr(Func::lower(Expr::col(ticket::Column::Subject)));
                query = query.filter(lower.like(like_contains(&word.to_lowercase())));
            }
        }
        if let Some(before) = filter.before {
            query = query.filter(ticket::Column::Id.lt(before));
        }
        let mut rows = query
            .order_by_desc(ticket::Column::Id)
            .limit(PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let next_before = (rows.len() as u64 > PAGE_SIZE).then(|| {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(|t| t.id)
        });
        let names: HashMap<i64, &str> = viewer.accounts.iter().map(|a| (a.id, a.name.as_str())).collect();
        let items = rows
            .into_iter()
            .map(|t| {
                Ok(TicketSummary {
                    number: number_of(t.id),
                    product: self.product_label(&t.family, t.product.as_deref()),
                    family: t.family().map_err(bad_row)?,
                    status: t.status(),
                    account_name: names.get(&t.account_id).copied().unwrap_or_default().to_owned(),
                    updated_at: t.updated_at.to_rfc3339(),
                    watching: t.requester_id != viewer.user_id,
                    subject: t.subject,
                })
            })
            .collect::<Result<_, TicketsError>>()?;
        Ok(QueueView {
            items,
            next_before: next_before.flatten(),
        })
    }

    pub(super) async fn page_of(&self, viewer: &Viewer, number: &str) -> Result<TicketDetail, TicketsError> {
        let t = self.ticket_for(viewer, number).await?;
        let stored: HashMap<String, String> = ticket_field::Entity::find()
            .filter(ticket_field::Column::TicketId.eq(t.id))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect();
        let family = t.family().map_err(bad_row)?;
        // Fields in the order of the form; a field since removed from the
        // configuration is still shown, under its name.
        let mut fields = Vec::new();
        let defs = self.forms.form(family).map(|f| f.fields.clone()).unwrap_or_default();
        for def in &defs {
            if let Some(value) = stored.get(&def.name) {
                let display = match &def.kind {
                    FieldKind::Select { options } | FieldKind::CountRange { options } => {
                        options.iter().find(|o| &o.value == value).map(|o| o.label.clone())
                    }
                    FieldKind::YesNoNotSure => yes_no_label(value),
                    _ => None,
                };
                fields.push(ShownField {
                    name: def.name.clone(),
                    label: def.label.clone(),
                    value: value.clone(),
                    display,
                });
            }
        }
        let mut extra: Vec<_> = stored
            .iter()
            .filter(|(k, _)| !defs.iter().any(|d| &d.name == *k))
            .collect();
        extra.sort();
        for (name, value) in extra {
            let label = Localized {
                fr: name.clone(),
                en: name.clone(),
            };
            fields.push(ShownField {
                name: name.clone(),
                label,
                value: value.clone(),
                display: None,
            });
        }
        let attachments = attachment::Entity::find()
            .filter(attachment::Column::TicketId.eq(t.id))
            .order_by_asc(attachment::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|a| AttachmentInfo {
                id: a.id,
                file_name: a.file_name,
                size: a.size,
                content_type: a.content_type,
            })
            .collect();
        let requester_name = user::Entity::find_by_id(t.requester_id)
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(|u| u.name)
            .unwrap_or_default();
        let account_name = account::Entity::find_by_id(t.account_id)
            .one(&self.db)
            .await
            .map_err(storage)?
            .map(|a| a.name)
            .unwrap_or_default();
        let status = t.status();
        let actor = self.actor_of(viewer, &t);
        let timeline = self.timeline(t.id, viewer.role.is_staff()).await?;
        let auto_close_at = (status == TicketStatus::Resolved)
            .then_some(t.resolved_at)
            .flatten()
            .and_then(|at| {
                chrono::Duration::from_std(self.notifier.grace)
                    .ok()
                    .map(|g| (at + g).to_rfc3339())
            });
        let (assignee, agents) = if viewer.role.is_staff() {
            let agents = self.agents().await.map_err(storage)?;
            let assignee = t
                .assignee_id
                .and_then(|id| agents.iter().find(|a| a.id == id).map(|a| a.name.clone()));
            (assignee, agents)
        } else {
            (None, Vec::new())
        };
        let watchers = ticket_watcher::Entity::find()
            .filter(ticket_watcher::Column::TicketId.eq(t.id))
            .order_by_asc(ticket_watcher::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|w| w.email)
            .collect();
        Ok(TicketDetail {
            follow_up_of: t.follow_up_of.map(number_of),
            watchers,
            assignee,
            agents,
            auto_close_at,
            max_upload_bytes: self.limits.max_upload,
            timeline,
            offered: lifecycle::offered(status, actor),
            number: number_of(t.id),
            product: self.product_label(&t.family, t.product.as_deref()),
            family,
            status,
            fields,
            attachments,
            requester_name,
            account_name,
            created_at: t.created_at.to_rfc3339(),
            updated_at: t.updated_at.to_rfc3339(),
            subject: t.subject,
        })
    }

    pub(super) fn product_label(&self, family: &str, product: Option<&str>) -> Option<Localized> {
        let product = product?;
        let form = self.forms.form(ProductFamily::parse(family)?)?;
        match &form.field("product")?.kind {
            FieldKind::Select { options } => options.iter().find(|o| o.value == product).map(|o| o.label.clone()),
            _ => None,
        }
    }
}

/// Escapes LIKE's wildcards so that a search for "100%" means those characters.
fn like_contains(word: &str) -> LikeExpr {
    let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

fn yes_no_label(value: &str) -> Option<Localized> {
    ["yes", "no", "not_sure"].contains(&value).then(|| Localized {
        fr: Locale::Fr.t(&format!("answer.{value}")).to_owned(),
        en: Locale::En.t(&format!("answer.{value}")).to_owned(),
    })
}
