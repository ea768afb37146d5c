//! Where photo bytes live. `object_store::ObjectStore` is the storage trait: a local
//! folder by default, any S3-compatible service (AWS, MinIO, R2, NCP Object Storage)
//! in production. Keys are content hashes, so a put is idempotent and never
//! overwrites different bytes.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::{AppError, AppResult, internal};

/// Which backend, from configuration.
#[derive(Debug, Clone)]
pub enum PhotoBackend {
    Local(PathBuf),
    S3(S3Settings),
}

#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Empty for AWS itself; the service's URL for other S3-compatible stores.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("credentials", &"***")
            .finish()
    }
}

pub struct PhotoStore {
    inner: Arc<dyn ObjectStore>,
}

impl PhotoStore {
    pub fn open(backend: &PhotoBackend) -> anyhow::Result<Self> {
        let inner: Arc<dyn ObjectStore> = match backend {
            PhotoBackend::Local(dir) => {
                std::fs::create_dir_all(dir)?;
                Arc::new(LocalFileSystem::new_with_prefix(dir)?)
            }
            PhotoBackend::S3(s3) => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(&s3.secret_access_key);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        // Path-style requests: what MinIO and most non-AWS stores expect.
                        .with_virtual_hosted_style_request(false)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                Arc::new(builder.build()?)
            }
        };
        Ok(Self { inner })
    }

    fn path(name: &str) -> Path {
        // Two-level fan-out keeps directories small on the local backend.
        Path::from(format!("photos/{}/{name}", &name[..2]))
    }

    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> AppResult<()> {
        self.inner
            .put(&Self::path(name), PutPayload::from(bytes))
            .await
            .map_err(|e| internal("photo store put", &e))?;
        Ok(())
    }

    /// Deletes a stored file; one that is already gone is not an error.
    pub async fn delete(&self, name: &str) -> AppResult<()> {
        match self.inner.delete(&Self::path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(internal("photo store delete", &e)),
        }
    }

    pub async fn get(&self, name: &str) -> AppResult<Option<Bytes>> {
        match self.inner.get(&Self::path(name)).await {
            Ok(found) => Ok(Some(
                found
                    .bytes()
                    .await
                    .map_err(|e| internal("photo store read", &e))?,
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal("photo store get", &e)),
        }
    }
}

/// Errors here are always ours, never the user's.
impl From<object_store::Error> for AppError {
    fn from(e: object_store::Error) -> Self {
        internal("photo store", &e)
    }
}
