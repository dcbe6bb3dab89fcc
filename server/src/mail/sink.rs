//! A small SMTP server that keeps what it receives: the mail server of the
//! integration tests, the benchmark's baseline, and a catcher for development
//! (`guichet smtp-sink 127.0.0.1:2525`).
//!
//! It speaks just enough SMTP for a client such as lettre (EHLO, AUTH PLAIN/LOGIN,
//! MAIL, RCPT, DATA, RSET, NOOP, QUIT), over TLS when given a certificate (implicit
//! TLS, or STARTTLS), and can be told to stall before accepting a message, or be
//! stopped and started again on the same port, to play a mail server in trouble.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message (headers and body), dot-unstuffed, CRLF line ends.
    pub data: String,
    /// Whether the session was encrypted when the message came.
    pub tls: bool,
    /// The user name the client authenticated with, if it did.
    pub user: Option<String>,
}

impl Received {
    /// A header's raw value (first occurrence, unfolded), case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push_str(line);
                    continue;
                }
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    stall: AtomicBool,
    stalled: std::sync::atomic::AtomicUsize,
    arrived: Notify,
}

/// How the sink secures its sessions.
#[derive(Clone, Default)]
pub enum SinkTls {
    #[default]
    None,
    /// TLS from the first byte, as on port 465.
    Implicit(TlsAcceptor),
    /// STARTTLS offered after EHLO, as on port 587.
    StartTls(TlsAcceptor),
}

impl SinkTls {
    /// An acceptor from a PEM certificate chain and its PEM private key.
    pub fn acceptor(cert_pem: &[u8], key_pem: &[u8]) -> std::io::Result<TlsAcceptor> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
        let certs = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&e))?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| bad(&e))?;
        // ring, as lettre's client uses here (aws-lc-rs, with its post-quantum key
        // exchange, needs a C toolchain with cmake to build); a test sink needs no more.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(&e))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad(&e))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tls: SinkTls,
    accept: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// Listens on `addr` (port 0 picks a free one), plain SMTP.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        Self::start_with(addr, SinkTls::None).await
    }

    /// Listens on `addr` with TLS as given.
    pub async fn start_with(addr: SocketAddr, tls: SinkTls) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let accept = Some(tokio::spawn(accept_loop(listener, shared.clone(), tls.clone())));
        Ok(SmtpSink {
            addr,
            shared,
            tls,
            accept,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT`, for `GUICHET_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops listening: connections are refused, as when the mail server is down.
    /// Sessions already open are cut.
    pub fn stop(&mut self) {
        if let Some(task) = self.accept.take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) -> std::io::Result<()> {
        self.stop();
        // The aborted task drops its listener asynchronously: retry for a moment.
        let mut last = None;
        for _ in 0..50 {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => {
                    self.accept = Some(tokio::spawn(accept_loop(
                        listener,
                        self.shared.clone(),
                        self.tls.clone(),
                    )));
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("cannot listen again")))
    }

    /// While set, a message's data is read but never answered: the client waits,
    /// as with a server that hangs mid-delivery. Nothing is kept.
    pub fn set_stall(&self, stall: bool) {
        self.shared.stall.store(stall, Ordering::SeqCst);
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Messages held unanswered while stalling.
    pub fn stalled(&self) -> usize {
        self.shared.stalled.load(Ordering::SeqCst)
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// Waits until at least `n` messages arrived, or `timeout`; returns the count.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let count = self.count();
            if count >= n {
                return count;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count();
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: SinkTls) {
    // Sessions belong to this task's set: stopping the sink cuts them too.
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    sessions.spawn(connection(stream, shared.clone(), tls.clone()));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

/// One client: TLS first, or plain with STARTTLS on offer, or plain.
async fn connection(stream: TcpStream, shared: Arc<Shared>, tls: SinkTls) -> std::io::Result<()> {
    match tls {
        SinkTls::None => session(stream, &shared, Offer::Plain, true).await.map(|_| ()),
        SinkTls::Implicit(acceptor) => {
            let stream = acceptor.accept(stream).await?;
            session(stream, &shared, Offer::Encrypted, true).await.map(|_| ())
        }
        SinkTls::StartTls(acceptor) => {
            if let Some(stream) = session(stream, &shared, Offer::StartTls, true).await? {
                let stream = acceptor.accept(stream).await?;
                // No second greeting: the client speaks first (EHLO) after STARTTLS.
                session(stream, &shared, Offer::Encrypted, false).await?;
            }
            Ok(())
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Offer {
    /// Plain, nothing more to offer (a local relay).
    Plain,
    /// Plain, STARTTLS offered; AUTH only after it.
    StartTls,
    /// Already encrypted.
    Encrypted,
}

/// The SMTP dialogue. Returns the stream when the client asked for STARTTLS (the
/// caller wraps it and starts over, as RFC 3207 says).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    shared: &Shared,
    offer: Offer,
    greet: bool,
) -> std::io::Result<Option<S>> {
    let mut lines = BufReader::new(stream);
    if greet {
        reply(&mut lines, b"220 guichet-sink ESMTP\r\n").await?;
    }
    Ok(dialogue(&mut lines, shared, offer).await?.then(|| lines.into_inner()))
}

async fn reply<S: AsyncRead + AsyncWrite + Unpin>(lines: &mut BufReader<S>, text: &[u8]) -> std::io::Result<()> {
    lines.get_mut().write_all(text).await?;
    lines.get_mut().flush().await
}

/// True when the client asked for STARTTLS and was told to go ahead.
async fn dialogue<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut BufReader<S>,
    shared: &Shared,
    offer: Offer,
) -> std::io::Result<bool> {
    let mut from = String::new();
    let mut to = Vec::new();
    let mut user: Option<String> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(false);
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                let extensions: &[u8] = match offer {
                    Offer::StartTls => b"250-guichet-sink\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n",
                    Offer::Plain | Offer::Encrypted => {
                        b"250-guichet-sink\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n"
                    }
                };
                reply(lines, extensions).await?
            }
            "HELO" => reply(lines, b"250 guichet-sink\r\n").await?,
            "STARTTLS" if offer == Offer::StartTls => {
                reply(lines, b"220 Ready to start TLS\r\n").await?;
                return Ok(true);
            }
            "AUTH" if offer != Offer::StartTls => {
                user = authenticate(lines, &command).await?;
                if user.is_some() {
                    reply(lines, b"235 Authentication succeeded\r\n").await?;
                } else {
                    reply(lines, b"535 Authentication failed\r\n").await?;
                }
            }
            "MAIL" => {
                from = address(&command);
                to.clear();
                reply(lines, b"250 OK\r\n").await?;
            }
            "RCPT" => {
                to.push(address(&command));
                reply(lines, b"250 OK\r\n").await?;
            }
            "DATA" => {
                reply(lines, b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(false);
                    }
                    let l = line.trim_end_matches(['\r', '\n']);
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(l));
                    data.push_str("\r\n");
                }
                if shared.stall.load(Ordering::SeqCst) {
                    shared.stalled.fetch_add(1, Ordering::SeqCst);
                    shared.arrived.notify_waiters();
                    // Never answer: the client's timeout (or death) ends it.
                    std::future::pending::<()>().await;
                }
                if let Ok(mut r) = shared.received.lock() {
                    r.push(Received {
                        from: from.clone(),
                        to: std::mem::take(&mut to),
                        data,
                        tls: offer == Offer::Encrypted,
                        user: user.clone(),
                    });
                }
                shared.arrived.notify_waiters();
                reply(lines, b"250 OK queued\r\n").await?;
            }
            "RSET" => {
                to.clear();
                reply(lines, b"250 OK\r\n").await?;
            }
            "NOOP" => reply(lines, b"250 OK\r\n").await?,
            "QUIT" => {
                reply(lines, b"221 Bye\r\n").await?;
                return Ok(false);
            }
            _ => reply(lines, b"502 Command not implemented\r\n").await?,
        }
    }
}

/// AUTH PLAIN (inline or on the next line) or LOGIN; any password is accepted, the
/// user name is kept so that tests see who authenticated. `None`: malformed.
async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
    lines: &mut BufReader<S>,
    command: &str,
) -> std::io::Result<Option<String>> {
    use base64::Engine;
    let decode = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let mut words = command.split_whitespace().skip(1);
    let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
    let next_line = async |lines: &mut BufReader<S>, prompt: &[u8]| -> std::io::Result<String> {
        reply(lines, prompt).await?;
        let mut l = String::new();
        lines.read_line(&mut l).await?;
        Ok(l)
    };
    match mechanism.as_str() {
        "PLAIN" => {
            let initial = match words.next() {
                Some(w) => w.to_owned(),
                None => next_line(lines, b"334 \r\n").await?,
            };
            // authzid NUL authcid NUL password
            Ok(decode(&initial).and_then(|t| t.split('\0').nth(1).map(str::to_owned)))
        }
        "LOGIN" => {
            let name = next_line(lines, b"334 VXNlcm5hbWU6\r\n").await?;
            let _password = next_line(lines, b"334 UGFzc3dvcmQ6\r\n").await?;
            Ok(decode(&name))
        }
        _ => Ok(None),
    }
}

/// The address between angle brackets in `MAIL FROM:<a@b> SIZE=…`.
fn address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}
