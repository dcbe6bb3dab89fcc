//! What each message says, in the recipient's language: a subject with the ticket
//! number, a plain-text and an HTML body, a link, and the no-reply line.
//!
//! The texts live in `server/locales/mail.{fr,en}.json`: they never ship to the
//! browser, unlike the page catalogues.

use chrono::{DateTime, Utc};
use domain::Locale;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Why a message is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    Created,
    /// An agent's public reply; `body` is the reply as typed (light Markdown).
    Reply {
        who: String,
        body: String,
    },
    /// Marked resolved: closes by itself at `closes_on` unless the customer replies.
    Resolved {
        closes_on: DateTime<Utc>,
    },
    /// A customer's comment reopened a resolved ticket.
    Reopened {
        who: String,
        body: String,
    },
    Closed,
    WatcherAdded {
        who: String,
    },
    PasswordReset {
        link: String,
    },
}

impl MailKind {
    pub fn key(&self) -> &'static str {
        match self {
            MailKind::Created => "created",
            MailKind::Reply { .. } => "reply",
            MailKind::Resolved { .. } => "resolved",
            MailKind::Reopened { .. } => "reopened",
            MailKind::Closed => "closed",
            MailKind::WatcherAdded { .. } => "watcher_added",
            MailKind::PasswordReset { .. } => "password_reset",
        }
    }
}

/// The ticket a message is about.
#[derive(Debug, Clone)]
pub struct AboutTicket {
    pub id: i64,
    pub number: String,
    pub subject: String,
}

/// A message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub kind: &'static str,
    pub ticket_id: Option<i64>,
    pub to: String,
    pub locale: Locale,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn catalogue(locale: Locale) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static FR: OnceLock<HashMap<String, String>> = OnceLock::new();
    let (cell, source) = match locale {
        Locale::En => (&EN, include_str!("../../locales/mail.en.json")),
        Locale::Fr => (&FR, include_str!("../../locales/mail.fr.json")),
    };
    // The files are part of the binary and checked by a unit test.
    cell.get_or_init(|| serde_json::from_str(source).unwrap_or_default())
}

fn text(locale: Locale, key: &str) -> &'static str {
    catalogue(locale).get(key).map(String::as_str).unwrap_or("")
}

/// A date as people write it in each language (e.g. "3 December 2026" / "3 décembre 2026").
pub fn long_date(locale: Locale, at: DateTime<Utc>) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    use chrono::Datelike;
    let month = at.month0() as usize;
    match locale {
        Locale::Fr => format!("{} {} {} (UTC)", at.day(), FR[month], at.year()),
        Locale::En => format!("{} {} {} (UTC)", at.day(), EN[month], at.year()),
    }
}

fn escape(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// Writes one message. `base_url` is `GUICHET_BASE_URL`, without a trailing slash.
pub fn compose(kind: &MailKind, ticket: Option<&AboutTicket>, to: &str, locale: Locale, base_url: &str) -> Letter {
    let key = kind.key();
    let fill = |template: &str, who: &str, date: &str| -> String {
        let (number, subject) = ticket
            .map(|t| (t.number.as_str(), t.subject.as_str()))
            .unwrap_or(("", ""));
        template
            .replace("{number}", number)
            .replace("{subject}", subject)
            .replace("{who}", who)
            .replace("{date}", date)
    };
    let (who, date, quote) = match kind {
        MailKind::Reply { who, body } | MailKind::Reopened { who, body } => (who.as_str(), String::new(), Some(body)),
        MailKind::WatcherAdded { who } => (who.as_str(), String::new(), None),
        MailKind::Resolved { closes_on } => ("", long_date(locale, *closes_on), None),
        _ => ("", String::new(), None),
    };
    let subject = fill(text(locale, &format!("{key}.subject")), who, &date);
    let intro = fill(text(locale, &format!("{key}.intro")), who, &date);
    let (link_label, url) = match (kind, ticket) {
        (MailKind::PasswordReset { link }, _) => (text(locale, "link.password_reset").to_owned(), link.clone()),
        (_, Some(t)) => (
            fill(text(locale, "link.ticket"), who, &date),
            format!("{base_url}{}", domain::ticket::ticket_url(&t.number)),
        ),
        (_, None) => (String::new(), base_url.to_owned()),
    };
    let no_reply = text(locale, "no_reply");
    let signature = text(locale, "signature");

    let mut plain = format!("{intro}\n\n");
    if let Some(body) = quote {
        for line in body.lines() {
            plain.push_str("> ");
            plain.push_str(line);
            plain.push('\n');
        }
        plain.push('\n');
    }
    plain.push_str(&format!("{link_label}: {url}\n\n-- \n{signature}\n{no_reply}\n"));

    // User text reaches the HTML only escaped, or rendered from Markdown and sanitised.
    let quote_html = quote
        .map(|b| {
            format!(
                "<blockquote style=\"margin:0 0 16px;padding:0 12px;border-left:3px solid #d0d7de\">{}</blockquote>",
                crate::markdown::render(b).html
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;color:#1f2328;line-height:1.5\">\
         <p>{intro}</p>{quote_html}<p><a href=\"{href}\">{label}</a></p>\
         <p style=\"color:#57606a;font-size:13px\">{signature}<br>{no_reply}</p></body></html>\n",
        lang = locale.as_str(),
        title = escape(&subject),
        intro = escape(&intro),
        href = escape(&url),
        label = escape(&link_label),
        signature = escape(signature),
        no_reply = escape(no_reply),
    );
    Letter {
        kind: key,
        ticket_id: ticket.map(|t| t.id),
        to: to.to_owned(),
        locale,
        subject,
        text: plain,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_hold_the_same_keys_and_no_empty_text() {
        let mut fr: Vec<_> = catalogue(Locale::Fr).keys().collect();
        let mut en: Vec<_> = catalogue(Locale::En).keys().collect();
        fr.sort();
        en.sort();
        assert_eq!(fr, en);
        assert!(fr.len() >= 17, "the catalogues did not parse");
        for locale in [Locale::Fr, Locale::En] {
            assert!(catalogue(locale).values().all(|v| !v.trim().is_empty()));
        }
    }

    #[test]
    fn every_kind_has_a_subject_and_intro() {
        let t = AboutTicket {
            id: 1,
            number: "100123".into(),
            subject: "Envelope <stuck>".into(),
        };
        let kinds = [
            MailKind::Created,
            MailKind::Reply {
                who: "Agent".into(),
                body: "Try **again** <script>x</script>".into(),
            },
            MailKind::Resolved { closes_on: Utc::now() },
            MailKind::Reopened {
                who: "Claire".into(),
                body: "Still broken".into(),
            },
            MailKind::Closed,
            MailKind::WatcherAdded { who: "Claire".into() },
        ];
        for locale in [Locale::Fr, Locale::En] {
            for kind in &kinds {
                let l = compose(kind, Some(&t), "a@example.com", locale, "https://help.example");
                assert!(l.subject.contains("#100123"), "{}", l.subject);
                assert!(l.text.contains("https://help.example/tickets/100123"), "{}", l.text);
                assert!(l.html.contains("https://help.example/tickets/100123"));
                assert!(l.text.contains(text(locale, "no_reply")));
                assert!(!l.html.contains("<script"), "{}", l.html);
                assert!(!l.html.contains("<stuck>"), "the subject is escaped: {}", l.html);
            }
        }
    }
}
