//! Guichet's server: configuration, database, services and HTTP, as a library so
//! that integration tests build the very router the binary serves.

pub mod config;
pub mod db;
pub mod forms;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod search;
pub mod services;
pub mod storage;

use config::Config;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use services::accounts::AccountsService;
use services::help::HelpService;
use services::tickets::TicketsService;
use std::sync::Arc;

/// Everything a request handler may need. axum clones the state into the service of
/// every route and middleware a request passes through (dozens of times a request),
/// so it is one shared pointer; the fields are `Shared`'s, read through it.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub accounts: Arc<AccountsService>,
    pub tickets: Arc<TicketsService>,
    pub help: Arc<HelpService>,
    /// Writes e-mails into the outbox.
    pub notifier: mail::Notifier,
    /// The outbox's delivery settings (its loop is one of the `jobs::Workers`).
    pub mail: mail::worker::Worker,
    pub mailbox: Arc<services::mailbox::MailboxService>,
    pub leptos: LeptosOptions,
    pub assets: Option<app::AssetManifest>,
}

impl AppState {
    pub fn tickets_forms(&self) -> Arc<domain::forms::FormSet> {
        use domain::ports::Tickets;
        self.tickets.forms()
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// For the handlers that need only the help center (the suggestions): a pointer's
/// copy, not the whole state's.
impl axum::extract::FromRef<AppState> for Arc<services::help::HelpService> {
    fn from_ref(state: &AppState) -> Self {
        state.help.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(sea_orm::DbErr),
    #[error("cannot migrate the database: {0}")]
    Migrate(sea_orm::DbErr),
    #[error("cannot load the demo data: {0}")]
    Demo(sea_orm::DbErr),
    #[error(transparent)]
    Forms(#[from] forms::FormsError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("cannot import the demo articles: {0}")]
    Import(sea_orm::DbErr),
    #[error(transparent)]
    Mail(#[from] mail::worker::TransportError),
    #[error("cannot build the search index: {0}")]
    Help(#[from] services::help::HelpServiceError),
}

/// The data folder and the database, migrated: all that the command line's
/// one-off commands need (no workers, no index).
pub async fn open_database(config: &Config) -> Result<DatabaseConnection, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let db = db::connect(&config.database_url).await.map_err(StartError::Database)?;
    db::migrations::Migrator::up(&db, None)
        .await
        .map_err(StartError::Migrate)?;
    Ok(db)
}

/// Loads the demo users, accounts and articles when `GUICHET_DEMO` is on (each only
/// once). Part of `serve`'s start-up, before the state is built.
pub async fn load_demo(config: &Config, db: &DatabaseConnection) -> Result<(), StartError> {
    if !config.demo {
        return Ok(());
    }
    let added = services::demo::load(db).await.map_err(StartError::Demo)?;
    if added > 0 {
        tracing::info!(users = added, "demo data loaded");
    }
    if config.content_dir.is_dir() {
        let report = services::help::import::import_dir(db, &config.content_dir)
            .await
            .map_err(StartError::Import)?;
        for e in &report.errors {
            tracing::warn!(error = %e, "demo article not imported");
        }
        if !report.added.is_empty() || !report.updated.is_empty() {
            tracing::info!(
                added = report.added.len(),
                updated = report.updated.len(),
                "demo articles imported"
            );
        }
    } else {
        tracing::warn!(dir = %config.content_dir.display(), "no demo articles found (GUICHET_CONTENT_DIR)");
    }
    Ok(())
}

/// An error and its causes on one line, for the log: "outer: inner: root".
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        line.push_str(": ");
        line.push_str(&s.to_string());
        source = s.source();
    }
    line
}

impl AppState {
    /// Wires the services over an open, migrated database. Reads (the forms, the
    /// search index, the browser bundle's manifest) but starts nothing: the
    /// background workers are `jobs::Workers::start`'s, which only `serve` calls.
    pub async fn build(config: Config, db: DatabaseConnection) -> Result<Self, StartError> {
        let notifier = mail::Notifier::new(
            &config.base_url,
            &config.team_email,
            config.mail_from.email.domain(),
            config.resolved_grace,
        );
        let transport = mail::worker::Transport::new(
            config.smtp_url.as_deref(),
            config.smtp_ca_file.as_deref(),
            config.data_dir.join("mailbox"),
            config.mail_lease / 2,
        )?;
        let mail_worker = mail::worker::Worker {
            db: db.clone(),
            transport,
            from: config.mail_from.clone(),
            // Twice the SMTP timeout: a live worker never loses its lease.
            lease: config.mail_lease,
            retry_base: std::time::Duration::from_secs(2),
            concurrency: 8,
        };
        let help = Arc::new(HelpService::new(db.clone()).await?);
        let leptos = LeptosOptions::builder()
            .output_name("guichet")
            .site_root(config.site_dir.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(config.addr)
            .build();
        let assets = http::assets::manifest(&config.site_dir);
        if assets.is_none() {
            tracing::warn!(site = %config.site_dir.display(), "no browser bundle found: pages will not hydrate (run `cargo xtask bundle`)");
        }
        let forms = Arc::new(forms::load(config.forms_path.as_deref())?);
        let attachments = storage::Storage::local(&config.data_dir)?;
        let tickets = Arc::new(TicketsService::new(
            db.clone(),
            forms,
            attachments,
            services::tickets::TicketLimits {
                max_upload: config.max_upload_bytes,
                max_watchers: config.max_watchers,
                max_outside_watchers_per_hour: config.max_outside_watchers_per_hour,
            },
            notifier.clone(),
        ));
        let accounts = Arc::new(AccountsService::new(
            db.clone(),
            services::accounts::AccountsLimits {
                max_failures_per_email: config.signin_max_failures_per_email,
                max_failures_per_ip: config.signin_max_failures_per_ip,
                session_idle: config.session_idle,
            },
            services::password::Passwords::default(),
            notifier.clone(),
        ));
        let mailbox = Arc::new(services::mailbox::MailboxService {
            db: db.clone(),
            transport: mail_worker.transport.describe(),
            show_reset_links: config.demo && config.smtp_url.is_none(),
        });
        Ok(AppState(Arc::new(Shared {
            config: Arc::new(config),
            db,
            accounts,
            tickets,
            help,
            notifier,
            mailbox,
            mail: mail_worker,
            leptos,
            assets,
        })))
    }
}
