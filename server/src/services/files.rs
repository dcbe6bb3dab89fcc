//! Checks on uploaded files: a safe name, a content type sniffed from the bytes,
//! and no executables or scripts.

use domain::forms::FieldProblem;

/// Extensions refused whatever the bytes say: they run when opened on some system.
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "dll", "com", "bat", "cmd", "scr", "msi", "msp", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh",
    "jar", "sh", "bash", "app", "apk", "deb", "rpm", "reg", "lnk", "hta", "cpl", "pif", "gadget", "so", "dylib",
];

/// The name as shown and offered on download: no directories, no control or
/// reserved characters, at most 200 characters, never empty.
pub fn safe_name(raw: &str) -> String {
    // Browsers escape these three in a multipart file name (HTML's form encoding):
    // undone here, so the name is encoded once, on download, and nowhere else.
    let raw = raw.replace("%22", "\"").replace("%0D", "\r").replace("%0A", "\n");
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = sanitize_filename::sanitize(base);
    let clean: String = clean.trim().trim_start_matches('.').chars().take(200).collect();
    if clean.is_empty() {
        "attachment".to_owned()
    } else {
        clean
    }
}

/// Bytes of a file kept in memory to tell its type: the rest streams to storage.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// The content type from the first bytes (never the browser's word) and whether the
/// whole file is UTF-8 text, or why the file is refused.
pub fn sniff(name: &str, bytes: &[u8], is_utf8: bool) -> Result<String, FieldProblem> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    // infer needs a full header to name a type; a truncated executable is still
    // refused by its first bytes (PE, ELF, Mach-O, script).
    const MAGIC: [&[u8]; 7] = [
        b"MZ",
        b"\x7fELF",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"#!",
    ];
    if REFUSED_EXTENSIONS.contains(&ext.as_str()) || MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(FieldProblem::FileTypeRefused);
    }
    match infer::get(bytes) {
        Some(kind) if kind.matcher_type() == infer::MatcherType::App => Err(FieldProblem::FileTypeRefused),
        Some(kind) => Ok(kind.mime_type().to_owned()),
        None if is_utf8 => Ok("text/plain; charset=utf-8".to_owned()),
        None => Ok("application/octet-stream".to_owned()),
    }
}

/// The type a download is served with: the inert types a browser only displays
/// keep theirs; anything it could run or render as a document (HTML, SVG, XML,
/// scripts, and whatever we do not know) is a plain byte stream.
pub fn served_type<'a>(stored: &'a str, file_name: &str) -> &'a str {
    // Text that a browser would render by its name (an `.html` file sniffed as
    // plain text, since its bytes are text) is bytes too.
    const RENDERED: &[&str] = &[
        "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "js", "mjs", "css", "mht", "mhtml",
    ];
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    const INERT: &[&str] = &[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "text/plain; charset=utf-8",
        "application/zip",
        "application/gzip",
        "audio/mpeg",
        "video/mp4",
    ];
    if INERT.contains(&stored) && !RENDERED.contains(&ext.as_str()) {
        stored
    } else {
        "application/octet-stream"
    }
}

/// Tells whether a file is UTF-8 text as its chunks arrive, without holding it:
/// a character cut between two chunks is carried over.
#[derive(Default)]
pub struct Utf8Check {
    carry: Vec<u8>,
    broken: bool,
}

impl Utf8Check {
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.broken {
            return;
        }
        let mut chunk = chunk;
        // Complete a character begun in the previous chunk (at most 3 bytes wait).
        while !self.carry.is_empty() && !chunk.is_empty() {
            self.carry.push(chunk[0]);
            chunk = &chunk[1..];
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_some() => {
                    self.broken = true;
                    return;
                }
                Err(_) => {}
            }
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.carry = chunk[e.valid_up_to()..].to_vec(),
            Err(_) => self.broken = true,
        }
    }

    pub fn is_utf8(&self) -> bool {
        !self.broken && self.carry.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_whole(name: &str, bytes: &[u8]) -> Result<String, FieldProblem> {
        sniff(name, bytes, std::str::from_utf8(bytes).is_ok())
    }

    #[test]
    fn names_lose_their_paths_and_dangers() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(safe_name("..."), "attachment");
        assert_eq!(safe_name("a\u{0}b.txt"), "ab.txt");
        assert_eq!(safe_name(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn executables_are_refused_by_content_and_by_name() {
        assert_eq!(
            sniff_whole("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(
            sniff_whole("run.txt", b"\x7fELF\x02\x01\x01"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(sniff_whole("setup.exe", b"hello"), Err(FieldProblem::FileTypeRefused));
        assert_eq!(
            sniff_whole("x.txt", b"#!/bin/sh\nrm -rf /"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(sniff_whole("scan.pdf", b"%PDF-1.7\n").as_deref(), Ok("application/pdf"));
        assert_eq!(
            sniff_whole("log.txt", b"plain words").as_deref(),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn browser_escapes_in_names_are_undone_once() {
        assert_eq!(safe_name("a%22.html"), "a.html");
        assert_eq!(safe_name("r\u{e9}sum\u{e9} 100%.pdf"), "r\u{e9}sum\u{e9} 100%.pdf");
    }

    #[test]
    fn documents_a_browser_could_render_are_served_as_bytes() {
        for t in [
            "text/html",
            "image/svg+xml",
            "text/xml",
            "application/xml",
            "application/javascript",
            "x/unknown",
        ] {
            assert_eq!(served_type(t, "file"), "application/octet-stream", "{t}");
        }
        let text = "text/plain; charset=utf-8";
        for name in ["page.html", "IMAGE.SVG", "feed.xml", "app.js"] {
            assert_eq!(served_type(text, name), "application/octet-stream", "{name}");
        }
        assert_eq!(served_type("application/pdf", "scan.pdf"), "application/pdf");
        assert_eq!(served_type(text, "notes.txt"), text);
    }

    #[test]
    fn utf8_is_checked_across_chunks() {
        let text = "d\u{e9}j\u{e0} \u{1f600} fini".as_bytes();
        for cut in 0..text.len() {
            for cut2 in cut..text.len() {
                let mut check = Utf8Check::default();
                check.feed(&text[..cut]);
                check.feed(&text[cut..cut2]);
                check.feed(&text[cut2..]);
                assert!(check.is_utf8(), "cut at {cut} and {cut2}");
            }
        }
        let mut check = Utf8Check::default();
        check.feed(b"abc\xc3");
        assert!(!check.is_utf8(), "a cut character at the end");
        check.feed(b"(");
        assert!(!check.is_utf8(), "an invalid continuation");
    }
}
