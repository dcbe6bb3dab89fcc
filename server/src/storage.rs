//! Attachments, through `object_store`: a folder under the data dir by default; an
//! S3-compatible store is a configuration change, not a code change.

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;

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

    /// Stores bytes under a new random key and returns the key.
    pub async fn put(&self, bytes: Bytes) -> Result<String, StorageError> {
        let key = format!("tickets/{}", uuid::Uuid::new_v4().simple());
        self.store
            .put(&StorePath::from(key.as_str()), PutPayload::from(bytes))
            .await
            .map_err(|e| StorageError(e.to_string()))?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        let result = self
            .store
            .get(&StorePath::from(key))
            .await
            .map_err(|e| StorageError(e.to_string()))?;
        result.bytes().await.map_err(|e| StorageError(e.to_string()))
    }

    /// Best effort: an orphan file costs disk, never correctness.
    pub async fn delete(&self, key: &str) {
        if let Err(e) = self.store.delete(&StorePath::from(key)).await {
            tracing::warn!(key, error = %e, "could not delete an unused attachment");
        }
    }
}
