//! The agents' side: the console's list of every ticket, the agents, assignment.

use super::{TicketsService, bad_row, history, storage};
use crate::db::entities::{account, ticket, user};
use chrono::Utc;
use domain::lifecycle::{self, Action, Actor};
use domain::ports::TicketsError;
use domain::ticket::number_of;
use domain::wire::accounts::Viewer;
use domain::wire::console::{Agent, CONSOLE_LIMIT, ConsoleFilter, ConsoleRow, ConsoleView};
use domain::{Role, TicketEvent, TicketStatus};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect, TransactionTrait};
use std::collections::HashMap;

impl TicketsService {
    /// Agents and admins, by name.
    pub(super) async fn agents(&self) -> Result<Vec<Agent>, DbErr> {
        Ok(user::Entity::find()
            .filter(user::Column::Role.is_in([Role::Agent.as_str(), Role::Admin.as_str()]))
            .order_by_asc(user::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| Agent { id: u.id, name: u.name })
            .collect())
    }

    pub(super) async fn console_of(&self, viewer: &Viewer, filter: ConsoleFilter) -> Result<ConsoleView, TicketsError> {
        let mut query = ticket::Entity::find();
        if let Some(s) = filter.status {
            query = query.filter(ticket::Column::Status.eq(ticket::Status::from(s)));
        }
        if let Some(f) = filter.family {
            query = query.filter(ticket::Column::Family.eq(f.as_str()));
        }
        if let Some(p) = &filter.product {
            query = query.filter(ticket::Column::Product.eq(p.as_str()));
        }
        if filter.mine {
            query = query.filter(ticket::Column::AssigneeId.eq(viewer.user_id));
        }
        if filter.unassigned {
            query = query.filter(ticket::Column::AssigneeId.is_null());
        }
        let rows = query
            .order_by_desc(ticket::Column::UpdatedAt)
            .order_by_desc(ticket::Column::Id)
            .limit(CONSOLE_LIMIT)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let people: Vec<i64> = rows
            .iter()
            .flat_map(|t| [Some(t.requester_id), t.assignee_id])
            .flatten()
            .collect();
        let names = self.user_names(people).await?;
        let accounts: HashMap<i64, String> = account::Entity::find()
            .filter(account::Column::Id.is_in(rows.iter().map(|t| t.account_id).collect::<Vec<_>>()))
            .all(&self.db)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let rows = rows
            .into_iter()
            .map(|t| {
                Ok(ConsoleRow {
                    number: number_of(t.id),
                    product: self.product_label(&t.family, t.product.as_deref()),
                    family: t.family().map_err(bad_row)?,
                    status: t.status(),
                    requester: names.get(&t.requester_id).cloned().unwrap_or_default(),
                    account: accounts.get(&t.account_id).cloned().unwrap_or_default(),
                    assignee: t.assignee_id.and_then(|id| names.get(&id).cloned()),
                    updated_at: t.updated_at.to_rfc3339(),
                    subject: t.subject,
                })
            })
            .collect::<Result<_, TicketsError>>()?;
        Ok(ConsoleView {
            rows,
            agents: self.agents().await.map_err(storage)?,
        })
    }

    pub(super) async fn assign_to(
        &self,
        viewer: &Viewer,
        number: &str,
        assignee: Option<i64>,
    ) -> Result<(), TicketsError> {
        let to = match assignee {
            None => None,
            Some(id) => Some(
                self.agents()
                    .await
                    .map_err(storage)?
                    .into_iter()
                    .find(|a| a.id == id)
                    .ok_or(TicketsError::NotFound)?,
            ),
        };
        let t = self.ticket_for(viewer, number).await?;
        lifecycle::apply(t.status(), Actor::Agent, Action::Assign)?;
        let now = Utc::now();
        let txn = self.db.begin().await.map_err(storage)?;
        ticket::Entity::update_many()
            .col_expr(ticket::Column::AssigneeId, Expr::value(to.as_ref().map(|a| a.id)))
            .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
            .filter(ticket::Column::Id.eq(t.id))
            .filter(ticket::Column::Status.ne(ticket::Status::from(TicketStatus::Closed)))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let event = match to {
            Some(a) => TicketEvent::Assigned { to: a.name },
            None => TicketEvent::Unassigned,
        };
        history::record(&txn, t.id, Some(viewer.user_id), &event, now)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }
}
