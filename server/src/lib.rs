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
    /// The outbox's delivery settings (its loop runs in the background).
    pub mail: mail::worker::Worker,
    /// The delivery loop of this process, so that tests can stop it as a crash would.
    pub mail_task: Arc<tokio::task::JoinHandle<()>>,
    pub mailbox: Arc<services::mailbox::MailboxService>,
    pub leptos: LeptosOptions,
    pub assets: Option<app::AssetManifest>,
}

impl AppState {
    pub fn tickets_forms(&self) -> Arc<app::domain::forms::FormSet> {
        use app::ports::Tickets;
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

impl AppState {
    /// Opens the database, migrates it, loads the demo data when configured, and
    /// wires the services.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = open_database(&config).await?;
        if config.demo {
            let added = services::demo::load(&db).await.map_err(StartError::Demo)?;
            if added > 0 {
                tracing::info!(users = added, "demo data loaded");
            }
            if config.content_dir.is_dir() {
                let report = services::help::import::import_dir(&db, &config.content_dir)
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
        }
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
        let mail_task = mail_worker.clone().spawn(config.mail_poll, notifier.wake.clone());
        jobs::sweeper::spawn(
            db.clone(),
            config.resolved_grace,
            config.sweep_interval,
            notifier.clone(),
        );
        let help = Arc::new(HelpService::new(db.clone()).await?);
        help.spawn_poller(config.index_poll);
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
            mail_task: Arc::new(mail_task),
            leptos,
            assets,
        })))
    }
}
