//! The local adapters: a folder shaped like the bucket as the object source, stdout as the
//! alert sink (in either [`Format`]). What `trailwatch scan` and `trailwatch replay DIR` run
//! on, with no AWS at all. A folder keeps no ACLs and no metadata, so neither the ACL check nor
//! the digest checks run over it (INTEGRITY §7).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::acl::ObjectAcl;
use crate::alert::Alert;
use crate::ports::{
    AlertSink, Metadata, ObjectRef, ObjectSource, Opened, SinkError, SourceError, SourceErrorKind,
};
use crate::render::Format;

/// Files under a root folder; an object's key is its path relative to the root, with `/`.
#[derive(Debug, Clone)]
pub struct FolderSource {
    root: PathBuf,
}

impl FolderSource {
    /// Objects under `root`. An empty root makes keys plain paths.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FolderSource { root: root.into() }
    }

    /// Every file under the root as an object, in key order (like an S3 listing). Keys that
    /// are not UTF-8 are converted lossily, so they still reach key validation and fail there.
    fn walk(&self, bucket: &str) -> io::Result<Vec<ObjectRef>> {
        let mut objects = Vec::new();
        let mut folders = vec![self.root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let entry = entry?;
                let path = entry.path();
                let meta = std::fs::metadata(&path)?;
                if meta.is_dir() {
                    folders.push(path);
                } else if meta.is_file() {
                    objects.push(ObjectRef {
                        bucket: bucket.to_string(),
                        key: key_of(&self.root, &path),
                        size: Some(meta.len()),
                        ..ObjectRef::default()
                    });
                }
            }
        }
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }
}

fn key_of(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn io_failure(path: &Path, e: io::Error) -> SourceError {
    let kind = match e.kind() {
        io::ErrorKind::NotFound => SourceErrorKind::NotFound,
        io::ErrorKind::PermissionDenied => SourceErrorKind::AccessDenied,
        _ => SourceErrorKind::Permanent,
    };
    SourceError::new(kind, path.display().to_string()).caused_by(e)
}

impl ObjectSource for FolderSource {
    type Body = File;

    async fn open(&self, object: &ObjectRef) -> Result<Opened<File>, SourceError> {
        let path = self.root.join(&object.key);
        let body = File::open(&path).map_err(|e| io_failure(&path, e))?;
        Ok(Opened {
            body,
            metadata: None,
        })
    }

    async fn head(&self, object: &ObjectRef) -> Result<Option<Metadata>, SourceError> {
        let path = self.root.join(&object.key);
        std::fs::metadata(&path).map_err(|e| io_failure(&path, e))?;
        Ok(None)
    }

    async fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectRef>, SourceError> {
        let mut objects = self.walk(bucket).map_err(|e| io_failure(&self.root, e))?;
        objects.retain(|object| object.key.starts_with(prefix));
        Ok(objects)
    }

    async fn folders(&self, _bucket: &str, prefix: &str) -> Result<Vec<String>, SourceError> {
        let folder = self.root.join(prefix);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_failure(&folder, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_failure(&folder, e))?;
            if entry.path().is_dir() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// A folder has no ACLs to check.
    async fn acl(&self, _object: &ObjectRef) -> Result<Option<(ObjectAcl, String)>, SourceError> {
        Ok(None)
    }
}

/// Alerts on stdout in a [`Format`] (JSON lines unless asked otherwise), flushed per batch so a
/// pipe sees them promptly.
#[derive(Debug, Default, Clone, Copy)]
pub struct StdoutSink {
    format: Format,
}

impl StdoutSink {
    /// A sink writing `format`.
    pub fn new(format: Format) -> Self {
        StdoutSink { format }
    }

    /// Writes `alerts` at once: what `publish` does, for callers outside the async pipeline.
    pub fn write(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let mut out = io::stdout().lock();
        for alert in alerts {
            let line = self
                .format
                .line(alert)
                .map_err(|e| SinkError::new("encoding an alert").caused_by(e))?;
            writeln!(out, "{line}")
                .map_err(|e| SinkError::new("writing to stdout").caused_by(e))?;
        }
        out.flush()
            .map_err(|e| SinkError::new("writing to stdout").caused_by(e))
    }
}

impl AlertSink for StdoutSink {
    async fn publish(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        self.write(alerts)
    }
}
