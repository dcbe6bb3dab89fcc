//! `POST /tickets/new` (the ticket form, multipart, with or without JavaScript),
//! `POST /tickets/{number}/attachments` and `GET /attachments/{id}`.

use super::error::{Answer, Failed, HttpError, SignedIn};
use super::upload::{self, Stop};
use crate::AppState;
use crate::services::files;
use crate::services::tickets::NewTicket;
use app::request::FormSubmission;
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ProductFamily;
use domain::forms::{FieldError, FieldKind, FieldProblem, RESERVED, validate};
use domain::ticket::{MAX_FILES_AT_ONCE, ticket_url};
use domain::wire::tickets::CreateOutcome;
use std::collections::BTreeMap;

/// The multipart body of a request whose headers were already read.
async fn multipart(state: &AppState, parts: &Parts, body: Body, answer: &Answer) -> Result<Multipart, Failed> {
    Multipart::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|_| answer.fail(HttpError::refused(StatusCode::BAD_REQUEST, "error.invalid")))
}

pub async fn create(State(state): State<AppState>, req: Request) -> Result<Response, Failed> {
    let (mut parts, body) = req.into_parts();
    let answer = Answer::of(&parts);
    let SignedIn(viewer) = SignedIn::from_request_parts(&mut parts, &state).await?;
    let Some(account_id) = viewer.active_account_id else {
        return Err(answer.fail(HttpError::refused(StatusCode::FORBIDDEN, "tickets.no_account")));
    };
    let multipart = multipart(&state, &parts, body, &answer).await?;
    let storage = state.tickets.storage();
    // One file at creation: a second one is refused, the first discarded.
    let mut got = upload::read(multipart, storage, state.config.max_upload_bytes, 1).await;
    let mut file_problem = match got.stopped.take() {
        Some(Stop::Storage(e)) => {
            got.discard(storage).await;
            return Err(answer.fail(HttpError::Unavailable(e.into())));
        }
        Some(Stop::File { field, problem, .. }) => Some((field, problem)),
        Some(Stop::TooManyFiles { field }) => Some((field, FieldProblem::Unknown)),
        // What was read before the body broke off is kept for the form.
        Some(Stop::Broken | Stop::TooManyParts) | None => None,
    };
    let forms = state.tickets_forms();
    let Some((family, form)) = got
        .texts
        .get("family")
        .and_then(|f| ProductFamily::parse(f))
        .and_then(|family| forms.form(family).map(|form| (family, form)))
    else {
        got.discard(storage).await;
        return Err(answer.fail(HttpError::refused(StatusCode::BAD_REQUEST, "error.invalid")));
    };
    let key = got
        .texts
        .get("idempotency_key")
        .cloned()
        .filter(|k| !k.is_empty() && k.len() <= 64);
    let switch_family = got.texts.contains_key("switch_family");
    let mut posted: BTreeMap<String, String> = std::mem::take(&mut got.texts)
        .into_iter()
        .filter(|(name, _)| !["family", "idempotency_key", "switch_family"].contains(&name.as_str()))
        .filter(|(name, _)| !RESERVED.contains(&name.as_str()))
        .collect();

    // Without JavaScript, the family switch posts the form: show the other family's
    // form with every value kept, and no errors yet.
    if switch_family && !answer.json {
        got.discard(storage).await;
        return Ok(render_form(&state, parts, family, posted, Vec::new(), key, StatusCode::OK).await);
    }

    let file_field = form
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::File))
        .map(|f| f.name.clone());
    // One validation: its clean values are what gets stored when nothing else fails.
    let (values, mut errors) = match validate(form, &posted, &app::request::today()) {
        Ok(values) => (values, Vec::new()),
        Err(errors) => (Default::default(), errors),
    };
    for name in got.too_long.iter().filter(|n| posted.contains_key(*n)) {
        errors.retain(|e| &e.field != name);
        let max = match form.field(name).map(|f| &f.kind) {
            Some(FieldKind::LongText { max, .. } | FieldKind::ShortText { max, .. }) => *max,
            _ => upload::MAX_TEXT_BYTES,
        };
        errors.push(FieldError {
            field: name.clone(),
            problem: FieldProblem::TooLong { max },
        });
    }
    if let Some((field, problem)) = file_problem.take() {
        errors.push(FieldError { field, problem });
    } else if let Some((field, _)) = got.files.first()
        && Some(field) != file_field.as_ref()
    {
        errors.push(FieldError {
            field: field.clone(),
            problem: FieldProblem::Unknown,
        });
    }
    if !errors.is_empty() {
        got.discard(storage).await;
        return Ok(if answer.json {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(CreateOutcome::Invalid { errors }),
            )
                .into_response()
        } else {
            let values = std::mem::take(&mut posted);
            render_form(
                &state,
                parts,
                family,
                values,
                errors,
                key,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        });
    }
    let number = state
        .tickets
        .create(NewTicket {
            requester_id: viewer.user_id,
            account_id,
            family,
            values,
            upload: got.files.pop().map(|(_, u)| u),
            idempotency_key: key,
            follow_up_of: None,
        })
        .await
        .map_err(|e| answer.fail(HttpError::internal(e)))?;
    let url = ticket_url(&number);
    Ok(if answer.json {
        (StatusCode::CREATED, Json(CreateOutcome::Created { number, url })).into_response()
    } else {
        Redirect::to(&format!("{url}?created=1")).into_response()
    })
}

/// Renders the new-ticket page in answer to the POST itself: the values typed and
/// the errors come back without a round trip through the URL.
async fn render_form(
    state: &AppState,
    mut parts: Parts,
    family: ProductFamily,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    key: Option<String>,
    status: StatusCode,
) -> Response {
    let submission = FormSubmission {
        family,
        values,
        errors,
        idempotency_key: key.unwrap_or_else(app::request::new_idempotency_key),
    };
    let context = {
        let base = super::leptos_context(state.clone());
        move || {
            base();
            leptos::prelude::provide_context(submission.clone());
        }
    };
    parts.method = axum::http::Method::GET;
    let handler = leptos_axum::render_app_async_with_context(context, {
        let options = state.leptos.clone();
        move || app::shell(options.clone())
    });
    let mut res = handler(Request::from_parts(parts, Body::empty())).await.into_response();
    *res.status_mut() = status;
    res
}

/// Downloads are for those who may see the ticket; anyone else, signed in or not,
/// gets the same 404 as for a missing file. Always an attachment, never rendered
/// inline.
pub async fn download(
    State(state): State<AppState>,
    answer: Answer,
    viewer: Option<SignedIn>,
    Path(id): Path<String>,
) -> Result<Response, Failed> {
    let (Some(SignedIn(viewer)), Ok(id)) = (viewer, id.parse::<i64>()) else {
        return Err(answer.fail(HttpError::NotFound));
    };
    let (meta, bytes) = state
        .tickets
        .attachment(&viewer, id)
        .await
        .map_err(|e| answer.fail(e))?;
    let mut res = Response::new(Body::from_stream(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(files::served_type(&meta.content_type, &meta.file_name))
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&meta.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Opened anyway (a browser's viewer, a proxy), it runs nothing.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}

/// RFC 6266: an ASCII fallback name for old clients, and the real name encoded once
/// (RFC 5987) for the others.
fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        percent(name)
    )
}

/// RFC 5987 encoding for `filename*`.
fn percent(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `POST /tickets/{number}/attachments`: one or more files (`files` parts) added to
/// a ticket, each with the checks of the new-ticket form (size, sniffed type, safe
/// name). JSON for JavaScript; otherwise a redirect back to the ticket that says
/// how many were added, or which file was refused and why. The first refused file
/// stops the whole post (a customer never ends up with half of what they chose).
pub async fn attach(
    State(state): State<AppState>,
    Path(number): Path<String>,
    req: Request,
) -> Result<Response, Failed> {
    let (mut parts, body) = req.into_parts();
    let back = ticket_url(&number);
    let answer = Answer::of(&parts).back_to(back.clone());
    let SignedIn(viewer) = SignedIn::from_request_parts(&mut parts, &state).await?;
    // Who may add files to this ticket is settled before a byte of the body is read.
    state
        .tickets
        .may_attach(&viewer, &number)
        .await
        .map_err(|e| answer.fail(e))?;
    let multipart = multipart(&state, &parts, body, &answer).await?;
    let storage = state.tickets.storage();
    let mut got = upload::read(multipart, storage, state.config.max_upload_bytes, MAX_FILES_AT_ONCE).await;
    if let Some(stop) = got.stopped.take() {
        got.discard(storage).await;
        let unprocessable = |key: &'static str, file: Option<String>| HttpError::Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            key,
            file,
        };
        return Err(answer.fail(match stop {
            Stop::Storage(e) => HttpError::Unavailable(e.into()),
            Stop::File { name, problem, .. } => unprocessable(problem.message_key(), Some(files::safe_name(&name))),
            Stop::TooManyFiles { .. } => unprocessable("attach.too_many", None),
            // Past the body limit, or a broken body.
            Stop::Broken => unprocessable("validation.file_too_large", None),
            Stop::TooManyParts => unprocessable("error.invalid", None),
        }));
    }
    if got.files.is_empty() {
        return Err(answer.fail(HttpError::refused(StatusCode::UNPROCESSABLE_ENTITY, "attach.none")));
    }
    let uploads = got.files.drain(..).map(|(_, u)| u).collect();
    let n = state
        .tickets
        .attach(&viewer, &number, uploads)
        .await
        .map_err(|e| answer.fail(e))?;
    Ok(if answer.json {
        Json(serde_json::json!({ "added": n })).into_response()
    } else {
        Redirect::to(&format!("{back}?attached={n}#attach")).into_response()
    })
}
