//! Public keys from a key file (`--public-keys`, `TRAILWATCH_PUBLIC_KEYS`): what
//! `aws cloudtrail list-public-keys` printed, read once, looked up by fingerprint alone.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::digest::keys::{parse_key_file, KeyFileError, PublicKey};
use crate::ports::{PublicKeys, SourceError};

/// The keys of one key file.
#[derive(Debug, Clone, Default)]
pub struct FileKeys {
    keys: BTreeMap<String, PublicKey>,
}

impl FileKeys {
    /// No key at all: every digest's key is unknown. What a source without metadata (a folder)
    /// is given, since its digests are never checked.
    pub const fn empty() -> FileKeys {
        FileKeys {
            keys: BTreeMap::new(),
        }
    }

    /// The keys of the file whose text is `text`.
    pub fn parse(text: &str) -> Result<FileKeys, KeyFileError> {
        Ok(FileKeys {
            keys: parse_key_file(text)?,
        })
    }

    /// These keys.
    pub fn from_keys(keys: impl IntoIterator<Item = PublicKey>) -> FileKeys {
        FileKeys {
            keys: keys
                .into_iter()
                .map(|key| (key.fingerprint().to_owned(), key))
                .collect(),
        }
    }

    /// How many keys the file holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the file holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl PublicKeys for FileKeys {
    /// The file is the whole truth: its validity times reject nothing (INTEGRITY §3), and a key
    /// it lacks is unknown wherever the trail lives.
    async fn find(
        &self,
        fingerprint: &str,
        _home_region: &str,
        _signed_at: OffsetDateTime,
    ) -> Result<Option<PublicKey>, SourceError> {
        Ok(self.keys.get(fingerprint).cloned())
    }
}
