//! [`CloudTrailKeys`]: CloudTrail's public keys from its ListPublicKeys API (INTEGRITY §3), in
//! the home region of the trail whose digest names them, kept for the container's life.
//!
//! A key never changes under its fingerprint, so the cache is never invalidated; a digest whose
//! fingerprint is not cached costs one ListPublicKeys (its pages included) over the two hours
//! around the digest's end time, and every key that call returns is kept.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cloudtrail::config::Region;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::{Client, Config};
use time::{Duration, OffsetDateTime};

use super::kind_of;
use crate::digest::keys::PublicKey;
use crate::integrity::FileKeys;
use crate::ports::{PublicKeys, SourceError};

/// How far around a digest's end time its keys are asked for (INTEGRITY §3).
const WINDOW: Duration = Duration::hours(1);

/// Public keys asked of CloudTrail.
#[derive(Debug)]
pub struct CloudTrailKeys {
    /// The client configuration every region's client is built from.
    base: Config,
    clients: Mutex<HashMap<String, Client>>,
    keys: Mutex<HashMap<String, PublicKey>>,
}

impl CloudTrailKeys {
    /// Keys asked with clients built from `base`, one per home region.
    pub fn new(base: Config) -> CloudTrailKeys {
        CloudTrailKeys {
            base,
            clients: Mutex::new(HashMap::new()),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn client(&self, region: &str) -> Client {
        let build = || {
            Client::from_conf(
                self.base
                    .to_builder()
                    .region(Region::new(region.to_owned()))
                    .build(),
            )
        };
        // A poisoned lock only means a panic elsewhere mid-insert; a fresh client is as good.
        match self.clients.lock() {
            Ok(mut clients) => clients
                .entry(region.to_owned())
                .or_insert_with(build)
                .clone(),
            Err(_) => build(),
        }
    }

    fn cached(&self, fingerprint: &str) -> Option<PublicKey> {
        self.keys.lock().ok()?.get(fingerprint).cloned()
    }
}

impl PublicKeys for CloudTrailKeys {
    async fn find(
        &self,
        fingerprint: &str,
        home_region: &str,
        signed_at: OffsetDateTime,
    ) -> Result<Option<PublicKey>, SourceError> {
        if let Some(key) = self.cached(fingerprint) {
            return Ok(Some(key));
        }
        let seconds = |at: OffsetDateTime| DateTime::from_secs(at.unix_timestamp());
        let mut pages = self
            .client(home_region)
            .list_public_keys()
            .start_time(seconds(signed_at - WINDOW))
            .end_time(seconds(signed_at + WINDOW))
            .into_paginator()
            .send();
        let mut found = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                SourceError::new(kind_of(&e), format!("ListPublicKeys in {home_region}"))
                    .caused_by(e)
            })?;
            for listed in page.public_key_list() {
                let (Some(listed_fingerprint), Some(value)) =
                    (listed.fingerprint(), listed.value())
                else {
                    continue;
                };
                match PublicKey::from_der(listed_fingerprint, value.as_ref()) {
                    Ok(key) => found.push(key),
                    // Never expected of CloudTrail; a digest signed with it then reports its key
                    // unknown, and this says why.
                    Err(e) => tracing::error!(
                        region = home_region,
                        error = %e,
                        "CloudTrail listed a public key that is not an RSA key; it is not used."
                    ),
                }
            }
        }
        let wanted = found
            .iter()
            .find(|k| k.fingerprint() == fingerprint)
            .cloned();
        if let Ok(mut keys) = self.keys.lock() {
            for key in found {
                keys.insert(key.fingerprint().to_owned(), key);
            }
        }
        Ok(wanted)
    }
}

/// Where a deployment's public keys come from: the key file it names, else CloudTrail.
#[derive(Debug)]
pub enum KeySource {
    /// A key file, read once.
    File(FileKeys),
    /// CloudTrail's ListPublicKeys (boxed: a client configuration is large, and there is
    /// one per container).
    CloudTrail(Box<CloudTrailKeys>),
}

impl PublicKeys for KeySource {
    async fn find(
        &self,
        fingerprint: &str,
        home_region: &str,
        signed_at: OffsetDateTime,
    ) -> Result<Option<PublicKey>, SourceError> {
        match self {
            KeySource::File(keys) => keys.find(fingerprint, home_region, signed_at).await,
            KeySource::CloudTrail(keys) => keys.find(fingerprint, home_region, signed_at).await,
        }
    }
}

#[cfg(test)]
mod tests;
