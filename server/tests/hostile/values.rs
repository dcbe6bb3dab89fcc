//! The hostile values, the fields they are sent in, and multipart bodies written
//! by hand so that they can be broken.

use super::*;

/// Replaced by the number of a real ticket of Claire's.
pub(crate) const TICKET: &str = "<ticket>";

/// Every argument of today's server functions (`app/src/**/api.rs`), with a value
/// that decodes (`None`: sent only as a hostile value). All are sent to every server
/// function: another function's argument is an unknown field, hostile too. An
/// argument added later is found at run time (see `discover`).
pub(crate) const FIELDS: &[(&str, Option<&str>)] = &[
    // accounts
    ("family", Some("esignature")),
    // Nobody's address: no reset mail is written in the background.
    ("email", Some("nobody@example.com")),
    // Never the right password, and never the same twice: no sign-in succeeds (it
    // would end the role's session) and no reset reaches the slow hashing.
    ("password", Some("not-the-password-1")),
    ("confirm", Some("not-the-password-2")),
    ("token", Some("not-a-reset-token")),
    ("account_id", Some("1")),
    ("locale", Some("fr")),
    // tickets and console
    ("number", Some(TICKET)),
    ("body", Some("A comment from the hostile-input suite.")),
    ("remove", None),
    ("visibility", Some("internal")),
    ("status", Some("")),
    ("assignee", Some("me")),
    ("filter[q]", Some("")),
    ("filter[all_accounts]", Some("false")),
    ("filter[before]", None),
    ("filter[status]", None),
    ("filter[family]", None),
    ("filter[product]", None),
    ("filter[mine]", Some("false")),
    ("filter[unassigned]", Some("false")),
    // help
    ("query", Some("document")),
    ("page", Some("1")),
    ("kind", Some("opened")),
    ("item", Some("article")),
    ("slug", Some("no-such-article")),
];

/// The query parameters the pages and GET routes read (`app/src/**`, `http/help.rs`),
/// and Leptos's own `__err` (a plain form's error, brought back in the URL).
pub(crate) const QUERY_KEYS: &[&str] = &[
    "q",
    "page",
    "status",
    "before",
    "all",
    "mine",
    "unassigned",
    "family",
    "product",
    "locale",
    "slug",
    "number",
    "token",
    "subject",
    "created",
    "attached",
    "attach_error",
    "file",
    "reset",
    "sent",
    "solved",
    "voted",
    "__err",
];

/// Path parameters written as they are, already valid in a URI.
pub(crate) const RAW_PATH_VALUES: &[&str] = &[
    "..",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%00",
    "%FF%FE",
    "%C0%AF",
    "a%2Fb",
    "99999999999999999999999",
];

// ---------------------------------------------------------------------------
// The hostile values

pub(crate) struct Kind {
    pub(crate) name: &'static str,
    pub(crate) bytes: Vec<u8>,
}

pub(crate) fn kinds() -> Vec<Kind> {
    let text = [
        ("zero", "0"),
        ("minus one", "-1"),
        ("i64 min", "-9223372036854775808"),
        ("i64 max + 1", "9223372036854775808"),
        ("u64 max", "18446744073709551615"),
        ("u64 max + 1", "18446744073709551616"),
        ("10^31", "10000000000000000000000000000000"),
        ("10^15", "1000000000000000"),
        ("float", "1e308"),
        ("empty", ""),
        ("blank", " \t\r\n"),
        ("boolean", "true"),
        ("traversal", "../../etc/passwd"),
        ("SQL", "'; DROP TABLE tickets; --"),
        ("HTML", "<script>alert(1)</script>"),
        ("format string", "%s%n{0}${x}%"),
        ("unicode", "\u{202e}e\u{301}\u{1F600}\u{feff}"),
    ];
    let mut kinds: Vec<Kind> = text
        .into_iter()
        .map(|(name, v)| Kind {
            name,
            bytes: v.as_bytes().to_vec(),
        })
        .collect();
    let bytes: [(&'static str, Vec<u8>); 6] = [
        ("NUL", vec![0]),
        ("NUL inside", b"1\0\0x".to_vec()),
        ("invalid UTF-8", vec![0xff, 0xfe]),
        ("overlong UTF-8", vec![0xc0, 0xaf]),
        ("UTF-8 surrogate", vec![0xed, 0xa0, 0x80]),
        ("10 kB", vec![b'a'; 10 * 1024]),
    ];
    kinds.extend(bytes.into_iter().map(|(name, bytes)| Kind { name, bytes }));
    kinds
}

/// Field names keep their brackets (`filter[q]`), as the browser sends them.
pub(crate) const KEY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'[').remove(b']').remove(b'_');

pub(crate) fn enc(bytes: &[u8]) -> String {
    percent_encode(bytes, NON_ALPHANUMERIC).to_string()
}

pub(crate) fn enc_key(name: &str) -> String {
    percent_encode(name.as_bytes(), KEY).to_string()
}

pub(crate) fn form_string(pairs: &[(String, Vec<u8>)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc_key(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The base values, with `name` set to `value` (added when absent).
pub(crate) fn with_field(base: &[(String, Vec<u8>)], name: &str, value: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut pairs: Vec<(String, Vec<u8>)> = base.iter().filter(|(n, _)| n != name).cloned().collect();
    pairs.push((name.to_owned(), value.to_vec()));
    pairs
}

pub(crate) fn base_pairs(fields: &[(String, Option<String>)]) -> Vec<(String, Vec<u8>)> {
    fields
        .iter()
        .filter_map(|(n, v)| v.as_ref().map(|v| (n.clone(), v.as_bytes().to_vec())))
        .collect()
}

// ---------------------------------------------------------------------------
// Multipart bodies, written by hand so that they can be broken

#[derive(Clone)]
pub(crate) struct Part {
    pub(crate) name: Vec<u8>,
    pub(crate) file_name: Option<Vec<u8>>,
    /// Extra header lines, each ending with CRLF.
    pub(crate) headers: Vec<u8>,
    pub(crate) body: Vec<u8>,
}

impl Part {
    pub(crate) fn text(name: &[u8], body: &[u8]) -> Part {
        Part {
            name: name.to_vec(),
            file_name: None,
            headers: Vec::new(),
            body: body.to_vec(),
        }
    }

    pub(crate) fn file(name: &[u8], file_name: &[u8], body: &[u8]) -> Part {
        Part {
            name: name.to_vec(),
            file_name: Some(file_name.to_vec()),
            headers: Vec::new(),
            body: body.to_vec(),
        }
    }
}

pub(crate) fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

pub(crate) fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"").as_bytes());
        out.extend_from_slice(&p.name);
        out.push(b'"');
        if let Some(f) = &p.file_name {
            out.extend_from_slice(b"; filename=\"");
            out.extend_from_slice(f);
            out.extend_from_slice(b"\"\r\nContent-Type: application/octet-stream");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&p.headers);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&p.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
