//! Who asks: signed out, a forged cookie, a customer, an agent, an admin.

use super::*;

// ---------------------------------------------------------------------------
// Roles

pub(crate) struct Role {
    pub(crate) name: &'static str,
    pub(crate) email: Option<&'static str>,
    /// The whole `Cookie` header.
    pub(crate) cookie: Option<String>,
}

/// A cookie header no session ever had: two session cookies, one with encoded NUL
/// and 0xFF, an unknown language, an empty name.
pub(crate) const FORGED_COOKIE: &str = "guichet_session=forged%00%FF; guichet_session=; guichet_lang=..%2F..%2Fxx; =;;";

impl Role {
    pub(crate) fn signed_out() -> Role {
        Role {
            name: "signed out",
            email: None,
            cookie: None,
        }
    }

    pub(crate) async fn signed_in(app: &TestApp, name: &'static str, email: &'static str) -> Role {
        Role {
            name,
            email: Some(email),
            cookie: Some(support::cookie(app, email).await),
        }
    }

    /// Signs the role in again if a request ended its session (sign-out does);
    /// true when it did. From another address each time: by then the hostile
    /// sign-ins have locked 127.0.0.1 out.
    pub(crate) async fn ensure_alive(&mut self, app: &TestApp, next_ip: &mut u8) -> bool {
        let (Some(email), Some(cookie)) = (self.email, self.cookie.as_deref()) else {
            return false;
        };
        let viewer = app
            .send(api_post("/api/viewer", Some(cookie), "", [127, 0, 0, 1]))
            .await;
        if viewer.status == StatusCode::OK && viewer.body.contains("\"email\"") {
            return false;
        }
        *next_ip = next_ip.wrapping_add(1);
        let form = format!(
            "family=esignature&email={}&password={}",
            support::urlencode(email),
            support::urlencode(PASSWORD)
        );
        let reply = app
            .send(api_post("/api/sign_in", None, &form, [10, 0, 0, *next_ip]))
            .await;
        let cookie = reply
            .session_cookie()
            .unwrap_or_else(|| panic!("signing {email} in again: {} {}", reply.status, reply.body));
        self.cookie = Some(cookie);
        true
    }
}

pub(crate) async fn all_roles(app: &TestApp) -> Vec<Role> {
    vec![
        Role::signed_out(),
        Role {
            name: "forged cookie",
            email: None,
            cookie: Some(FORGED_COOKIE.to_owned()),
        },
        Role::signed_in(app, "customer", CLAIRE).await,
        Role::signed_in(app, "agent", AGENT).await,
        Role::signed_in(app, "admin", ADMIN).await,
    ]
}

pub(crate) fn api_post(path: &str, cookie: Option<&str>, form: &str, ip: [u8; 4]) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCEPT, JSON)
        .header(header::CONTENT_TYPE, FORM)
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))));
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(form.to_owned())).expect("request")
}

pub(crate) fn build(case: &Case, cookie: Option<&str>) -> Result<Request<Body>, axum::http::Error> {
    let mut b = Request::builder()
        .method(case.method.clone())
        .uri(case.uri.as_str())
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::ACCEPT, case.accept)
        .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    if let Some(ct) = &case.content_type {
        b = b.header(header::CONTENT_TYPE, ct.as_str());
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(case.body.clone()))
}
