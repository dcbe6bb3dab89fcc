//! A ticket's history: each event is written as its kind and a JSON payload (the
//! event's fields without the kind), and read back as a `domain::TicketEvent`. A row
//! that does not read back is an error naming its id, never a blank line.

use super::{TicketsService, storage};
use crate::db::entities::ticket::BadRow;
use crate::db::entities::ticket_event;
use chrono::Utc;
use domain::TicketEvent;
use domain::ports::TicketsError;
use domain::wire::tickets::TimelineEntry;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};

/// The stored form of an event: its kind, and its other fields as a JSON object
/// (none when it has no other field).
pub fn payload(event: &TicketEvent) -> (ticket_event::Kind, Option<String>) {
    let mut fields = match serde_json::to_value(event) {
        Ok(serde_json::Value::Object(fields)) => fields,
        // An internally tagged enum always serialises to an object.
        _ => serde_json::Map::new(),
    };
    fields.remove("kind");
    let data = (!fields.is_empty()).then(|| serde_json::Value::Object(fields).to_string());
    (event.kind().into(), data)
}

/// The event a row holds.
pub fn read(row: &ticket_event::Model) -> Result<TicketEvent, BadRow> {
    let bad = |problem: String| BadRow {
        table: "ticket_events",
        id: row.id,
        problem,
    };
    let mut fields = match row.data.as_deref() {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(fields)) => fields,
            Ok(_) => return Err(bad("data is not a JSON object".into())),
            Err(e) => return Err(bad(format!("data: {e}"))),
        },
    };
    let kind = domain::EventKind::from(row.kind);
    fields.insert("kind".into(), kind.as_str().into());
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| bad(format!("{} payload: {e}", kind.as_str())))
}

/// One line of a ticket's history, written in the caller's transaction.
pub async fn record(
    txn: &impl ConnectionTrait,
    ticket_id: i64,
    actor_id: Option<i64>,
    event: &TicketEvent,
    at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    let (kind, data) = payload(event);
    ticket_event::ActiveModel {
        ticket_id: Set(ticket_id),
        actor_id: Set(actor_id),
        kind: Set(kind),
        data: Set(data),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

impl TicketsService {
    /// The ticket's events, oldest first, with who did them; internal notes only
    /// for agents. Comments are rendered from light Markdown and sanitised here.
    pub(super) async fn timeline(&self, ticket_id: i64, staff: bool) -> Result<Vec<TimelineEntry>, TicketsError> {
        let rows = ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(ticket_id))
            .order_by_asc(ticket_event::Column::Id)
            .all(&self.db)
            .await
            .map_err(storage)?;
        let ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
        let names = self.user_names(ids).await?;
        let mut timeline = Vec::with_capacity(rows.len());
        for row in rows {
            let event = read(&row).map_err(TicketsError::storage)?;
            let kind = event.kind();
            if !staff && !kind.is_public() {
                continue;
            }
            timeline.push(TimelineEntry {
                kind,
                who: row
                    .actor_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_else(|| "Guichet".into()),
                at: row.created_at.to_rfc3339(),
                body_html: event.body().map(|b| crate::markdown::render(b).html),
                status_change: event.status_change(),
                target: event.target(),
            });
        }
        Ok(timeline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::TicketStatus;

    fn row(kind: ticket_event::Kind, data: Option<&str>) -> ticket_event::Model {
        ticket_event::Model {
            id: 7,
            ticket_id: 1,
            actor_id: None,
            kind,
            data: data.map(str::to_owned),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn events_are_stored_as_before_and_read_back() {
        let cases = [
            (TicketEvent::Created, None),
            (
                TicketEvent::Reply { body: "Bonjour".into() },
                Some(r#"{"body":"Bonjour"}"#),
            ),
            (
                TicketEvent::Status {
                    from: TicketStatus::Resolved,
                    to: TicketStatus::Closed,
                    auto: true,
                },
                Some(r#"{"auto":true,"from":"resolved","to":"closed"}"#),
            ),
            (TicketEvent::Unassigned, None),
            (
                TicketEvent::Attachment {
                    files: vec!["a.pdf".into()],
                },
                Some(r#"{"files":["a.pdf"]}"#),
            ),
        ];
        for (event, stored) in cases {
            let (kind, data) = payload(&event);
            let parsed = |d: Option<&str>| d.map(|d| serde_json::from_str::<serde_json::Value>(d).expect("JSON"));
            assert_eq!(parsed(data.as_deref()), parsed(stored), "{event:?}");
            assert_eq!(read(&row(kind, data.as_deref())).expect("reads back"), event);
        }
    }

    #[test]
    fn a_bad_row_is_an_error_naming_it() {
        let missing = read(&row(ticket_event::Kind::Reply, None)).expect_err("a reply without a body");
        assert_eq!(missing.id, 7);
        assert!(missing.to_string().contains("ticket_events row 7"), "{missing}");
        assert!(read(&row(ticket_event::Kind::Status, Some("not json"))).is_err());
        assert!(read(&row(ticket_event::Kind::Comment, Some("[1]"))).is_err());
    }
}
