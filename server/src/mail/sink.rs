//! A small SMTP server that keeps what it receives: the mail server of the
//! integration tests, the benchmark's baseline, and a catcher for development
//! (`guichet smtp-sink 127.0.0.1:2525`).
//!
//! It speaks just enough SMTP for a client such as lettre (EHLO, MAIL, RCPT, DATA,
//! RSET, NOOP, QUIT) and can be told to stall before accepting a message, or be
//! stopped and started again on the same port, to play a mail server in trouble.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message (headers and body), dot-unstuffed, CRLF line ends.
    pub data: String,
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

pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// Listens on `addr` (port 0 picks a free one).
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let accept = Some(tokio::spawn(accept_loop(listener, shared.clone())));
        Ok(SmtpSink { addr, shared, accept })
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
                    self.accept = Some(tokio::spawn(accept_loop(listener, self.shared.clone())));
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

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Sessions belong to this task's set: stopping the sink cuts them too.
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    sessions.spawn(session(stream, shared.clone()));
                }
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 guichet-sink ESMTP\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                write
                    .write_all(b"250-guichet-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    .await?
            }
            "HELO" => write.write_all(b"250 guichet-sink\r\n").await?,
            "MAIL" => {
                from = address(&command);
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "RCPT" => {
                to.push(address(&command));
                write.write_all(b"250 OK\r\n").await?;
            }
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
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
                    });
                }
                shared.arrived.notify_waiters();
                write.write_all(b"250 OK queued\r\n").await?;
            }
            "RSET" => {
                to.clear();
                write.write_all(b"250 OK\r\n").await?;
            }
            "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 Command not implemented\r\n").await?,
        }
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
