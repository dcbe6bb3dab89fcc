//! Dates as the pages show them.

/// A timestamp as "2026-11-27 23:45 UTC" (RFC 3339 in, readable out; garbage passes).
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(0..10), rfc3339.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => rfc3339.to_owned(),
    }
}
