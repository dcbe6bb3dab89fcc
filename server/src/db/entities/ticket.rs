use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub requester_id: i64,
    pub family: String,
    pub product: Option<String>,
    pub subject: String,
    pub status: Status,
    #[sea_orm(unique)]
    pub idempotency_key: Option<String>,
    pub follow_up_of: Option<i64>,
    pub assignee_id: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The status column, typed: a row holding anything else fails to load (an error
/// naming the value) instead of passing for a new ticket. The rules live in
/// `domain::TicketStatus`; this is its stored form, converted both ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Status {
    #[sea_orm(string_value = "new")]
    New,
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "resolved")]
    Resolved,
    #[sea_orm(string_value = "closed")]
    Closed,
}

impl From<Status> for domain::TicketStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::New => Self::New,
            Status::Open => Self::Open,
            Status::Pending => Self::Pending,
            Status::Resolved => Self::Resolved,
            Status::Closed => Self::Closed,
        }
    }
}

impl From<domain::TicketStatus> for Status {
    fn from(s: domain::TicketStatus) -> Self {
        use domain::TicketStatus as T;
        match s {
            T::New => Self::New,
            T::Open => Self::Open,
            T::Pending => Self::Pending,
            T::Resolved => Self::Resolved,
            T::Closed => Self::Closed,
        }
    }
}

impl Model {
    pub fn status(&self) -> domain::TicketStatus {
        self.status.into()
    }

    /// The product family, or an error naming the row: a family this version does
    /// not know is a bad row, never silently another family.
    pub fn family(&self) -> Result<domain::ProductFamily, BadRow> {
        domain::ProductFamily::parse(&self.family).ok_or_else(|| BadRow {
            table: "tickets",
            id: self.id,
            problem: format!("unknown family {:?}", self.family),
        })
    }
}

/// A stored row this version cannot read. Logged with its table and id.
#[derive(Debug, thiserror::Error)]
#[error("{table} row {id}: {problem}")]
pub struct BadRow {
    pub table: &'static str,
    pub id: i64,
    pub problem: String,
}
