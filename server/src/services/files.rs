//! Checks on uploaded files: a safe name, a content type sniffed from the bytes,
//! and no executables or scripts.

use app::domain::forms::FieldProblem;

/// Extensions refused whatever the bytes say: they run when opened on some system.
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "dll", "com", "bat", "cmd", "scr", "msi", "msp", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh",
    "jar", "sh", "bash", "app", "apk", "deb", "rpm", "reg", "lnk", "hta", "cpl", "pif", "gadget", "so", "dylib",
];

/// The name as shown and offered on download: no directories, no control or
/// reserved characters, at most 200 characters, never empty.
pub fn safe_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = sanitize_filename::sanitize(base);
    let clean: String = clean.trim().trim_start_matches('.').chars().take(200).collect();
    if clean.is_empty() {
        "attachment".to_owned()
    } else {
        clean
    }
}

/// The content type from the bytes (never the browser's word), or why the file is
/// refused.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<String, FieldProblem> {
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
        None if std::str::from_utf8(bytes).is_ok() => Ok("text/plain; charset=utf-8".to_owned()),
        None => Ok("application/octet-stream".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            sniff("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(
            sniff("run.txt", b"\x7fELF\x02\x01\x01"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(sniff("setup.exe", b"hello"), Err(FieldProblem::FileTypeRefused));
        assert_eq!(
            sniff("x.txt", b"#!/bin/sh\nrm -rf /"),
            Err(FieldProblem::FileTypeRefused)
        );
        assert_eq!(sniff("scan.pdf", b"%PDF-1.7\n").as_deref(), Ok("application/pdf"));
        assert_eq!(
            sniff("log.txt", b"plain words").as_deref(),
            Ok("text/plain; charset=utf-8")
        );
    }
}
