//! The routes, from the router's own lists, and what is sent to each.

use super::*;

// ---------------------------------------------------------------------------
// Routes and what is sent to them

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Source {
    ServerFn,
    Page,
    Plain,
    Unrouted,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Encoding {
    Query,
    Form,
    Multipart,
}

pub(crate) struct Endpoint {
    pub(crate) source: Source,
    pub(crate) method: Method,
    /// axum's syntax: `/tickets/{number}`, `/pkg/{*file}`.
    pub(crate) path: String,
    pub(crate) encoding: Encoding,
    pub(crate) accept: &'static str,
    pub(crate) fields: Vec<(String, Option<String>)>,
}

/// Which roles get a case. Roles: 0 signed out, 1 forged cookie, 2 customer,
/// 3 agent, 4 admin. `Every` is the four real ones; the rotations keep the count of
/// requests down while every role gets its share of every kind of input.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cover {
    Every,
    /// Signed out, and one other role, in turn.
    Rotate(usize),
    /// One signed-in role (customer, agent, admin), in turn: input that a signed-out
    /// visitor would not get past the session check with.
    SignedIn(usize),
}

pub(crate) const SIGNED_OUT: usize = 0;
pub(crate) const FORGED: usize = 1;

impl Cover {
    pub(crate) fn includes(self, role: usize) -> bool {
        match self {
            Cover::Every => role != FORGED,
            Cover::Rotate(i) => role == SIGNED_OUT || role == 1 + i % 4,
            Cover::SignedIn(i) => role == 2 + i % 3,
        }
    }
}

pub(crate) struct Case {
    pub(crate) kind: String,
    pub(crate) cover: Cover,
    pub(crate) method: Method,
    pub(crate) uri: String,
    pub(crate) content_type: Option<String>,
    pub(crate) accept: &'static str,
    pub(crate) body: Vec<u8>,
}

impl Endpoint {
    /// A request with these values, encoded the way this endpoint takes them.
    pub(crate) fn case(&self, kind: impl Into<String>, cover: Cover, path: &str, pairs: &[(String, Vec<u8>)]) -> Case {
        let (uri, content_type, body) = match self.encoding {
            Encoding::Query => {
                let mut query = form_string(pairs);
                if query.len() > MAX_QUERY {
                    query = form_string(&pairs[..pairs.len().min(1)]);
                }
                (with_query(path, &query), None, Vec::new())
            }
            Encoding::Form => (path.to_owned(), Some(FORM.to_owned()), form_string(pairs).into_bytes()),
            Encoding::Multipart => {
                let parts: Vec<Part> = pairs.iter().map(|(n, v)| Part::text(n.as_bytes(), v)).collect();
                (path.to_owned(), Some(multipart_type()), multipart(&parts))
            }
        };
        Case {
            kind: kind.into(),
            cover,
            method: self.method.clone(),
            uri,
            content_type,
            accept: self.accept,
            body,
        }
    }
}

pub(crate) fn raw_case(
    kind: &str,
    cover: Cover,
    method: Method,
    uri: String,
    content_type: Option<&str>,
    accept: &'static str,
    body: Vec<u8>,
) -> Case {
    Case {
        kind: kind.to_owned(),
        cover,
        method,
        uri,
        content_type: content_type.map(str::to_owned),
        accept,
        body,
    }
}

pub(crate) fn param_name(segment: &str) -> Option<&str> {
    if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        return Some(inner.trim_start_matches('*'));
    }
    segment.strip_prefix(':').or_else(|| segment.strip_prefix('*'))
}

pub(crate) fn has_params(path: &str) -> bool {
    path.split('/').any(|s| param_name(s).is_some())
}

/// The path with every parameter replaced.
pub(crate) fn fill(path: &str, value: &dyn Fn(&str) -> String) -> String {
    path.split('/')
        .map(|segment| match param_name(segment) {
            Some(name) => value(name),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

pub(crate) fn benign_param(name: &str, ticket: &str) -> String {
    match name {
        "number" => ticket.to_owned(),
        "id" => "1".to_owned(),
        _ => "x".to_owned(),
    }
}

/// Everything sent to one endpoint.
pub(crate) fn plan(e: &Endpoint, ei: usize, kinds: &[Kind], ticket: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let path = fill(&e.path, &|name: &str| benign_param(name, ticket));
    let base = base_pairs(&e.fields);
    let server_fn = e.source == Source::ServerFn;
    let takes_body = e.encoding != Encoding::Query;

    // 1. Hostile path parameters, the rest benign.
    if has_params(&e.path) {
        let big = Kind {
            name: "60 kB",
            bytes: vec![b'a'; 60 * 1024],
        };
        for (ki, k) in kinds.iter().chain(std::iter::once(&big)).enumerate() {
            let p = fill(&e.path, &|_: &str| enc(&k.bytes));
            // Who asks matters to a page (whose ticket is it?); elsewhere, in turn.
            let cover = if e.source == Source::Page {
                Cover::Every
            } else {
                Cover::Rotate(ei + ki)
            };
            out.push(e.case(format!("path = {}", k.name), cover, &p, &base));
        }
        for (i, raw) in RAW_PATH_VALUES.iter().enumerate() {
            let p = fill(&e.path, &|_: &str| (*raw).to_owned());
            out.push(e.case(format!("path = {raw}"), Cover::Rotate(ei + i), &p, &base));
        }
    }

    // 2. Every field at once set to one hostile value.
    for (ki, k) in kinds.iter().enumerate() {
        let pairs: Vec<(String, Vec<u8>)> = e.fields.iter().map(|(n, _)| (n.clone(), k.bytes.clone())).collect();
        let cover = if server_fn || takes_body {
            Cover::Every
        } else {
            Cover::Rotate(ei + ki)
        };
        out.push(e.case(format!("every field = {}", k.name), cover, &path, &pairs));
    }

    // 3. One field hostile, the others benign (a real ticket number with a hostile
    // body goes past the lookups, into validation and storage): one kind in turn,
    // and in every field the kinds that break text on its way to a database (a NUL
    // byte inside, which PostgreSQL refuses; bytes that are not UTF-8; a number
    // past any integer).
    if server_fn || takes_body {
        const EVERY_FIELD: [&str; 3] = ["NUL inside", "invalid UTF-8", "u64 max + 1"];
        for (fi, (name, _)) in e.fields.iter().enumerate() {
            let turn = &kinds[(fi * 7 + ei) % kinds.len()];
            let always = kinds
                .iter()
                .filter(|k| EVERY_FIELD.contains(&k.name) && k.name != turn.name);
            for (n, k) in std::iter::once(turn).chain(always).enumerate() {
                let pairs = with_field(&base, name, &k.bytes);
                let cover = if server_fn {
                    Cover::SignedIn(ei + fi + n)
                } else {
                    Cover::Every
                };
                out.push(e.case(format!("{name} = {}", k.name), cover, &path, &pairs));
            }
        }
    }

    // 4. 1 MB in each field, and in an unknown one.
    if takes_body {
        let huge = vec![b'a'; MIB];
        for (fi, (name, _)) in e.fields.iter().enumerate() {
            let pairs = with_field(&base, name, &huge);
            out.push(e.case(format!("{name} = 1 MB"), Cover::SignedIn(ei + fi + 1), &path, &pairs));
        }
        let pairs = with_field(&base, "zz_unknown", &huge);
        out.push(e.case("unknown field = 1 MB", Cover::Rotate(ei), &path, &pairs));
    }

    // 5. Broken structure: content types, encodings, methods.
    let form = form_string(&base);
    let mut items: Vec<Case> = Vec::new();
    if takes_body {
        let mut parts: Vec<Part> = base.iter().map(|(n, v)| Part::text(n.as_bytes(), v)).collect();
        parts.push(Part::file(b"files", b"x.txt", &[b'x'; 200]));
        let mp = multipart(&parts);
        let mp_type = multipart_type();
        let utf16: Vec<u8> = form.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let bodies: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
            ("empty body", Some(FORM), Vec::new()),
            ("no content type", None, form.clone().into_bytes()),
            (
                "JSON garbage",
                Some(JSON),
                br#"{"number": [1, {"a": null}], "body": "\u0000", "#.to_vec(),
            ),
            (
                "JSON object",
                Some(JSON),
                br#"{"number":"1","filter":{"q":""},"page":-1,"account_id":18446744073709551616}"#.to_vec(),
            ),
            ("text/plain", Some("text/plain"), form.clone().into_bytes()),
            (
                "unknown content type",
                Some("application/x-hostile; charset=utf-16"),
                form.clone().into_bytes(),
            ),
            (
                "form as UTF-16",
                Some("application/x-www-form-urlencoded; charset=utf-16"),
                utf16,
            ),
            ("multipart", Some(mp_type.as_str()), mp.clone()),
            (
                "truncated multipart",
                Some(mp_type.as_str()),
                mp[..mp.len() - 100].to_vec(),
            ),
            ("multipart without boundary", Some("multipart/form-data"), mp.clone()),
            (
                "raw invalid UTF-8",
                Some(FORM),
                b"number=\xff\xfe&body=\xc0\xaf&email=\xed\xa0\x80&\xff=\xff".to_vec(),
            ),
            ("raw NUL bytes", Some(FORM), b"number=1\0&body=\0\0&\0=\0".to_vec()),
            (
                "only unknown fields",
                Some(FORM),
                b"zz_unknown=1&__proto__[admin]=1&constructor[prototype][x]=1".to_vec(),
            ),
            (
                "deep nesting",
                Some(FORM),
                format!("filter{}=1", "[a]".repeat(2000)).into_bytes(),
            ),
            (
                "malformed encoding",
                Some(FORM),
                b"&&&==&=%&%%%G1&a[=1&]=2&[]=&=&%".to_vec(),
            ),
        ];
        for (kind, content_type, body) in bodies {
            items.push(raw_case(
                kind,
                Cover::Every,
                e.method.clone(),
                path.clone(),
                content_type,
                e.accept,
                body,
            ));
        }
        let repeated: Vec<(String, Vec<u8>)> = e
            .fields
            .iter()
            .flat_map(|(n, v)| {
                [
                    (n.clone(), v.as_deref().unwrap_or("1").as_bytes().to_vec()),
                    (n.clone(), b"-1".to_vec()),
                ]
            })
            .collect();
        items.push(e.case("repeated fields", Cover::Every, &path, &repeated));
        let mut plain = e.case("plain form post (Accept: text/html)", Cover::Every, &path, &base);
        plain.accept = HTML;
        items.push(plain);
        let other = if e.method == Method::GET {
            Method::POST
        } else {
            Method::GET
        };
        items.push(raw_case(
            "the wrong method",
            Cover::Every,
            other,
            with_query(&path, &form),
            None,
            e.accept,
            Vec::new(),
        ));
    } else {
        let repeated = QUERY_KEYS
            .iter()
            .map(|k| format!("{}=1&{}=-1", enc_key(k), enc_key(k)))
            .collect::<Vec<_>>()
            .join("&");
        let queries: Vec<(&str, String)> = vec![
            ("repeated keys", repeated),
            ("malformed query", "&&&==&=%&%%%G1&a%5B=1&%5D=2&=&%".to_owned()),
            ("deep nesting", format!("a{}=1", "%5Ba%5D".repeat(2000))),
            ("semicolons", "q=1;page=2;page=-1".to_owned()),
            ("search, page 0", "q=document&page=0".to_owned()),
            ("search, page -1", "q=document&page=-1".to_owned()),
            ("search, page 2^64", "q=document&page=18446744073709551616".to_owned()),
            ("search, page 10^15", "q=document&page=1000000000000000".to_owned()),
            ("q = 60 kB", format!("q={}", "a".repeat(60 * 1024))),
            ("repeated q and page", "q=a&q=b&page=1&page=2&page=-1".to_owned()),
        ];
        for (kind, query) in queries {
            items.push(raw_case(
                kind,
                Cover::Every,
                e.method.clone(),
                with_query(&path, &query),
                None,
                e.accept,
                Vec::new(),
            ));
        }
        items.extend([
            raw_case(
                "HEAD",
                Cover::Every,
                Method::HEAD,
                path.clone(),
                None,
                e.accept,
                Vec::new(),
            ),
            raw_case(
                "a form body on a GET",
                Cover::Every,
                e.method.clone(),
                path.clone(),
                Some(FORM),
                e.accept,
                b"q=1&page=-1&\xff=\0".to_vec(),
            ),
            raw_case(
                "POST instead of GET",
                Cover::Every,
                Method::POST,
                path.clone(),
                Some(FORM),
                e.accept,
                b"q=1".to_vec(),
            ),
            raw_case(
                "Accept: application/json",
                Cover::Every,
                e.method.clone(),
                path.clone(),
                None,
                JSON,
                Vec::new(),
            ),
        ]);
    }
    // The structure is read before the session matters: signed out and one other
    // role in turn.
    for (i, mut c) in items.into_iter().enumerate() {
        c.cover = Cover::Rotate(ei + i);
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// The routes, from the router's own lists

pub(crate) fn http_method(m: leptos_router::Method) -> Method {
    match m {
        leptos_router::Method::Get => Method::GET,
        leptos_router::Method::Post => Method::POST,
        leptos_router::Method::Put => Method::PUT,
        leptos_router::Method::Delete => Method::DELETE,
        leptos_router::Method::Patch => Method::PATCH,
    }
}

pub(crate) fn server_fn_fields(ticket: &str) -> Vec<(String, Option<String>)> {
    FIELDS
        .iter()
        .map(|(n, v)| {
            let v = v.map(|v| if v == TICKET { ticket.to_owned() } else { v.to_owned() });
            ((*n).to_owned(), v)
        })
        .collect()
}

pub(crate) fn query_fields() -> Vec<(String, Option<String>)> {
    QUERY_KEYS.iter().map(|k| ((*k).to_owned(), None)).collect()
}

/// The multipart routes read the ticket forms' fields: every family's, from the
/// configuration the server loaded.
pub(crate) fn multipart_fields(app: &TestApp, ticket: &str) -> Vec<(String, Option<String>)> {
    let mut fields = server_fn_fields(ticket);
    let forms = app.state.tickets_forms();
    for family in &forms.families {
        for f in &family.fields {
            if !fields.iter().any(|(n, _)| *n == f.name) {
                fields.push((f.name.clone(), Some("A value from the hostile-input suite".to_owned())));
            }
        }
    }
    fields
}

/// `missing field `x`` in a decoding error: the name of an argument.
pub(crate) fn missing_field(body: &str) -> Option<String> {
    const MARK: &str = "missing field `";
    let start = body.find(MARK)? + MARK.len();
    let len = body[start..].find('`')?;
    Some(body[start..start + len].to_owned())
}

/// Arguments of a server function that `FIELDS` does not name (one added after this
/// file was written): the benign values are sent, and every `missing field` the
/// decoder answers is added, until it answers something else.
pub(crate) async fn discover(app: &TestApp, e: &mut Endpoint) -> Vec<String> {
    let mut found = Vec::new();
    for _ in 0..8 {
        let path = e.path.clone();
        let case = e.case("discovery", Cover::Every, &path, &base_pairs(&e.fields));
        let Ok(request) = build(&case, None) else { break };
        let reply = app.send(request).await;
        let Some(name) = missing_field(&reply.body) else { break };
        let prefix = format!("{name}[");
        if e.fields.iter().any(|(n, _)| *n == name || n.starts_with(&prefix)) {
            break;
        }
        e.fields.push((name.clone(), Some("1".to_owned())));
        found.push(name);
    }
    found
}

pub(crate) async fn every_route(app: &TestApp, ticket: &str) -> (Vec<Endpoint>, Vec<String>) {
    let mut endpoints = Vec::new();
    let mut discovered = Vec::new();

    let mut fns: Vec<(Method, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method, path.to_owned()))
        .collect();
    fns.sort_by(|a, b| a.1.cmp(&b.1));
    for (method, path) in fns {
        let encoding = if method == Method::GET {
            Encoding::Query
        } else {
            Encoding::Form
        };
        let mut e = Endpoint {
            source: Source::ServerFn,
            method,
            path,
            encoding,
            accept: JSON,
            fields: server_fn_fields(ticket),
        };
        for name in discover(app, &mut e).await {
            discovered.push(format!("{} {name}", e.path));
        }
        endpoints.push(e);
    }

    for listing in server::http::route_list() {
        for m in listing.methods() {
            let method = http_method(m);
            let get = method == Method::GET;
            endpoints.push(Endpoint {
                source: Source::Page,
                method,
                path: listing.path().to_owned(),
                encoding: if get { Encoding::Query } else { Encoding::Form },
                accept: HTML,
                fields: if get { query_fields() } else { server_fn_fields(ticket) },
            });
        }
    }

    let unrouted = UNROUTED
        .iter()
        .map(|(method, path)| (Method::from_bytes(method.as_bytes()).expect("a method"), *path));
    let plain = [
        (Source::Plain, server::http::plain_routes()),
        (Source::Unrouted, unrouted.collect()),
    ];
    for (source, routes) in plain {
        for (method, path) in routes {
            let get = method == Method::GET;
            let (encoding, fields) = match (get, source) {
                (true, _) => (Encoding::Query, query_fields()),
                (false, Source::Plain) => (Encoding::Multipart, multipart_fields(app, ticket)),
                (false, _) => (Encoding::Form, server_fn_fields(ticket)),
            };
            endpoints.push(Endpoint {
                source,
                method,
                path: path.to_owned(),
                encoding,
                accept: if get { HTML } else { JSON },
                fields,
            });
        }
    }
    (endpoints, discovered)
}
