//! The foundation against a real database: migrations, sessions, CSRF, rate limits.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::{EntityTrait, PaginatorTrait};
use server::db::entities::{account, membership, user};
use support::{TestApp, TestDb, post};

const CLAIRE: &str = "claire.martin@example.com";
const PASSWORD: &str = "guichet-demo";

on_every_database!(
    migrations_run_from_empty_and_demo_is_idempotent,
    sign_in_sets_a_safe_cookie_and_rotates_the_session_id,
    sign_out_ends_the_session_in_the_database,
    a_forged_cross_site_post_is_refused,
    failed_sign_ins_are_rate_limited_per_account,
    failed_sign_ins_are_rate_limited_per_address,
    sessions_survive_a_restart,
    switching_account_requires_membership,
    a_plain_form_post_with_bad_credentials_comes_back_with_the_error,
    health_checks_the_database,
);

async fn migrations_run_from_empty_and_demo_is_idempotent(db: TestDb) {
    let app = TestApp::start(&db).await;
    let users = user::Entity::find().count(&app.state.db).await.expect("count users");
    let accounts = account::Entity::find()
        .count(&app.state.db)
        .await
        .expect("count accounts");
    let memberships = membership::Entity::find().count(&app.state.db).await.expect("count");
    assert_eq!((users, accounts), (10, 6));
    drop(app);
    // A second start migrates nothing new and duplicates nothing.
    let again = TestApp::start(&db).await;
    assert_eq!(user::Entity::find().count(&again.state.db).await.expect("count"), users);
    assert_eq!(
        membership::Entity::find().count(&again.state.db).await.expect("count"),
        memberships
    );
}

async fn sign_in_sets_a_safe_cookie_and_rotates_the_session_id(db: TestDb) {
    let app = TestApp::start(&db).await;
    let first = app.sign_in(CLAIRE, PASSWORD, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let raw = first.set_cookie("guichet_session").expect("a session cookie");
    assert!(raw.contains("HttpOnly") && raw.contains("SameSite=Lax"), "{raw}");
    let a = first.session_cookie().expect("cookie");
    assert_eq!(app.viewer_email(&a).await.as_deref(), Some(CLAIRE));

    // Signing in again from the same browser issues a new id and kills the old one.
    let second = app.sign_in("  Claire.Martin@EXAMPLE.com ", PASSWORD, Some(&a)).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let b = second.session_cookie().expect("cookie");
    assert_ne!(a, b);
    assert_eq!(app.viewer_email(&a).await, None);
    assert_eq!(app.viewer_email(&b).await.as_deref(), Some(CLAIRE));
}

async fn sign_out_ends_the_session_in_the_database(db: TestDb) {
    let app = TestApp::start(&db).await;
    let cookie = app
        .sign_in(CLAIRE, PASSWORD, None)
        .await
        .session_cookie()
        .expect("cookie");
    let out = app.call("/api/sign_out", "", Some(&cookie)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(
        out.set_cookie("guichet_session")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    // The old cookie, replayed, is worth nothing.
    assert_eq!(app.viewer_email(&cookie).await, None);
}

async fn a_forged_cross_site_post_is_refused(db: TestDb) {
    let app = TestApp::start(&db).await;
    let form = format!("family=esignature&email={CLAIRE}&password={PASSWORD}");
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")] {
        let req = post("/api/sign_in", None)
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(form.clone()))
            .expect("request");
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(reply.session_cookie().is_none());
    }
    // The same request from our own origin works.
    let ok = app.sign_in(CLAIRE, PASSWORD, None).await;
    assert_eq!(ok.status, StatusCode::OK);
}

async fn failed_sign_ins_are_rate_limited_per_account(db: TestDb) {
    let app = TestApp::start(&db).await;
    for _ in 0..5 {
        let r = app.sign_in(CLAIRE, "wrong", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert!(r.body.contains("BadCredentials"), "{}", r.body);
    }
    // Locked now, even with the right password, and the answer says so.
    let locked = app.sign_in(CLAIRE, PASSWORD, None).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
    assert!(locked.session_cookie().is_none());
    // Another account is not affected.
    let other = app.sign_in("jean.dubois@example.com", PASSWORD, None).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
}

async fn failed_sign_ins_are_rate_limited_per_address(db: TestDb) {
    let app = TestApp::start(&db).await;
    // Eight failures spread over unknown addresses, from one IP (the test limit).
    for i in 0..8 {
        let r = app.sign_in(&format!("nobody{i}@example.com"), "guess", None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.sign_in(CLAIRE, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn sessions_survive_a_restart(db: TestDb) {
    let cookie = {
        let app = TestApp::start(&db).await;
        app.sign_in(CLAIRE, PASSWORD, None)
            .await
            .session_cookie()
            .expect("cookie")
    };
    let restarted = TestApp::start(&db).await;
    assert_eq!(restarted.viewer_email(&cookie).await.as_deref(), Some(CLAIRE));
}

async fn switching_account_requires_membership(db: TestDb) {
    let app = TestApp::start(&db).await;
    let cookie = app
        .sign_in(CLAIRE, PASSWORD, None)
        .await
        .session_cookie()
        .expect("cookie");
    let accounts = account::Entity::find().all(&app.state.db).await.expect("accounts");
    let id_of = |name: &str| accounts.iter().find(|a| a.name == name).map(|a| a.id).expect(name);
    let ok = app
        .call(
            "/api/switch_account",
            &format!("account_id={}", id_of("Cabinet Dubois")),
            Some(&cookie),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let viewer = app.call("/api/viewer", "", Some(&cookie)).await;
    let v: serde_json::Value = serde_json::from_str(&viewer.body).expect("json");
    assert_eq!(v["active_account_id"], id_of("Cabinet Dubois"));
    // Emma's account is not Claire's: refused as if it did not exist.
    let refused = app
        .call(
            "/api/switch_account",
            &format!("account_id={}", id_of("Wilson & Co")),
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    // Signed out: refused.
    let anonymous = app.call("/api/switch_account", "account_id=1", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // Garbage: a 400, not a 500.
    let garbage = app
        .call("/api/switch_account", "account_id=%27%3B--", Some(&cookie))
        .await;
    assert_eq!(garbage.status.as_u16() / 100, 4, "{}", garbage.body);
}

async fn a_plain_form_post_with_bad_credentials_comes_back_with_the_error(db: TestDb) {
    let app = TestApp::start(&db).await;
    let form = format!("family=esignature&email={CLAIRE}&password=nope");
    let req = post("/api/sign_in", None)
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::REFERER, "http://127.0.0.1:3000/signin?family=esignature")
        .body(Body::from(form.clone()))
        .expect("request");
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply.headers[header::LOCATION].to_str().expect("location").to_owned();
    assert!(
        location.contains("/signin?family=esignature") && location.contains("__err="),
        "{location}"
    );
    // Following it renders the error and the e-mail.
    let path = location.trim_start_matches("http://127.0.0.1:3000");
    let page = app
        .send(
            Request::get(path)
                .header(header::ACCEPT_LANGUAGE, "fr")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("E-mail ou mot de passe incorrect."), "{}", page.body);
    assert!(page.body.contains(&format!("value=\"{CLAIRE}\"")));
}

async fn health_checks_the_database(db: TestDb) {
    let app = TestApp::start(&db).await;
    let reply = app
        .send(Request::get("/healthz").body(Body::empty()).expect("request"))
        .await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
}
