//! SMTP delivery: lettre's connection (the protocol: EHLO, AUTH, MAIL, RCPT, DATA)
//! over a TCP socket that we open ourselves, so that it can have TCP_NODELAY.
//!
//! Why not lettre's `AsyncSmtpTransport`: it writes a message's data and its final
//! `.` in two writes, and with Nagle's algorithm on, the second waits for the
//! server's delayed ACK of the first, about 40 ms per message. Measured with
//! `bench outbox` against the loopback sink: 91 messages/s with the transport,
//! see the closing note for the figure with this client. The pool keeps a few
//! open connections so that each message is one transaction, not one connection.

use lettre::Message;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub struct SmtpClient {
    host: String,
    port: u16,
    credentials: Option<Credentials>,
    timeout: Duration,
    idle: Arc<Mutex<Vec<AsyncSmtpConnection>>>,
    /// Idle connections kept at most.
    keep: usize,
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused it for good (5xx): retrying will not help.
    #[error("refused: {0}")]
    Permanent(String),
    /// Anything else (connection refused, 4xx): try again later.
    #[error("{0}")]
    Transient(String),
    /// No answer in time: the server may or may not have taken the message, so it
    /// is retried later, never at once on another connection.
    #[error("timed out")]
    TimedOut,
}

impl From<SmtpError> for SendError {
    fn from(e: SmtpError) -> Self {
        if e.is_permanent() {
            SendError::Permanent(e.to_string())
        } else {
            SendError::Transient(e.to_string())
        }
    }
}

impl SmtpClient {
    pub fn new(host: &str, port: u16, credentials: Option<Credentials>, timeout: Duration, keep: usize) -> Self {
        SmtpClient {
            host: host.to_owned(),
            port,
            credentials,
            timeout,
            idle: Arc::new(Mutex::new(Vec::new())),
            keep,
        }
    }

    /// `smtp://host:port`, never the credentials.
    pub fn describe(&self) -> String {
        format!("smtp://{}:{}", self.host, self.port)
    }

    /// Sends one message; returns the server's reply code. A pooled connection the
    /// server has closed meanwhile gets one fresh replacement at once.
    pub async fn send(&self, message: &Message) -> Result<String, SendError> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        if let Some(conn) = pooled {
            match self.send_on(conn, message).await {
                Err(SendError::Transient(e)) => tracing::debug!(error = %e, "pooled SMTP connection failed"),
                done => return done,
            }
        }
        let conn = self.connect().await?;
        self.send_on(conn, message).await
    }

    async fn send_on(&self, mut conn: AsyncSmtpConnection, message: &Message) -> Result<String, SendError> {
        let sent = tokio::time::timeout(self.timeout, conn.send(message.envelope(), &message.formatted()))
            .await
            .map_err(|_| SendError::TimedOut)?;
        let response = sent?; // a connection that failed is dropped, never reused
        if !conn.has_broken()
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.keep
        {
            idle.push(conn);
        }
        Ok(response.code().to_string())
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let connecting = async {
            let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| SendError::Transient(format!("cannot connect to {}:{}: {e}", self.host, self.port)))?;
            tcp.set_nodelay(true).map_err(|e| SendError::Transient(e.to_string()))?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &ClientId::default()).await?;
            if let Some(c) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await?;
            }
            Ok::<_, SendError>(conn)
        };
        tokio::time::timeout(self.timeout, connecting)
            .await
            .map_err(|_| SendError::TimedOut)?
    }
}
