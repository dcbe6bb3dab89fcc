//! Markdown, rendered once when an article is saved: sanitised HTML for the page and
//! plain text for the index. The HTML goes through ammonia's allow-list, so no
//! script, no event handler and no `javascript:` link survives, whatever the source.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

pub struct Rendered {
    pub html: String,
    pub text: String,
}

pub fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    let html = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string();
    Rendered {
        html,
        text: plain_text(markdown, options),
    }
}

/// The words of the Markdown, without markup (raw HTML blocks dropped).
fn plain_text(markdown: &str, options: Options) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock) => text.push('\n'),
            Event::Start(Tag::Item) => text.push_str("- "),
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_markdown_renders_inert() {
        let r = render(
            "Hello <script>alert(1)</script> [click](javascript:alert(2)) \
             <img src=x onerror=alert(3)> <a href=\"#\" onclick=\"alert(4)\">x</a>\n\n\
             <iframe src=\"https://evil.example\"></iframe>",
        );
        let lower = r.html.to_lowercase();
        for bad in ["<script", "javascript:", "onerror", "onclick", "<iframe"] {
            assert!(!lower.contains(bad), "{bad} survived in {}", r.html);
        }
        assert!(r.html.contains("Hello"));
    }

    #[test]
    fn markdown_becomes_html_and_text() {
        let r = render("### Steps\n\n1. Open **Settings**\n2. Click `Save`\n\nSee [this](/help/articles/x).");
        assert!(r.html.contains("<h3>Steps</h3>"));
        assert!(r.html.contains("<strong>Settings</strong>"));
        assert!(r.html.contains("href=\"/help/articles/x\""));
        assert!(r.text.contains("Open Settings"));
        assert!(r.text.contains("Save"));
        assert!(!r.text.contains("**"));
    }
}
