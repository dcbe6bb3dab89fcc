//! The real `guichet` binary as a child process, and plain HTTP/1.1 to it.

use super::TestDb;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn start(db: &TestDb, addr: SocketAddr) -> Child {
    start_logging(db, addr, "error", Stdio::null()).await
}

/// `guichet serve` on the test database at `addr`, its log (at `level`) to `out`;
/// once `/healthz` answers.
pub async fn start_logging(db: &TestDb, addr: SocketAddr, level: &str, out: Stdio) -> Child {
    let empty = db.data.path().join("no-articles");
    std::fs::create_dir_all(&empty).expect("folder");
    let child = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("GUICHET_DATA_DIR", db.data.path())
        .env("GUICHET_ADDR", addr.to_string())
        .env("GUICHET_DEMO", "true")
        .env("GUICHET_CONTENT_DIR", &empty)
        .env("GUICHET_SITE_DIR", db.data.path().join("no-site"))
        .env("RUST_LOG", level)
        .stdout(out)
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start guichet");
    for _ in 0..300 {
        if matches!(request(addr, "GET", "/healthz", &[], Vec::new()).await, Ok((200, _, _))) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("guichet did not start on {addr}");
}

/// One HTTP/1.1 request on its own connection: status, headers, body.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no complete answer"))?;
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, head, answer[split + 4..].to_vec()))
}
