//! The help center against a real database: import (with a malformed file), the
//! index following edits (also another process's), filters, hostile queries, inert
//! Markdown, deflection events.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use server::services::help::import::import_dir;
use std::path::Path;
use support::{TestApp, TestDb, config_with};

on_every_database!(
    import_reports_added_updated_skipped_and_malformed_files,
    the_index_follows_edits_also_from_another_process,
    suggestions_filter_by_language_and_family,
    hostile_queries_get_a_sane_200,
    markdown_with_script_renders_inert,
    deflection_events_are_counted,
    yaml_and_toml_front_matter_import_the_same_items,
);

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn article(locale: &str, family: &str, product: Option<&str>, category: &str, title: &str, body: &str) -> String {
    let product = product.map(|p| format!("product = \"{p}\"\n")).unwrap_or_default();
    format!(
        "+++\ntitle = \"{title}\"\nlocale = \"{locale}\"\nfamily = \"{family}\"\n{product}category = \"{category}\"\n+++\n{body}\n"
    )
}

/// A small knowledge base in a fresh folder.
fn content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "fr/articles/telecharger-document-signe.md",
        &article(
            "fr",
            "esignature",
            None,
            "signing",
            "Télécharger le document signé",
            "Ouvrez l’enveloppe terminée puis cliquez sur **Télécharger** pour obtenir le PDF.",
        ),
    );
    write(
        d,
        "en/articles/telecharger-document-signe.md",
        &article(
            "en",
            "esignature",
            None,
            "signing",
            "Download the signed document",
            "Open the completed envelope and click **Download** to get the PDF.",
        ),
    );
    write(
        d,
        "en/articles/ksign-pin-blocked.md",
        &article(
            "en",
            "other",
            Some("ksign"),
            "ksign",
            "Unblock a K.Sign card after a blocked PIN",
            "Three wrong PIN codes block the card. Use the PUK code to unblock it.",
        ),
    );
    write(
        d,
        "en/articles/reset-password.md",
        &article(
            "en",
            "esignature",
            None,
            "accounts-users",
            "Reset a forgotten password",
            "Click Forgot password on the sign-in page and follow the e-mail.",
        ),
    );
    write(
        d,
        "en/posts/cannot-download-pdf.md",
        "+++\ntitle = \"Cannot download the signed PDF\"\nlocale = \"en\"\nfamily = \"esignature\"\ncategory = \"signing\"\nauthor = \"Sam T.\"\nasked = 2026-05-01\n\n[[answers]]\nauthor = \"Guichet team\"\naccepted = true\nbody = \"\"\"Allow pop-ups and downloads from our domain.\"\"\"\n+++\nThe download button does nothing in my browser.\n",
    );
    dir
}

async fn app_with(db: &TestDb, content: &Path) -> TestApp {
    let dir = content.display().to_string();
    TestApp::with_config(config_with(
        db,
        &[("GUICHET_CONTENT_DIR", &dir), ("GUICHET_INDEX_POLL", "1h")],
    ))
    .await
}

async fn get(app: &TestApp, uri: &str) -> support::Reply {
    let req = Request::get(uri)
        .header(header::HOST, "127.0.0.1:3000")
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))))
        .body(Body::empty())
        .expect("request");
    app.send(req).await
}

async fn suggest(app: &TestApp, query: &str) -> serde_json::Value {
    let reply = get(app, &format!("/api/help/suggest?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    serde_json::from_str(&reply.body).expect("json")
}

fn slugs(v: &serde_json::Value, kind: &str) -> Vec<String> {
    v[kind]
        .as_array()
        .map(|a| a.iter().filter_map(|h| h["slug"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn import_reports_added_updated_skipped_and_malformed_files(db: TestDb) {
    let dir = content();
    let app = app_with(&db, dir.path()).await;
    // The demo import at start-up already loaded the folder: a second run skips all.
    let again = import_dir(&app.state.db, dir.path()).await.expect("import");
    assert!(again.added.is_empty() && again.updated.is_empty(), "{again}");
    assert_eq!(again.unchanged, 5);

    write(
        dir.path(),
        "en/articles/broken.md",
        "+++\ntitle = \"Broken\nlocale = \"en\"\n+++\nbody\n",
    );
    write(
        dir.path(),
        "en/articles/bad-category.md",
        &article("en", "esignature", None, "nowhere", "Bad category", "Body."),
    );
    write(
        dir.path(),
        "en/articles/reset-password.md",
        &article(
            "en",
            "esignature",
            None,
            "accounts-users",
            "Reset a forgotten password",
            "Changed body: use the link in the e-mail.",
        ),
    );
    write(
        dir.path(),
        "fr/articles/nouvel-article.md",
        &article(
            "fr",
            "esignature",
            None,
            "billing",
            "Nouvelle facture",
            "Les factures sont mensuelles.",
        ),
    );
    let report = import_dir(&app.state.db, dir.path()).await.expect("import");
    assert_eq!(report.added, vec!["fr/nouvel-article".to_owned()], "{report}");
    assert_eq!(report.updated, vec!["en/reset-password".to_owned()], "{report}");
    assert_eq!(report.unchanged, 4, "{report}");
    assert_eq!(report.errors.len(), 2, "{report}");
    let broken = report
        .errors
        .iter()
        .find(|e| e.path.ends_with("broken.md"))
        .expect("broken reported");
    assert_eq!(broken.line, 2, "{broken}");
    let bad = report
        .errors
        .iter()
        .find(|e| e.path.ends_with("bad-category.md"))
        .expect("bad category reported");
    assert_eq!(bad.line, 5, "{bad}");
    assert!(bad.message.contains("nowhere"), "{bad}");
}

async fn the_index_follows_edits_also_from_another_process(db: TestDb) {
    let dir = content();
    let app = app_with(&db, dir.path()).await;
    let before = suggest(&app, "locale=en&q=zanzibar").await;
    assert!(slugs(&before, "articles").is_empty());
    write(
        dir.path(),
        "en/articles/reset-password.md",
        &article(
            "en",
            "esignature",
            None,
            "accounts-users",
            "Reset a forgotten password",
            "Works from Zanzibar too.",
        ),
    );
    // A second server process over the same database, built before the edit.
    let other = TestApp::with_config(config_with(
        &db,
        &[("GUICHET_DEMO", "false"), ("GUICHET_INDEX_POLL", "1h")],
    ))
    .await;
    import_dir(&app.state.db, dir.path()).await.expect("import");
    assert!(
        app.state.help.refresh().await.expect("refresh"),
        "this process sees the change"
    );
    assert_eq!(
        slugs(&suggest(&app, "locale=en&q=zanzibar").await, "articles"),
        vec!["reset-password"]
    );
    // The other process, at its next poll.
    let seen = other.state.help.refresh().await.expect("refresh");
    assert!(seen, "the other process sees the change at its next poll");
    assert_eq!(
        slugs(&suggest(&other, "locale=en&q=zanzibar").await, "articles"),
        vec!["reset-password"]
    );
    // Nothing changed since: no rebuild.
    assert!(!other.state.help.refresh().await.expect("refresh"));
}

async fn suggestions_filter_by_language_and_family(db: TestDb) {
    let dir = content();
    let app = app_with(&db, dir.path()).await;
    // A typo ("dowload") and a half-typed last word ("signe" of "signed").
    let en = suggest(&app, "locale=en&q=dowload%20the%20signe").await;
    assert_eq!(
        slugs(&en, "articles").first().map(String::as_str),
        Some("telecharger-document-signe")
    );
    assert_eq!(slugs(&en, "posts"), vec!["cannot-download-pdf"]);
    let title = en["articles"][0]["title_html"].as_str().unwrap_or_default();
    assert!(title.contains("<b>"), "highlighted: {title}");
    // Missing accents in French.
    let fr = suggest(&app, "locale=fr&q=telecharger%20le%20document%20signe").await;
    assert_eq!(slugs(&fr, "articles"), vec!["telecharger-document-signe"]);
    assert!(slugs(&fr, "posts").is_empty(), "the post is English only");
    // The family filter.
    let other = suggest(&app, "locale=en&family=other&q=blocked%20pin").await;
    assert_eq!(slugs(&other, "articles"), vec!["ksign-pin-blocked"]);
    let esign = suggest(&app, "locale=en&family=esignature&q=blocked%20pin").await;
    assert!(!slugs(&esign, "articles").contains(&"ksign-pin-blocked".to_owned()));
    // Under three characters: nothing.
    assert!(slugs(&suggest(&app, "locale=en&q=do").await, "articles").is_empty());
    // Asked as a browser asks, the suggestions come uncompressed (a few kilobytes
    // on every pause in typing); pages are still compressed.
    for (uri, compressed) in [("/api/help/suggest?locale=en&q=download%20signed", false), ("/", true)] {
        let req = Request::get(uri)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")
            .body(Body::empty())
            .expect("request");
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(
            reply.headers.contains_key(header::CONTENT_ENCODING),
            compressed,
            "{uri}"
        );
        // Outside the session middleware, still inside the security headers.
        assert_eq!(
            reply
                .headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .and_then(|v| v.to_str().ok()),
            Some("nosniff"),
            "{uri}"
        );
    }
    // Without a `locale` parameter: the language switch's cookie, else the
    // browser's language. A session cookie (here one that matches no session)
    // changes nothing.
    let q = "/api/help/suggest?q=telecharger%20document";
    for (headers, expected) in [
        (vec![(header::ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9")], "Télécharger"),
        (vec![(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")], "Download"),
        (
            vec![
                (header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9"),
                (header::COOKIE, "guichet_session=nobody; guichet_lang=fr"),
            ],
            "Télécharger",
        ),
    ] {
        let mut req = Request::get(q).header(header::HOST, "127.0.0.1:3000");
        for (name, value) in &headers {
            req = req.header(name, *value);
        }
        let reply = app.send(req.body(Body::empty()).expect("request")).await;
        assert_eq!(reply.status, StatusCode::OK, "{headers:?}");
        let json: serde_json::Value = serde_json::from_str(&reply.body).expect("json");
        let title = json["articles"][0]["title_html"].as_str().unwrap_or_default();
        assert!(title.contains(expected), "{headers:?}: {title}");
    }
}

async fn hostile_queries_get_a_sane_200(db: TestDb) {
    let dir = content();
    let app = app_with(&db, dir.path()).await;
    let long = "download ".repeat(1200);
    let hostile = [
        "<script>alert(1)</script> download",
        "!!!???...,,,;;;",
        ".*(a|b)[ download \\d+$",
        "title:download AND \"signed OR (pdf",
        "NOT * ~ ^2 {} [] download~2",
        "\u{0}\u{7}\u{202e}download",
        long.as_str(),
        &"é".repeat(10_000),
    ];
    for q in hostile {
        let v = suggest(&app, &format!("locale=en&q={}", support::urlencode(q))).await;
        let text = v.to_string();
        assert!(!text.contains("<script"), "{text}");
        let page = get(&app, &format!("/help/search?q={}", support::urlencode(q))).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script>alert"), "search page echoes raw HTML");
    }
    // Undecodable percent-encoding and odd parameters.
    for raw in ["q=%FF%FE%FD&locale=en", "q=&locale=xx&family=zz", "q", "", "q=%zz%"] {
        let reply = get(&app, &format!("/api/help/suggest?{raw}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{raw}: {}", reply.body);
    }
}

async fn markdown_with_script_renders_inert(db: TestDb) {
    let dir = content();
    write(
        dir.path(),
        "en/articles/hostile.md",
        &article(
            "en",
            "esignature",
            None,
            "errors",
            "Hostile article",
            "Hi <script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(2)> <a href=\\\"#\\\" onclick=\\\"alert(3)\\\">a</a>",
        ),
    );
    let app = app_with(&db, dir.path()).await;
    let page = get(&app, "/help/articles/hostile").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Hostile article"));
    // Whatever the Markdown held, no tag carries a script, a handler or a
    // `javascript:` URL (the same text may remain, escaped, as harmless words).
    let lower = page.body.to_lowercase();
    assert!(!lower.contains("<script>alert"), "a script tag survived");
    for tag in lower
        .split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or_default())
    {
        for bad in ["onclick", "onerror", "javascript:"] {
            assert!(!tag.contains(bad), "{bad} survived in <{tag}>");
        }
    }
}

async fn deflection_events_are_counted(db: TestDb) {
    let dir = content();
    let app = app_with(&db, dir.path()).await;
    for kind in ["suggested", "suggested", "opened", "solved"] {
        let reply = app
            .call(
                "/api/help/event",
                &format!("kind={kind}&item=article&slug=reset-password"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{kind}: {}", reply.body);
    }
    let bad = app
        .call("/api/help/event", "kind=delete&item=article&slug=x", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let signed_in = app.sign_in("admin@example.com", "guichet-demo", None).await;
    let cookie = signed_in.session_cookie().expect("admin session");
    let report = app.call("/api/help/deflection", "", Some(&cookie)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let v: serde_json::Value = serde_json::from_str(&report.body).expect("json");
    let row = v["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["slug"] == "reset-password"))
        .cloned()
        .expect("row");
    assert_eq!(
        (
            row["suggested"].as_u64(),
            row["opened"].as_u64(),
            row["solved"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(v["solved"].as_u64(), Some(1));
    // Customers do not see the figures.
    let customer = app.sign_in("claire.martin@example.com", "guichet-demo", None).await;
    let cookie = customer.session_cookie().expect("customer session");
    let refused = app.call("/api/help/deflection", "", Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

/// The same article and community post, once with TOML front matter and once with
/// YAML: the second import finds nothing to change. A YAML mistake names its line.
async fn yaml_and_toml_front_matter_import_the_same_items(db: TestDb) {
    let app = app_with(&db, content().path()).await;
    let toml = tempfile::tempdir().expect("tempdir");
    write(
        toml.path(),
        "fr/articles/signer-sur-mobile.md",
        "+++\ntitle = \"Signer sur mobile\"\nlocale = \"fr\"\nfamily = \"other\"\nproduct = \"ksign\"\n\
         category = \"ksign\"\npublished = true\n+++\nOuvrez l’application **K.Sign**.\n",
    );
    write(
        toml.path(),
        "fr/posts/signature-telephone.md",
        "+++\ntitle = \"Signer depuis un téléphone\"\nlocale = \"fr\"\nfamily = \"other\"\nproduct = \"ksign\"\n\
         category = \"ksign\"\nauthor = \"Priya N.\"\nasked = 2026-05-14\n\n[[answers]]\nauthor = \"Marc\"\n\
         accepted = true\nbody = \"\"\"\nUtilisez l’application **mobile**.\n\"\"\"\n+++\nComment signer sur mon téléphone ?\n",
    );
    let yaml = tempfile::tempdir().expect("tempdir");
    write(
        yaml.path(),
        "fr/articles/signer-sur-mobile.md",
        "---\ntitle: Signer sur mobile\nlocale: fr\nfamily: other\nproduct: ksign\ncategory: ksign\n\
         published: true\n---\nOuvrez l’application **K.Sign**.\n",
    );
    write(
        yaml.path(),
        "fr/posts/signature-telephone.md",
        "---\ntitle: \"Signer depuis un téléphone\"\nlocale: fr\nfamily: other\nproduct: ksign\ncategory: ksign\n\
         author: Priya N.\nasked: 2026-05-14\nanswers:\n  - author: Marc\n    accepted: true\n    body: |\n      \
         Utilisez l’application **mobile**.\n---\nComment signer sur mon téléphone ?\n",
    );
    let first = import_dir(&app.state.db, toml.path()).await.expect("import");
    assert_eq!(first.added.len(), 2, "{first}");
    assert!(first.errors.is_empty(), "{first}");
    let second = import_dir(&app.state.db, yaml.path()).await.expect("import");
    assert!(second.errors.is_empty(), "{second}");
    assert!(second.added.is_empty() && second.updated.is_empty(), "{second}");
    assert_eq!(second.unchanged, 2, "{second}");

    write(
        yaml.path(),
        "fr/articles/casse.md",
        "---\ntitle: Cassé\nlocale: fr\nfamily: [esignature\ncategory: signing\n---\nCorps.\n",
    );
    write(
        yaml.path(),
        "fr/articles/date-fausse.md",
        "---\ntitle: Date\nlocale: fr\nfamily: esignature\ncategory: signing\nmystery: 1\n---\nCorps.\n",
    );
    let third = import_dir(&app.state.db, yaml.path()).await.expect("import");
    assert_eq!(third.errors.len(), 2, "{third}");
    let broken = third
        .errors
        .iter()
        .find(|e| e.path.ends_with("casse.md"))
        .expect("reported");
    assert!((4..=6).contains(&broken.line), "{broken}");
    let unknown = third
        .errors
        .iter()
        .find(|e| e.path.ends_with("date-fausse.md"))
        .expect("reported");
    assert!(unknown.message.contains("mystery"), "{unknown}");
    assert_eq!(third.unchanged, 2, "{third}");
}
