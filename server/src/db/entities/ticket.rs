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
    pub status: String,
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
