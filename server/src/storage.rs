//! Attachments, through `object_store`: a folder under the data dir by default; an
//! S3-compatible store is a configuration change, not a code change.

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::ObjectStore;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use std::path::Path;
use std::sync::Arc;

/// An object's bytes, chunk by chunk.
pub type ObjectStream = BoxStream<'static, Result<Bytes, StorageError>>;

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

#[derive(Debug, thiserror::Error)]
#[error("attachment storage: {0}")]
pub struct StorageError(String);

impl Storage {
    /// Files live outside the web root, under `<data dir>/attachments`.
    pub fn local(data_dir: &Path) -> Result<Self, StorageError> {
        let root = data_dir.join("attachments");
        std::fs::create_dir_all(&root).map_err(|e| StorageError(format!("{}: {e}", root.display())))?;
        let store = LocalFileSystem::new_with_prefix(&root).map_err(|e| StorageError(e.to_string()))?;
        Ok(Storage { store: Arc::new(store) })
    }

    /// A new object under a random key, written as its bytes arrive.
    pub fn writer(&self) -> ObjectWriter {
        let key = format!("tickets/{}", uuid::Uuid::new_v4().simple());
        let writer = BufWriter::with_capacity(self.store.clone(), StorePath::from(key.as_str()), WRITE_BUFFER);
        ObjectWriter { key, writer }
    }

    /// An object's bytes as a stream, chunk by chunk (never the whole file at once).
    pub async fn read(&self, key: &str) -> Result<ObjectStream, StorageError> {
        let result = self
            .store
            .get(&StorePath::from(key))
            .await
            .map_err(|e| StorageError(e.to_string()))?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(|e| StorageError(e.to_string())))
            .boxed())
    }

    /// Best effort: an orphan file costs disk, never correctness.
    pub async fn delete(&self, key: &str) {
        if let Err(e) = self.store.delete(&StorePath::from(key)).await {
            tracing::warn!(key, error = %e, "could not delete an unused attachment");
        }
    }
}

/// What one upload holds in memory at most: past it the object is written in parts
/// (a multipart upload; 5 MiB is the smallest part S3-compatible stores accept).
const WRITE_BUFFER: usize = 5 * 1024 * 1024;

/// An object being written. Either `finish` or `abort` it: dropped unfinished, it
/// leaves no object (a multipart upload the store expires, a temporary file).
pub struct ObjectWriter {
    key: String,
    writer: BufWriter,
}

impl ObjectWriter {
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), StorageError> {
        self.writer.put(chunk).await.map_err(|e| StorageError(e.to_string()))
    }

    /// Completes the object; its key.
    pub async fn finish(mut self) -> Result<String, StorageError> {
        use tokio::io::AsyncWriteExt;
        self.writer.shutdown().await.map_err(|e| StorageError(e.to_string()))?;
        Ok(self.key)
    }

    pub async fn abort(mut self) {
        if let Err(e) = self.writer.abort().await {
            tracing::warn!(key = self.key, error = %e, "could not abort an upload");
        }
    }
}
