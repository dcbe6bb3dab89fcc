//! Server functions of the accounts area. Each one reads the request context, calls
//! the accounts port and maps the result; the work lives in the server's services.

use crate::error::AppError;
use domain::wire::accounts::Viewer;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    pub use crate::error::reply_error;
    pub use crate::request::*;
    pub use crate::response::*;
    pub use domain::ports::{AccountsError, AccountsPort};

    /// A plain form post is redirected by the server. With JavaScript the page does a
    /// full load itself (see `reload_to`): the interface language may change with
    /// who is signed in, and every string must follow.
    pub fn redirect_plain_form(to: &str) {
        if accepts_html() {
            leptos_axum::redirect(to);
        }
    }

    pub fn port() -> Result<AccountsPort, AppError> {
        leptos::prelude::use_context::<AccountsPort>().ok_or(AppError::Internal)
    }

    /// Maps a port error to what the user may see; storage details go to the log.
    pub fn map_err(e: AccountsError, email: &str) -> AppError {
        let wire = match e {
            AccountsError::BadCredentials => AppError::BadCredentials {
                email: email.to_owned(),
            },
            AccountsError::RateLimited => AppError::RateLimited {
                email: email.to_owned(),
            },
            AccountsError::NotAMember => AppError::NotFound,
            AccountsError::ResetLinkInvalid => AppError::Password(domain::password::PasswordProblem::LinkInvalid),
            AccountsError::Limited(l) => AppError::Limit(l),
            AccountsError::Storage(cause) => crate::error::internal("accounts", cause.as_ref()),
        };
        reply_error(wire)
    }
}

/// The signed-in user, if any.
#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(ssr::current_session().map(|s| s.viewer))
}

/// Signs in with the product family chosen first, then e-mail and password.
#[server(endpoint = "sign_in")]
pub async fn sign_in(family: String, email: String, password: String) -> Result<(), AppError> {
    use domain::{ProductFamily, email as mail};
    use ssr::*;
    let family =
        ProductFamily::parse(&family).ok_or_else(|| reply_error(AppError::Invalid { field: "family".into() }))?;
    // No account has an address that is not plausible (a NUL byte, 1 MB): the
    // same answer as a wrong password, without a query.
    if email.len() > 320 || password.len() > 1024 {
        return Err(map_err(AccountsError::BadCredentials, ""));
    }
    if !mail::is_plausible(&mail::normalize(&email)) {
        return Err(map_err(AccountsError::BadCredentials, email.trim()));
    }
    let ctx = request_context().ok_or(AppError::Internal)?;
    let attempt = domain::ports::SignInAttempt {
        email: mail::normalize(&email),
        password,
        family,
        ip: ctx.client_ip,
        previous_token_hash: ctx.session.map(|s| s.token_hash),
    };
    let session = port()?.sign_in(attempt).await.map_err(|e| map_err(e, email.trim()))?;
    set_cookie(SESSION_COOKIE, &session.token, session.max_age_secs);
    redirect_plain_form("/");
    Ok(())
}

/// Ends the session for good (the row is deleted, not just the cookie).
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use ssr::*;
    if let Some(session) = current_session() {
        port()?
            .sign_out(&session.token_hash)
            .await
            .map_err(|e| map_err(e, ""))?;
    }
    set_cookie(SESSION_COOKIE, "", 0);
    redirect_plain_form("/");
    Ok(())
}

/// Ends every session of the signed-in user (a lost phone, a shared computer), this
/// one included.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use ssr::*;
    let session = require_session()?;
    port()?
        .sign_out_everywhere(session.viewer.user_id)
        .await
        .map_err(|e| map_err(e, ""))?;
    set_cookie(SESSION_COOKIE, "", 0);
    redirect_plain_form("/");
    Ok(())
}

/// Makes another of the user's accounts the active one.
#[server(endpoint = "switch_account")]
pub async fn switch_account(account_id: i64) -> Result<(), AppError> {
    use ssr::*;
    let session = require_session()?;
    port()?
        .switch_account(&session.token_hash, account_id)
        .await
        .map_err(|e| map_err(e, ""))
}

/// Changes the interface language: a cookie for everyone, the preference for users.
#[server(endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    use domain::Locale;
    use ssr::*;
    let locale = Locale::parse(&locale).ok_or_else(|| reply_error(AppError::Invalid { field: "locale".into() }))?;
    set_cookie(LOCALE_COOKIE, locale.as_str(), 60 * 60 * 24 * 365);
    if let Some(session) = current_session() {
        port()?
            .set_locale(session.viewer.user_id, locale)
            .await
            .map_err(|e| map_err(e, ""))?;
    }
    Ok(())
}

/// Asks for a password-reset link. The answer is the same whether or not the
/// address has an account; only a malformed address is refused.
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use domain::email as mail;
    use ssr::*;
    let email = mail::normalize(&email);
    if email.len() > 320 || !mail::is_plausible(&email) {
        return Err(reply_error(AppError::Invalid { field: "email".into() }));
    }
    let ip = request_context().and_then(|c| c.client_ip);
    port()?
        .request_password_reset(&email, ip)
        .await
        .map_err(|e| map_err(e, ""))?;
    redirect_plain_form("/password/forgot?sent=1");
    Ok(())
}

/// Sets a new password with the link's token; every session of the user ends.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    use domain::password::{PasswordProblem, check_new};
    use ssr::*;
    if token.is_empty() || token.len() > 128 {
        return Err(reply_error(AppError::Password(PasswordProblem::LinkInvalid)));
    }
    check_new(&password, &confirm).map_err(|p| reply_error(AppError::Password(p)))?;
    port()?
        .reset_password(&token, &password)
        .await
        .map_err(|e| map_err(e, ""))?;
    // The browser's cookie, if any, named a session that no longer exists.
    set_cookie(SESSION_COOKIE, "", 0);
    redirect_plain_form("/signin?reset=1");
    Ok(())
}

/// Everything the header and pages need to know about the session, shared through
/// context so that an action anywhere refreshes the viewer everywhere.
#[derive(Clone, Copy)]
pub struct SessionState {
    pub viewer: Resource<Result<Option<Viewer>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub sign_out_everywhere: ServerAction<SignOutEverywhere>,
    pub switch_account: ServerAction<SwitchAccount>,
    pub set_locale: ServerAction<SetLocale>,
}

impl SessionState {
    pub fn provide() -> Self {
        let sign_in = ServerAction::<SignIn>::new();
        let sign_out = ServerAction::<SignOut>::new();
        let sign_out_everywhere = ServerAction::<SignOutEverywhere>::new();
        let switch_account = ServerAction::<SwitchAccount>::new();
        let set_locale = ServerAction::<SetLocale>::new();
        let viewer = Resource::new(
            move || {
                (
                    sign_in.version().get(),
                    sign_out.version().get(),
                    switch_account.version().get(),
                )
            },
            |_| get_viewer(),
        );
        reload_to(sign_in, "/");
        reload_to(sign_out, "/");
        reload_to(sign_out_everywhere, "/");
        let state = SessionState {
            viewer,
            sign_in,
            sign_out,
            sign_out_everywhere,
            switch_account,
            set_locale,
        };
        provide_context(state);
        state
    }
}

pub fn use_session() -> SessionState {
    expect_context::<SessionState>()
}

/// After sign-in or sign-out: a full page load, so that the whole page (language
/// included) is rendered for the new session.
pub fn reload_to<S>(action: ServerAction<S>, to: &'static str)
where
    S: leptos::server_fn::ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            #[cfg(feature = "browser")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(to);
            }
            #[cfg(not(feature = "browser"))]
            let _ = to;
        }
    });
}
