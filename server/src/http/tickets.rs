//! `POST /tickets/new` (the ticket form, multipart, with or without JavaScript) and
//! `GET /attachments/{id}`.

use super::upload::{self, ReceiveError};
use crate::AppState;
use crate::services::files;
use crate::services::tickets::{NewTicket, Upload};
use crate::storage::Storage;
use app::domain::ProductFamily;
use app::domain::forms::{FieldError, FieldKind, FieldProblem, RESERVED, validate};
use app::i18n::Locale;
use app::ports::TicketsError;
use app::request::{FormSubmission, RequestContext};
use app::tickets::{CreateOutcome, ticket_url};
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::BytesMut;
use std::collections::BTreeMap;

/// A text field longer than this is cut and reported as too long: the longest field
/// of the forms is 32,000 characters, up to four bytes each.
const MAX_TEXT_BYTES: usize = 160 * 1024;
const MAX_PARTS: usize = 64;

/// What came in the multipart body, before validation.
#[derive(Default)]
struct Posted {
    family: Option<String>,
    idempotency_key: Option<String>,
    switch_family: bool,
    values: BTreeMap<String, String>,
    too_long: Vec<String>,
    /// The file's field and the file, already in storage.
    file: Option<(String, Upload)>,
    file_problem: Option<(String, FieldProblem)>,
    /// Storage failed while a file streamed in: the server's fault, not the form's.
    storage_failed: bool,
}

impl Posted {
    /// Whatever was stored for a post that goes no further.
    async fn discard(self, storage: &Storage) {
        if let Some((_, u)) = self.file {
            storage.delete(&u.key).await;
        }
    }
}

fn wants_json(parts: &Parts) -> bool {
    parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub async fn create(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let json = wants_json(&parts);
    let locale = parts
        .extensions
        .get::<RequestContext>()
        .map(|c| c.locale)
        .unwrap_or_default();
    let Some(session) = parts.extensions.get::<RequestContext>().and_then(|c| c.session.clone()) else {
        return if json {
            (
                StatusCode::UNAUTHORIZED,
                Json(CreateOutcome::Refused {
                    message_key: "error.unauthenticated".into(),
                }),
            )
                .into_response()
        } else {
            Redirect::to("/signin").into_response()
        };
    };
    let Some(account_id) = session.viewer.active_account_id else {
        return refused(json, locale, StatusCode::FORBIDDEN, "tickets.no_account");
    };
    let multipart = match Multipart::from_request(Request::from_parts(parts.clone(), body), &state).await {
        Ok(m) => m,
        Err(_) => return refused(json, locale, StatusCode::BAD_REQUEST, "error.invalid"),
    };
    let max_upload = state.config.max_upload_bytes;
    let storage = state.tickets.storage();
    let mut posted = read(multipart, storage, max_upload).await;
    if posted.storage_failed {
        posted.discard(storage).await;
        return refused(json, locale, StatusCode::SERVICE_UNAVAILABLE, "error.internal");
    }
    let forms = state.tickets_forms();
    let Some((family, form)) = posted
        .family
        .as_deref()
        .and_then(ProductFamily::parse)
        .and_then(|family| forms.form(family).map(|form| (family, form)))
    else {
        posted.discard(storage).await;
        return refused(json, locale, StatusCode::BAD_REQUEST, "error.invalid");
    };
    let key = posted
        .idempotency_key
        .clone()
        .filter(|k| !k.is_empty() && k.len() <= 64);

    // Without JavaScript, the family switch posts the form: show the other family's
    // form with every value kept, and no errors yet.
    if posted.switch_family && !json {
        let values = std::mem::take(&mut posted.values);
        posted.discard(storage).await;
        return render_form(&state, parts, family, values, Vec::new(), key, StatusCode::OK).await;
    }

    let file_field = form
        .fields
        .iter()
        .find(|f| matches!(f.kind, FieldKind::File))
        .map(|f| f.name.clone());
    // One validation: its clean values are what gets stored when nothing else fails.
    let (values, mut errors) = match validate(form, &posted.values, &app::request::today()) {
        Ok(values) => (values, Vec::new()),
        Err(errors) => (Default::default(), errors),
    };
    for name in &posted.too_long {
        errors.retain(|e| &e.field != name);
        let max = match form.field(name).map(|f| &f.kind) {
            Some(FieldKind::LongText { max, .. } | FieldKind::ShortText { max, .. }) => *max,
            _ => MAX_TEXT_BYTES,
        };
        errors.push(FieldError {
            field: name.clone(),
            problem: FieldProblem::TooLong { max },
        });
    }
    if let Some((field, problem)) = posted.file_problem.take() {
        errors.push(FieldError { field, problem });
    } else if let Some((field, _)) = &posted.file
        && Some(field) != file_field.as_ref()
    {
        errors.push(FieldError {
            field: field.clone(),
            problem: FieldProblem::Unknown,
        });
    }
    if !errors.is_empty() {
        let values = std::mem::take(&mut posted.values);
        posted.discard(storage).await;
        return if json {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(CreateOutcome::Invalid { errors }),
            )
                .into_response()
        } else {
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
        };
    }
    let created = state
        .tickets
        .create(NewTicket {
            requester_id: session.viewer.user_id,
            account_id,
            family,
            values,
            upload: posted.file.map(|(_, u)| u),
            idempotency_key: key,
            follow_up_of: None,
        })
        .await;
    match created {
        Ok(number) => {
            let url = ticket_url(&number);
            if json {
                (StatusCode::CREATED, Json(CreateOutcome::Created { number, url })).into_response()
            } else {
                Redirect::to(&format!("{url}?created=1")).into_response()
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "ticket creation failed");
            refused(json, locale, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
        }
    }
}

/// A refusal the form cannot show next to a field: JSON for JavaScript, a line of
/// text in the user's language for a plain form post.
fn refused(json: bool, locale: Locale, status: StatusCode, message_key: &str) -> Response {
    if json {
        (
            status,
            Json(CreateOutcome::Refused {
                message_key: message_key.into(),
            }),
        )
            .into_response()
    } else {
        (status, locale.t(message_key).to_owned()).into_response()
    }
}

/// Reads every part. Text is capped; the file streams to storage up to the limit.
/// Past the limit reading stops, and the values read so far are kept for the form.
async fn read(mut multipart: Multipart, storage: &Storage, max_upload: u64) -> Posted {
    let mut posted = Posted::default();
    let mut parts = 0;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        parts += 1;
        if parts > MAX_PARTS {
            break;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            if posted.file.is_some() {
                // One file at creation: a second one is refused, the first discarded.
                posted.file_problem = Some((name, FieldProblem::Unknown));
                break;
            }
            match upload::receive(field, storage, max_upload).await {
                Ok(Some(u)) => posted.file = Some((name, u)),
                Ok(None) => {}
                Err(e) => {
                    match e.problem(max_upload) {
                        Some(problem) => posted.file_problem = Some((name, problem)),
                        None => {
                            tracing::error!(error = %e, "an upload could not be stored");
                            posted.storage_failed = true;
                        }
                    }
                    break;
                }
            }
            continue;
        }
        let mut buf = BytesMut::new();
        let mut cut = false;
        while let Ok(Some(chunk)) = field.chunk().await {
            if buf.len() + chunk.len() > MAX_TEXT_BYTES {
                cut = true;
                let room = MAX_TEXT_BYTES.saturating_sub(buf.len());
                buf.extend_from_slice(&chunk[..room.min(chunk.len())]);
            } else {
                buf.extend_from_slice(&chunk);
            }
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        match name.as_str() {
            "family" => posted.family = Some(text),
            "idempotency_key" => posted.idempotency_key = Some(text),
            "switch_family" => posted.switch_family = true,
            _ if RESERVED.contains(&name.as_str()) => {}
            _ => {
                if cut {
                    posted.too_long.push(name.clone());
                }
                posted.values.insert(name, text);
            }
        }
    }
    posted
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

/// Downloads are for those who may see the ticket; anyone else gets the same 404
/// as for a missing file. Always an attachment, never rendered inline.
pub async fn download(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "Not found").into_response();
    let Some(viewer) = req
        .extensions()
        .get::<RequestContext>()
        .and_then(|c| c.session.clone())
        .map(|s| s.viewer)
    else {
        return not_found();
    };
    let Ok(id) = id.parse::<i64>() else { return not_found() };
    match state.tickets.attachment(&viewer, id).await {
        Ok((meta, bytes)) => {
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
            res
        }
        // Reading an attachment is never refused by the lifecycle: as missing.
        Err(TicketsError::NotFound | TicketsError::Refused(_) | TicketsError::Limited(_)) => not_found(),
        Err(TicketsError::Storage(e)) => {
            tracing::error!(error = %e, "attachment download failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
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
/// how many were added, or which file was refused and why.
pub async fn attach(State(state): State<AppState>, Path(number): Path<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let json = wants_json(&parts);
    let Some(viewer) = parts
        .extensions
        .get::<RequestContext>()
        .and_then(|c| c.session.clone())
        .map(|s| s.viewer)
    else {
        return if json {
            StatusCode::UNAUTHORIZED.into_response()
        } else {
            Redirect::to("/signin").into_response()
        };
    };
    let back = ticket_url(&number);
    let refuse = |status: StatusCode, key: &str, file: Option<&str>| -> Response {
        if json {
            (status, Json(serde_json::json!({ "message_key": key, "file": file }))).into_response()
        } else {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("attach_error", key);
            if let Some(f) = file {
                query.append_pair("file", f);
            }
            Redirect::to(&format!("{back}?{}#attach", query.finish())).into_response()
        }
    };
    // Who may add files to this ticket is settled before a byte of the body is read.
    match state.tickets.may_attach(&viewer, &number).await {
        Ok(()) => {}
        Err(TicketsError::NotFound) => return (StatusCode::NOT_FOUND, "Not found").into_response(),
        Err(TicketsError::Refused(r)) => return refuse(StatusCode::CONFLICT, r.message_key(), None),
        Err(TicketsError::Limited(l)) => return refuse(StatusCode::TOO_MANY_REQUESTS, l.message_key(), None),
        Err(TicketsError::Storage(e)) => {
            tracing::error!(error = %e, "adding attachments failed");
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None);
        }
    }
    let multipart = match Multipart::from_request(Request::from_parts(parts, body), &state).await {
        Ok(m) => m,
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "error.invalid", None),
    };
    let storage = state.tickets.storage();
    let uploads = match read_files(multipart, storage, state.config.max_upload_bytes).await {
        Ok(u) if u.is_empty() => return refuse(StatusCode::UNPROCESSABLE_ENTITY, "attach.none", None),
        Ok(u) => u,
        Err(Refusal::File(file, key)) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, key, file.as_deref()),
        Err(Refusal::Storage) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "error.internal", None),
    };
    match state.tickets.attach(&viewer, &number, uploads).await {
        Ok(n) => {
            if json {
                Json(serde_json::json!({ "added": n })).into_response()
            } else {
                Redirect::to(&format!("{back}?attached={n}#attach")).into_response()
            }
        }
        Err(TicketsError::NotFound) => (StatusCode::NOT_FOUND, "Not found").into_response(),
        Err(TicketsError::Refused(r)) => refuse(StatusCode::CONFLICT, r.message_key(), None),
        Err(TicketsError::Limited(l)) => refuse(StatusCode::TOO_MANY_REQUESTS, l.message_key(), None),
        Err(TicketsError::Storage(e)) => {
            tracing::error!(error = %e, "adding attachments failed");
            refuse(StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None)
        }
    }
}

/// Why a post of files was refused as a whole.
enum Refusal {
    /// A file (named when it had a name) and the message key saying why.
    File(Option<String>, &'static str),
    /// Storage failed: logged, nothing kept.
    Storage,
}

/// Every `files` part, streamed to storage and checked; the first refused file stops
/// the whole post (so a customer never ends up with half of what they chose), is
/// named in the answer, and whatever was stored for the post is deleted.
async fn read_files(mut multipart: Multipart, storage: &Storage, max_upload: u64) -> Result<Vec<Upload>, Refusal> {
    let mut uploads: Vec<Upload> = Vec::new();
    let outcome = loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break Ok(()),
            // Past the body limit, or a broken body.
            Err(_) => break Err(Refusal::File(None, "validation.file_too_large")),
        };
        let Some(raw_name) = field.file_name().map(str::to_owned) else {
            continue; // a text part: nothing to do with it here
        };
        if uploads.len() == app::tickets::MAX_FILES_AT_ONCE {
            break Err(Refusal::File(None, "attach.too_many"));
        }
        match upload::receive(field, storage, max_upload).await {
            Ok(Some(u)) => uploads.push(u),
            Ok(None) => {}
            Err(ReceiveError::Storage(e)) => {
                tracing::error!(error = %e, "an upload could not be stored");
                break Err(Refusal::Storage);
            }
            Err(e) => {
                let key = e.problem(max_upload).map_or("error.invalid", |p| p.message_key());
                break Err(Refusal::File(Some(files::safe_name(&raw_name)), key));
            }
        }
    };
    match outcome {
        Ok(()) => Ok(uploads),
        Err(refusal) => {
            for u in uploads {
                storage.delete(&u.key).await;
            }
            Err(refusal)
        }
    }
}
