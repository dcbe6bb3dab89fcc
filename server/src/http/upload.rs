//! A multipart file part streamed into attachment storage as it arrives: the size
//! limit holds chunk by chunk, and memory holds the first bytes (to tell the type)
//! and one write buffer, never the whole file.

use crate::services::files::{self, SNIFF_BYTES, Utf8Check};
use crate::services::tickets::Upload;
use crate::storage::{Storage, StorageError};
use app::domain::forms::FieldProblem;
use axum::extract::multipart::Field;

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
