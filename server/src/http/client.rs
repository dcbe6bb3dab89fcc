//! Who is at the other end: the client's address and whether it came over HTTPS,
//! believing `X-Forwarded-For` and `X-Forwarded-Proto` only from the reverse
//! proxies of `GUICHET_TRUSTED_PROXIES`. Anyone else could write those headers to
//! pick a fresh rate-limit bucket with every request.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// The client as far as we may believe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<IpAddr>,
    /// A trusted proxy says the client spoke HTTPS to it.
    pub forwarded_https: bool,
}

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(&ip))
}

/// From the socket's peer and the headers. With a trusted peer, the client is the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (the
/// left part of the header is whatever the client chose to send).
pub fn client(peer: Option<IpAddr>, headers: &HeaderMap, proxies: &[IpNet]) -> Client {
    let Some(peer) = peer.filter(|p| trusted(*p, proxies)) else {
        return Client {
            ip: peer,
            forwarded_https: false,
        };
    };
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut ip = peer;
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(addr) if trusted(addr, proxies) => ip = addr,
            Ok(addr) => {
                ip = addr;
                break;
            }
            // Garbage in the chain: stop at the last address we could believe.
            Err(_) => break,
        }
    }
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Client {
        ip: Some(ip),
        forwarded_https,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str, proto: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).expect("header"));
        h.insert("x-forwarded-proto", HeaderValue::from_str(proto).expect("header"));
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let h = headers("198.51.100.7", "https");
        // From a stranger: the headers are ignored.
        let c = client(Some(ip("203.0.113.9")), &h, &proxies);
        assert_eq!(c.ip, Some(ip("203.0.113.9")));
        assert!(!c.forwarded_https);
        // From the proxy: believed.
        let c = client(Some(ip("10.0.0.2")), &h, &proxies);
        assert_eq!(c.ip, Some(ip("198.51.100.7")));
        assert!(c.forwarded_https);
        // No proxy configured: never believed.
        assert_eq!(client(Some(ip("10.0.0.2")), &h, &[]).ip, Some(ip("10.0.0.2")));
    }

    #[test]
    fn a_client_cannot_choose_its_address_through_the_chain() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        // The client sent "1.2.3.4" itself; the proxies appended the real address.
        let h = headers("1.2.3.4, 198.51.100.7, 10.0.0.5", "http");
        let c = client(Some(ip("10.0.0.2")), &h, &proxies);
        assert_eq!(c.ip, Some(ip("198.51.100.7")));
        assert!(!c.forwarded_https);
        let c = client(Some(ip("10.0.0.2")), &headers("not an address", "https"), &proxies);
        assert_eq!(c.ip, Some(ip("10.0.0.2")));
    }
}
