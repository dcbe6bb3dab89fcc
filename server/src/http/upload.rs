//! Multipart bodies, read one way for every form that posts files: text parts are
//! capped, and each file part streams into attachment storage as it arrives (the
//! size limit holds chunk by chunk, and memory holds the first bytes, to tell the
//! type, and one write buffer, never the whole file).

use crate::services::files::{self, SNIFF_BYTES, Utf8Check};
use crate::services::tickets::Upload;
use crate::storage::{Storage, StorageError};
use axum::extract::Multipart;
use axum::extract::multipart::Field;
use bytes::BytesMut;
use domain::forms::FieldProblem;

/// Why a file part was not kept. Whatever was stored of it is gone.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Past the size limit, or cut by the body limit.
    #[error("file too large")]
    TooLarge,
    /// Refused by its type or name.
    #[error("file refused: {0:?}")]
    Refused(FieldProblem),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ReceiveError {
    /// The problem as the form shows it; storage failures are the server's, not
    /// the file's, and are logged by the caller.
    pub fn problem(&self, max_bytes: u64) -> Option<FieldProblem> {
        match self {
            ReceiveError::TooLarge => Some(FieldProblem::FileTooLarge { max_bytes }),
            ReceiveError::Refused(p) => Some(p.clone()),
            ReceiveError::Storage(_) => None,
        }
    }
}

/// Streams one file part into storage and checks it. `Ok(None)`: an empty file
/// input (no name, no bytes), nothing stored.
pub async fn receive(mut field: Field<'_>, storage: &Storage, max_bytes: u64) -> Result<Option<Upload>, ReceiveError> {
    let raw_name = field.file_name().unwrap_or_default().to_owned();
    let mut writer = storage.writer();
    let mut head = Vec::new();
    let mut text = Utf8Check::default();
    let mut size: u64 = 0;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // The body limit cut the part, or the body broke off.
            Err(_) => {
                writer.abort().await;
                return Err(ReceiveError::TooLarge);
            }
        };
        size += chunk.len() as u64;
        if size > max_bytes {
            writer.abort().await;
            return Err(ReceiveError::TooLarge);
        }
        if head.len() < SNIFF_BYTES {
            let room = SNIFF_BYTES - head.len();
            head.extend_from_slice(&chunk[..room.min(chunk.len())]);
        }
        text.feed(&chunk);
        if let Err(e) = writer.write(chunk).await {
            writer.abort().await;
            return Err(e.into());
        }
    }
    if raw_name.is_empty() && size == 0 {
        writer.abort().await;
        return Ok(None);
    }
    let file_name = files::safe_name(&raw_name);
    let content_type = match files::sniff(&file_name, &head, text.is_utf8()) {
        Ok(t) => t,
        Err(problem) => {
            writer.abort().await;
            return Err(ReceiveError::Refused(problem));
        }
    };
    let key = writer.finish().await?;
    Ok(Some(Upload {
        file_name,
        content_type,
        key,
        size,
    }))
}

/// A text part longer than this is cut and reported as too long: the longest field
/// of the forms is 32,000 characters, up to four bytes each.
pub const MAX_TEXT_BYTES: usize = 160 * 1024;
/// Parts read at most; past them reading stops.
pub const MAX_PARTS: usize = 64;

/// What a multipart body held, in order, and why reading stopped early if it did.
#[derive(Default)]
pub struct Received {
    /// Text parts by field name (a repeated name keeps its last value).
    pub texts: std::collections::BTreeMap<String, String>,
    /// Text fields cut at `MAX_TEXT_BYTES`.
    pub too_long: Vec<String>,
    /// Files already in storage, with their field names.
    pub files: Vec<(String, Upload)>,
    pub stopped: Option<Stop>,
}

/// Why reading stopped before the end of the body. Nothing after it was read.
#[derive(Debug)]
pub enum Stop {
    /// A file was refused: its field, its name as sent, and why.
    File {
        field: String,
        name: String,
        problem: FieldProblem,
    },
    /// One file more than the form takes, in this field.
    TooManyFiles { field: String },
    /// More than `MAX_PARTS` parts.
    TooManyParts,
    /// The body broke off, or went past the body limit between two parts.
    Broken,
    /// The file store failed while a file streamed in.
    Storage(StorageError),
}

impl Received {
    /// Deletes the stored files of a post that goes no further.
    pub async fn discard(&mut self, storage: &Storage) {
        for (_, u) in self.files.drain(..) {
            storage.delete(&u.key).await;
        }
    }
}

/// Reads every part, up to `max_files` files of at most `max_upload` bytes each.
pub async fn read(mut multipart: Multipart, storage: &Storage, max_upload: u64, max_files: usize) -> Received {
    let mut got = Received::default();
    let mut parts = 0;
    got.stopped = loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(_) => break Some(Stop::Broken),
        };
        parts += 1;
        if parts > MAX_PARTS {
            break Some(Stop::TooManyParts);
        }
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(raw_name) = field.file_name().map(str::to_owned) {
            if got.files.len() == max_files {
                break Some(Stop::TooManyFiles { field: name });
            }
            match receive(field, storage, max_upload).await {
                Ok(Some(u)) => got.files.push((name, u)),
                Ok(None) => {}
                Err(ReceiveError::Storage(e)) => break Some(Stop::Storage(e)),
                Err(e) => {
                    let problem = e.problem(max_upload).unwrap_or(FieldProblem::Unknown);
                    break Some(Stop::File {
                        field: name,
                        name: raw_name,
                        problem,
                    });
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
        if cut {
            got.too_long.push(name.clone());
        }
        got.texts.insert(name, String::from_utf8_lossy(&buf).into_owned());
    };
    got
}
