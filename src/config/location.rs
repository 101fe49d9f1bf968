//! Where a file the configuration names comes from (a path or `s3://`), and the two sources
//! with more forms: the Sigma rules (an object or a prefix) and the account names
//! (a file, or AWS Organizations).

use std::path::PathBuf;

use super::ConfigError;

/// Where a file read at cold start (custom rules, public keys) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileLocation {
    /// A file on the function's file system (its package, a layer, a mounted volume).
    Path(PathBuf),
    /// An S3 object, read with the function's own S3 client.
    S3 {
        /// The bucket holding the file.
        bucket: String,
        /// The file's key in that bucket.
        key: String,
    },
}

impl FileLocation {
    /// `s3://bucket/key` or a file path.
    pub fn parse(setting: &str, text: &str) -> Result<FileLocation, ConfigError> {
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(FileLocation::Path(PathBuf::from(text)));
        };
        match rest.split_once('/') {
            Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok(FileLocation::S3 {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }),
            _ => Err(ConfigError::new(
                setting,
                format!("`{text}` is not of the form s3://bucket/key"),
            )),
        }
    }

    /// How errors and rule listings name the file: its path or its `s3://` URI.
    pub fn origin(&self) -> String {
        match self {
            FileLocation::Path(path) => path.display().to_string(),
            FileLocation::S3 { bucket, key } => format!("s3://{bucket}/{key}"),
        }
    }
}

/// Where the account names alerts carry come from (`TRAILWATCH_ACCOUNT_NAMES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamesSource {
    /// A names file (TOML, JSON or `aws organizations list-accounts` output).
    File(FileLocation),
    /// AWS Organizations' ListAccounts, asked once at cold start.
    Organizations,
}

impl NamesSource {
    /// The word that asks for AWS Organizations; a file of that name is `./organizations`.
    pub const ORGANIZATIONS: &'static str = "organizations";

    /// [`NamesSource::ORGANIZATIONS`] exactly, else a file as [`FileLocation::parse`] reads it.
    pub fn parse(setting: &str, text: &str) -> Result<NamesSource, ConfigError> {
        if text == NamesSource::ORGANIZATIONS {
            Ok(NamesSource::Organizations)
        } else {
            FileLocation::parse(setting, text).map(NamesSource::File)
        }
    }
}

/// Where the Lambda function's Sigma rules come from (SIGMA.md, "Loading").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigmaLocation {
    /// A rule file, or a folder whose `.yml` and `.yaml` files are read, on the function's file
    /// system.
    Path(PathBuf),
    /// One S3 object, a rule file whatever its key.
    Object {
        /// The bucket holding the file.
        bucket: String,
        /// The file's key in that bucket.
        key: String,
    },
    /// Every object under a prefix of a bucket whose key ends in `.yml` or `.yaml`.
    Prefix {
        /// The bucket holding the files.
        bucket: String,
        /// Ends in `/`, or is empty: the whole bucket.
        prefix: String,
    },
}

impl SigmaLocation {
    /// `s3://bucket/prefix/` (a key ending in `/`, or none), `s3://bucket/key`, or a path.
    pub fn parse(setting: &str, text: &str) -> Result<SigmaLocation, ConfigError> {
        let folder = text
            .strip_prefix("s3://")
            .and_then(|rest| rest.split_once('/'))
            .filter(|(bucket, prefix)| {
                !bucket.is_empty() && (prefix.is_empty() || prefix.ends_with('/'))
            });
        if let Some((bucket, prefix)) = folder {
            return Ok(SigmaLocation::Prefix {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        match FileLocation::parse(setting, text) {
            Ok(FileLocation::Path(path)) => Ok(SigmaLocation::Path(path)),
            Ok(FileLocation::S3 { bucket, key }) => Ok(SigmaLocation::Object { bucket, key }),
            Err(_) => Err(ConfigError::new(
                setting,
                format!("`{text}` is not of the form s3://bucket/key or s3://bucket/prefix/"),
            )),
        }
    }

    /// How errors and the start-up log name it: its path or its `s3://` URI.
    pub fn origin(&self) -> String {
        match self {
            SigmaLocation::Path(path) => path.display().to_string(),
            SigmaLocation::Object { bucket, key: name }
            | SigmaLocation::Prefix {
                bucket,
                prefix: name,
            } => format!("s3://{bucket}/{name}"),
        }
    }
}
