use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub actor_id: Option<i64>,
    pub kind: Kind,
    /// What the event carries besides its kind, as JSON (`history::payload`).
    pub data: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The kind column, typed (`domain::EventKind` is its meaning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "created")]
    Created,
    #[sea_orm(string_value = "comment")]
    Comment,
    #[sea_orm(string_value = "reply")]
    Reply,
    #[sea_orm(string_value = "note")]
    Note,
    #[sea_orm(string_value = "status")]
    Status,
    #[sea_orm(string_value = "assigned")]
    Assigned,
    #[sea_orm(string_value = "unassigned")]
    Unassigned,
    #[sea_orm(string_value = "watcher_added")]
    WatcherAdded,
    #[sea_orm(string_value = "watcher_removed")]
    WatcherRemoved,
    #[sea_orm(string_value = "attachment")]
    Attachment,
}

impl From<Kind> for domain::EventKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Created => Self::Created,
            Kind::Comment => Self::Comment,
            Kind::Reply => Self::Reply,
            Kind::Note => Self::Note,
            Kind::Status => Self::Status,
            Kind::Assigned => Self::Assigned,
            Kind::Unassigned => Self::Unassigned,
            Kind::WatcherAdded => Self::WatcherAdded,
            Kind::WatcherRemoved => Self::WatcherRemoved,
            Kind::Attachment => Self::Attachment,
        }
    }
}

impl From<domain::EventKind> for Kind {
    fn from(k: domain::EventKind) -> Self {
        use domain::EventKind as E;
        match k {
            E::Created => Self::Created,
            E::Comment => Self::Comment,
            E::Reply => Self::Reply,
            E::Note => Self::Note,
            E::Status => Self::Status,
            E::Assigned => Self::Assigned,
            E::Unassigned => Self::Unassigned,
            E::WatcherAdded => Self::WatcherAdded,
            E::WatcherRemoved => Self::WatcherRemoved,
            E::Attachment => Self::Attachment,
        }
    }
}
