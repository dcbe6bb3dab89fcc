//! Who hears about what: turns a ticket event into letters for the right people,
//! in each one's language, and writes them to the outbox in the caller's
//! transaction.

use super::compose::{AboutTicket, Letter, MailKind, compose};
use super::outbox;
use crate::db::entities::{ticket, ticket_watcher, user};
use chrono::{DateTime, Utc};
use domain::Locale;
use domain::ticket::number_of;
use sea_orm::prelude::*;
use sea_orm::{ConnectionTrait, QueryOrder};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Notifier {
    /// `GUICHET_BASE_URL`, for the links.
    pub base_url: String,
    /// `GUICHET_TEAM_EMAIL`: told when an unassigned ticket is reopened.
    pub team: String,
    /// The domain of the Message-IDs (the no-reply address's).
    pub domain: String,
    /// `GUICHET_RESOLVED_GRACE`, for the date in the "resolved" message.
    pub grace: Duration,
    /// Wakes this process's delivery worker once a transaction with mail commits.
    pub wake: Arc<Notify>,
}

struct Recipient {
    email: String,
    locale: Locale,
}

impl Notifier {
    pub fn new(base_url: &str, team: &str, domain: &str, grace: Duration) -> Self {
        Notifier {
            base_url: base_url.trim_end_matches('/').to_owned(),
            team: team.to_owned(),
            domain: domain.to_owned(),
            grace,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Call after the transaction that wrote mail has committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Mail about a ticket event. The audience follows from the kind: the requester
    /// and watchers, except a reopening (the assigned agent, or the team) and a new
    /// watcher (that watcher, see [`Notifier::watcher_added`]).
    pub async fn ticket(
        &self,
        conn: &impl ConnectionTrait,
        t: &ticket::Model,
        kind: MailKind,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let people = match &kind {
            MailKind::Reopened { .. } => vec![self.agent_or_team(conn, t).await?],
            _ => requester_and_watchers(conn, t).await?,
        };
        self.write(conn, t, &kind, people, now).await
    }

    /// Mail to one new watcher.
    pub async fn watcher_added(
        &self,
        conn: &impl ConnectionTrait,
        t: &ticket::Model,
        email: &str,
        who: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let requester_locale = locale_of(user::Entity::find_by_id(t.requester_id).one(conn).await?.as_ref());
        let locale = match user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(conn)
            .await?
        {
            Some(u) => locale_of(Some(&u)),
            None => requester_locale,
        };
        let kind = MailKind::WatcherAdded { who: who.to_owned() };
        let people = vec![Recipient {
            email: email.to_owned(),
            locale,
        }];
        self.write(conn, t, &kind, people, now).await
    }

    /// The password-reset message with its one-time link.
    pub async fn password_reset(
        &self,
        conn: &impl ConnectionTrait,
        u: &user::Model,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let link = format!("{}/password/reset?token={token}", self.base_url);
        let letter = compose(
            &MailKind::PasswordReset { link },
            None,
            &u.email,
            locale_of(Some(u)),
            &self.base_url,
        );
        outbox::enqueue(conn, vec![letter], &self.domain, now).await
    }

    async fn write(
        &self,
        conn: &impl ConnectionTrait,
        t: &ticket::Model,
        kind: &MailKind,
        people: Vec<Recipient>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let about = AboutTicket {
            id: t.id,
            number: number_of(t.id),
            subject: t.subject.clone(),
        };
        let letters: Vec<Letter> = people
            .into_iter()
            .map(|r| compose(kind, Some(&about), &r.email, r.locale, &self.base_url))
            .collect();
        outbox::enqueue(conn, letters, &self.domain, now).await
    }

    async fn agent_or_team(&self, conn: &impl ConnectionTrait, t: &ticket::Model) -> Result<Recipient, DbErr> {
        let agent = match t.assignee_id {
            Some(id) => user::Entity::find_by_id(id).one(conn).await?,
            None => None,
        };
        Ok(match agent {
            Some(a) => Recipient {
                locale: locale_of(Some(&a)),
                email: a.email,
            },
            None => Recipient {
                email: self.team.clone(),
                locale: Locale::default(),
            },
        })
    }
}

fn locale_of(u: Option<&user::Model>) -> Locale {
    u.and_then(|u| Locale::parse(&u.locale)).unwrap_or_default()
}

/// The requester, then every watcher; a watcher without an account reads the
/// requester's language. Each address once.
async fn requester_and_watchers(conn: &impl ConnectionTrait, t: &ticket::Model) -> Result<Vec<Recipient>, DbErr> {
    let requester = user::Entity::find_by_id(t.requester_id).one(conn).await?;
    let requester_locale = locale_of(requester.as_ref());
    let watchers = ticket_watcher::Entity::find()
        .filter(ticket_watcher::Column::TicketId.eq(t.id))
        .order_by_asc(ticket_watcher::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = watchers.iter().filter_map(|w| w.user_id).collect();
    let users: std::collections::HashMap<i64, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut people = Vec::new();
    if let Some(r) = requester {
        people.push(Recipient {
            email: r.email,
            locale: requester_locale,
        });
    }
    for w in watchers {
        let locale = w
            .user_id
            .and_then(|id| users.get(&id))
            .map(|u| locale_of(Some(u)))
            .unwrap_or(requester_locale);
        people.push(Recipient { email: w.email, locale });
    }
    let mut seen = std::collections::HashSet::new();
    people.retain(|p| seen.insert(p.email.to_lowercase()));
    Ok(people)
}
