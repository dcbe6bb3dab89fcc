//! SMTP delivery through lettre's pooled transport, over TLS to any provider:
//!
//! - `smtps://user:pass@host:465`: implicit TLS (port 465 by default);
//! - `smtp://user:pass@host:587?tls=required`: STARTTLS, refused if the server
//!   does not offer it (port 587 by default);
//! - `smtp://host:25`: plain SMTP, for a relay on this machine. Credentials are
//!   refused over plain SMTP except to a loopback address, so that a password never
//!   crosses a network in clear.
//!
//! Certificates are checked against the web's root certificates (webpki-roots), plus
//! the PEM file of `GUICHET_SMTP_CA_FILE` for a private CA or a self-signed relay.

use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// STARTTLS, required (`smtp://…?tls=required`).
    StartTls,
    /// No TLS (`smtp://`): loopback relays.
    Plain,
}

/// What `GUICHET_SMTP_URL` says, checked.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

/// Whether a URL is one we can use; the reason otherwise (for the configuration
/// error, which must not repeat the URL's password).
pub fn check_url(raw: &str) -> Result<(), &'static str> {
    SmtpSettings::parse(raw).map(|_| ())
}

impl SmtpSettings {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const EXPECTED: &str =
            "smtps://user:pass@host:465, smtp://user:pass@host:587?tls=required, or smtp://host:25 (a local relay)";
        let url = url::Url::parse(raw).map_err(|_| EXPECTED)?;
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtps", None) => Security::Implicit,
            ("smtp", Some("required")) => Security::StartTls,
            ("smtp", None) => Security::Plain,
            ("smtp", Some(_)) | ("smtps", Some(_)) => {
                return Err("tls= may only be \"required\" (STARTTLS) on an smtp:// URL");
            }
            _ => return Err(EXPECTED),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
            .ok_or(EXPECTED)?;
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials =
            (!url.username().is_empty()).then(|| (decode(url.username()), decode(url.password().unwrap_or_default())));
        if credentials.is_some() && security == Security::Plain && !is_loopback(&host) {
            return Err(
                "credentials over plain SMTP are refused except to a loopback relay: use smtps:// or ?tls=required",
            );
        }
        let port = url.port().unwrap_or(match security {
            Security::Implicit => 465,
            Security::StartTls => 587,
            Security::Plain => 25,
        });
        Ok(SmtpSettings {
            host,
            port,
            security,
            credentials,
        })
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Clone)]
pub struct SmtpClient {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    described: String,
    timeout: Duration,
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused it for good (5xx): retrying will not help.
    #[error("refused: {0}")]
    Permanent(String),
    /// Anything else (connection refused, TLS, 4xx): try again later.
    #[error("{0}")]
    Transient(String),
    /// No answer in time: the server may or may not have taken the message, so it
    /// is retried later, never at once on another connection.
    #[error("timed out")]
    TimedOut,
}

impl From<SmtpError> for SendError {
    fn from(e: SmtpError) -> Self {
        if e.is_timeout() {
            SendError::TimedOut
        } else if e.is_permanent() {
            SendError::Permanent(e.to_string())
        } else {
            SendError::Transient(e.to_string())
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    #[error("GUICHET_SMTP_CA_FILE: cannot read {path}: {source}")]
    CaFile { path: String, source: std::io::Error },
    #[error("GUICHET_SMTP_CA_FILE: {0}")]
    Certificate(SmtpError),
    #[error("TLS settings: {0}")]
    Tls(SmtpError),
}

impl SmtpClient {
    /// `extra_ca`: PEM certificates trusted besides the web's roots. `pool`: the
    /// connections kept open between messages.
    pub fn new(
        settings: &SmtpSettings,
        extra_ca: Option<&std::path::Path>,
        timeout: Duration,
        pool: u32,
    ) -> Result<Self, SmtpSetupError> {
        let tls = match settings.security {
            Security::Plain => Tls::None,
            Security::Implicit | Security::StartTls => {
                let mut params = TlsParameters::builder(settings.host.clone());
                if let Some(path) = extra_ca {
                    let pem = std::fs::read(path).map_err(|source| SmtpSetupError::CaFile {
                        path: path.display().to_string(),
                        source,
                    })?;
                    params =
                        params.add_root_certificate(Certificate::from_pem(&pem).map_err(SmtpSetupError::Certificate)?);
                }
                let params = params.build().map_err(SmtpSetupError::Tls)?;
                if settings.security == Security::Implicit {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(pool));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let scheme = match settings.security {
            Security::Implicit => "smtps",
            Security::StartTls | Security::Plain => "smtp",
        };
        let starttls = if settings.security == Security::StartTls {
            "?tls=required"
        } else {
            ""
        };
        Ok(SmtpClient {
            transport: builder.build(),
            described: format!("{scheme}://{}:{}{starttls}", settings.host, settings.port),
            timeout,
        })
    }

    /// The URL without the credentials.
    pub fn describe(&self) -> String {
        self.described.clone()
    }

    /// Sends one message; returns the server's reply code.
    pub async fn send(&self, message: &Message) -> Result<String, SendError> {
        // lettre's timeout covers each socket operation; this one the whole exchange,
        // so that a message never outlives the worker's lease (twice this timeout).
        let response = tokio::time::timeout(
            self.timeout,
            self.transport
                .send_raw(&message.envelope().clone(), &message.formatted()),
        )
        .await
        .map_err(|_| SendError::TimedOut)??;
        Ok(response.code().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_security_and_the_port() {
        let s = SmtpSettings::parse("smtps://u:p@smtp.example.com").expect("smtps");
        assert_eq!((s.security, s.port), (Security::Implicit, 465));
        assert_eq!(s.credentials, Some(("u".into(), "p".into())));
        let s = SmtpSettings::parse("smtp://u:p%40ss@smtp.example.com?tls=required").expect("starttls");
        assert_eq!((s.security, s.port), (Security::StartTls, 587));
        assert_eq!(s.credentials, Some(("u".into(), "p@ss".into())));
        let s = SmtpSettings::parse("smtp://127.0.0.1:2525").expect("plain");
        assert_eq!(
            (s.security, s.port, s.host.as_str()),
            (Security::Plain, 2525, "127.0.0.1")
        );
        assert!(SmtpSettings::parse("smtp://u:p@localhost:25").is_ok(), "loopback relay");
    }

    #[test]
    fn credentials_never_cross_a_network_in_clear() {
        assert!(SmtpSettings::parse("smtp://u:p@smtp.example.com:25").is_err());
        assert!(SmtpSettings::parse("smtp://u:p@192.0.2.1").is_err());
        assert!(SmtpSettings::parse("smtp://smtp.example.com?tls=opportunistic").is_err());
        assert!(SmtpSettings::parse("http://smtp.example.com").is_err());
    }
}
