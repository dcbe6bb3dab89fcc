//! Configuration: one typed struct, read once from the environment at start-up.
//! Every variable is documented in `.env.example`. The defaults are safe for a real
//! installation (no demo data unless `GUICHET_DEMO=true`, which `make run` sets).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {value:?} is not valid ({expected})")]
    Invalid {
        var: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// `Debug` is written by hand below: the database and SMTP URLs may hold passwords.
#[derive(Clone)]
pub struct Config {
    /// `GUICHET_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// `GUICHET_DATA_DIR`: SQLite file, attachments, mailbox.
    pub data_dir: PathBuf,
    /// `GUICHET_BASE_URL`: the public URL, used in e-mail links.
    pub base_url: String,
    /// `GUICHET_SECURE_COOKIES`: add `Secure` to cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// `GUICHET_SITE_DIR`: the built browser bundle (`cargo xtask bundle`).
    pub site_dir: PathBuf,
    /// `GUICHET_DEMO`: load the demo data at start-up (idempotent); off by default.
    pub demo: bool,
    /// `GUICHET_TRUSTED_PROXIES`: addresses or CIDRs (comma-separated) of the
    /// reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `GUICHET_SESSION_IDLE`: a session unused for this long ends (`7d`).
    pub session_idle: std::time::Duration,
    /// `GUICHET_MAX_WATCHERS`: watchers per ticket (`25`).
    pub max_watchers: u32,
    /// `GUICHET_MAX_OUTSIDE_WATCHERS_PER_HOUR`: addresses without an account here
    /// that one user may add as watchers per hour (`10`).
    pub max_outside_watchers_per_hour: u32,
    /// `GUICHET_MAX_UPLOAD_BYTES`: the largest attachment accepted.
    pub max_upload_bytes: u64,
    /// `GUICHET_FORMS`: a forms file replacing the built-in `config/forms.toml`.
    pub forms_path: Option<PathBuf>,
    /// `GUICHET_SIGNIN_MAX_FAILURES`: failed sign-ins per e-mail per 15 minutes.
    pub signin_max_failures_per_email: u32,
    /// `GUICHET_SIGNIN_MAX_FAILURES_PER_IP`: failed sign-ins per address per 15 minutes.
    pub signin_max_failures_per_ip: u32,
    /// `GUICHET_CONTENT_DIR`: the demo's help-center articles, imported with the demo.
    pub content_dir: PathBuf,
    /// `GUICHET_INDEX_POLL`: how often the search index checks the database for
    /// articles changed by another process (e.g. `2s`).
    pub index_poll: std::time::Duration,
    /// `GUICHET_RESOLVED_GRACE`: how long a resolved ticket waits for the customer
    /// before it closes by itself (`5d`).
    pub resolved_grace: std::time::Duration,
    /// `GUICHET_SWEEP_INTERVAL`: how often the auto-close sweep runs (`1m`).
    pub sweep_interval: std::time::Duration,
    /// `GUICHET_SMTP_URL`: `smtps://user:pass@host:465` (implicit TLS),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtp://host:25`
    /// (plain, loopback relays only when there are credentials); unset, mail goes to
    /// the mailbox folder (`DATA_DIR/mailbox`) that admins read at `/admin/mail`.
    pub smtp_url: Option<String>,
    /// `GUICHET_SMTP_CA_FILE`: PEM certificates trusted for SMTP besides the web's
    /// roots (a private CA, a self-signed relay).
    pub smtp_ca_file: Option<PathBuf>,
    /// `GUICHET_MAIL_FROM`: the no-reply sender, e.g. `Guichet <no-reply@example.com>`.
    pub mail_from: lettre::message::Mailbox,
    /// `GUICHET_TEAM_EMAIL`: told when a ticket nobody is assigned to is reopened.
    pub team_email: String,
    /// `GUICHET_MAIL_POLL`: how often the delivery worker looks for due mail (`2s`).
    pub mail_poll: std::time::Duration,
    /// `GUICHET_MAIL_LEASE`: how long a worker holds a message it is sending before
    /// another process may take it over (`1m`); the SMTP timeout is half of it.
    pub mail_lease: std::time::Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads from any lookup, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let addr = match var("GUICHET_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(v) => v.trim().parse().map_err(|_| ConfigError::Invalid {
                var: "GUICHET_ADDR",
                value: v,
                expected: "an address and port such as 127.0.0.1:3000",
            })?,
        };
        let data_dir = PathBuf::from(var("GUICHET_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match var("DATABASE_URL") {
            None => format!("sqlite://{}?mode=rwc", data_dir.join("guichet.db").display()),
            Some(v) if v.starts_with("sqlite:") || v.starts_with("postgres://") || v.starts_with("postgresql://") => v,
            Some(v) => {
                return Err(ConfigError::Invalid {
                    var: "DATABASE_URL",
                    value: v,
                    expected: "a sqlite:// or postgres:// URL",
                });
            }
        };
        let base_url = match var("GUICHET_BASE_URL") {
            None => format!("http://{addr}"),
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => v.trim_end_matches('/').to_owned(),
            Some(v) => {
                return Err(ConfigError::Invalid {
                    var: "GUICHET_BASE_URL",
                    value: v,
                    expected: "an http:// or https:// URL",
                });
            }
        };
        // Mail addresses default to the public host's domain when it has one.
        let domain = url::Url::parse(&base_url)
            .ok()
            .and_then(|u| u.domain().map(str::to_owned))
            .filter(|d| d.contains('.'))
            .unwrap_or_else(|| "localhost".into());
        let mail_from_text = var("GUICHET_MAIL_FROM").unwrap_or_else(|| format!("Guichet <no-reply@{domain}>"));
        let mail_from = mail_from_text.trim().parse().map_err(|_| ConfigError::Invalid {
            var: "GUICHET_MAIL_FROM",
            value: mail_from_text.clone(),
            expected: "an address such as Guichet <no-reply@example.com>",
        })?;
        let team_email = var("GUICHET_TEAM_EMAIL").unwrap_or_else(|| format!("support@{domain}"));
        if team_email.trim().parse::<lettre::Address>().is_err() {
            return Err(ConfigError::Invalid {
                var: "GUICHET_TEAM_EMAIL",
                value: team_email,
                expected: "an e-mail address",
            });
        }
        let smtp_url = var("GUICHET_SMTP_URL").map(|v| v.trim().to_owned());
        if let Some(v) = &smtp_url
            && let Err(problem) = crate::mail::smtp::check_url(v)
        {
            return Err(ConfigError::Invalid {
                var: "GUICHET_SMTP_URL",
                value: redact_url(v),
                expected: problem,
            });
        }
        let trusted_proxies = match var("GUICHET_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(v) => parse_networks(&v).ok_or(ConfigError::Invalid {
                var: "GUICHET_TRUSTED_PROXIES",
                value: v.clone(),
                expected: "addresses or CIDRs separated by commas, such as 127.0.0.1, 10.0.0.0/8",
            })?,
        };
        Ok(Config {
            smtp_url,
            smtp_ca_file: var("GUICHET_SMTP_CA_FILE").map(PathBuf::from),
            mail_from,
            team_email: team_email.trim().to_owned(),
            mail_poll: duration(&var, "GUICHET_MAIL_POLL", "2s")?,
            mail_lease: duration(&var, "GUICHET_MAIL_LEASE", "1m")?,
            addr,
            database_url,
            data_dir,
            base_url,
            secure_cookies: flag(&var, "GUICHET_SECURE_COOKIES", false)?,
            site_dir: PathBuf::from(var("GUICHET_SITE_DIR").unwrap_or_else(|| "./target/site".into())),
            demo: flag(&var, "GUICHET_DEMO", false)?,
            trusted_proxies,
            session_idle: duration(&var, "GUICHET_SESSION_IDLE", "7d")?,
            max_watchers: number(&var, "GUICHET_MAX_WATCHERS", 25)?,
            max_outside_watchers_per_hour: number(&var, "GUICHET_MAX_OUTSIDE_WATCHERS_PER_HOUR", 10)?,
            max_upload_bytes: number(&var, "GUICHET_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)?.into(),
            forms_path: var("GUICHET_FORMS").map(PathBuf::from),
            signin_max_failures_per_email: number(&var, "GUICHET_SIGNIN_MAX_FAILURES", 5)?,
            signin_max_failures_per_ip: number(&var, "GUICHET_SIGNIN_MAX_FAILURES_PER_IP", 50)?,
            content_dir: PathBuf::from(var("GUICHET_CONTENT_DIR").unwrap_or_else(|| "./content/help".into())),
            index_poll: duration(&var, "GUICHET_INDEX_POLL", "2s")?,
            resolved_grace: duration(&var, "GUICHET_RESOLVED_GRACE", "5d")?,
            sweep_interval: duration(&var, "GUICHET_SWEEP_INTERVAL", "1m")?,
        })
    }
}

/// `a, b/24`: single addresses become one-address networks.
fn parse_networks(text: &str) -> Option<Vec<ipnet::IpNet>> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .ok()
                .or_else(|| t.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
        })
        .collect()
}

/// A URL with its password replaced, for logs and error messages.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => raw.to_owned(),
        // Unparsable: keep the scheme only, in case the rest holds a secret.
        Err(_) => match raw.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://***"),
            None => "***".to_owned(),
        },
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("base_url", &self.base_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("site_dir", &self.site_dir)
            .field("demo", &self.demo)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("session_idle", &self.session_idle)
            .field("max_watchers", &self.max_watchers)
            .field("max_outside_watchers_per_hour", &self.max_outside_watchers_per_hour)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("forms_path", &self.forms_path)
            .field("signin_max_failures_per_email", &self.signin_max_failures_per_email)
            .field("signin_max_failures_per_ip", &self.signin_max_failures_per_ip)
            .field("content_dir", &self.content_dir)
            .field("index_poll", &self.index_poll)
            .field("resolved_grace", &self.resolved_grace)
            .field("sweep_interval", &self.sweep_interval)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("mail_from", &self.mail_from)
            .field("team_email", &self.team_email)
            .field("mail_poll", &self.mail_poll)
            .field("mail_lease", &self.mail_lease)
            .finish()
    }
}

fn flag(var: &impl Fn(&str) -> Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(ConfigError::Invalid {
            var: name,
            value: v,
            expected: "true or false",
        }),
    }
}

/// Durations such as `2s`, `1m`, `5d` (humantime's syntax).
fn duration(
    var: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<std::time::Duration, ConfigError> {
    let text = var(name).unwrap_or_else(|| default.to_owned());
    humantime::parse_duration(text.trim())
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or(ConfigError::Invalid {
            var: name,
            value: text,
            expected: "a duration such as 2s, 1m or 5d",
        })
}

fn number(var: &impl Fn(&str) -> Option<String>, name: &'static str, default: u32) -> Result<u32, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().ok().filter(|n| *n > 0).ok_or(ConfigError::Invalid {
            var: name,
            value: v,
            expected: "a whole number above zero",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_safe_for_a_real_installation() {
        let c = parse(&[]).expect("defaults");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://./data/guichet.db"));
        assert_eq!(c.base_url, "http://127.0.0.1:3000");
        assert!(!c.secure_cookies);
        assert!(!c.demo, "demo data only when asked for");
        assert!(c.smtp_url.is_none());
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.session_idle, std::time::Duration::from_secs(7 * 24 * 3600));
        assert_eq!(c.mail_from.email.to_string(), "no-reply@localhost");
        let c = parse(&[("GUICHET_BASE_URL", "https://help.example.com/")]).expect("base url");
        assert_eq!(c.mail_from.email.to_string(), "no-reply@help.example.com");
        assert_eq!(c.team_email, "support@help.example.com");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = parse(&[("GUICHET_ADDR", "nowhere")]).unwrap_err().to_string();
        assert!(e.starts_with("GUICHET_ADDR:"), "{e}");
        let e = parse(&[("GUICHET_SECURE_COOKIES", "maybe")]).unwrap_err().to_string();
        assert!(e.starts_with("GUICHET_SECURE_COOKIES:"), "{e}");
        let e = parse(&[("DATABASE_URL", "mysql://x")]).unwrap_err().to_string();
        assert!(e.starts_with("DATABASE_URL:"), "{e}");
        let e = parse(&[("GUICHET_BASE_URL", "example.com")]).unwrap_err().to_string();
        assert!(e.starts_with("GUICHET_BASE_URL:"), "{e}");
        let e = parse(&[("GUICHET_SMTP_URL", "imap://u:hunter2@mail.example.com")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("GUICHET_SMTP_URL:"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse(&[("GUICHET_TRUSTED_PROXIES", "10.0.0.0/8, nowhere")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("GUICHET_TRUSTED_PROXIES:"), "{e}");
        let e = parse(&[("GUICHET_MAIL_FROM", "not an address")])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("GUICHET_MAIL_FROM:"), "{e}");
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let c = parse(&[
            ("DATABASE_URL", "postgres://guichet:s3cret-db@db.internal/guichet"),
            ("GUICHET_SMTP_URL", "smtps://apikey:s3cret-mail@smtp.example.com:465"),
        ])
        .expect("config");
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("db.internal") && shown.contains("smtp.example.com"),
            "{shown}"
        );
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks() {
        let c = parse(&[("GUICHET_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")]).expect("config");
        let wanted: Vec<ipnet::IpNet> = vec![
            "127.0.0.1/32".parse().expect("net"),
            "10.0.0.0/8".parse().expect("net"),
            "::1/128".parse().expect("net"),
        ];
        assert_eq!(c.trusted_proxies, wanted);
    }

    #[test]
    fn postgres_urls_are_accepted() {
        let c = parse(&[("DATABASE_URL", "postgres://127.0.0.1/test")]).expect("pg");
        assert_eq!(c.database_url, "postgres://127.0.0.1/test");
    }
}
