//! trailwatch: validates every CloudTrail delivery into a shared bucket and publishes detections.
//!
//! A trigger event names new objects ([`event`]); each object's key is parsed and checked
//! against the CloudTrail layout and the expected accounts ([`key`], [`config`]); its ACL must
//! leave the bucket owner in control ([`acl`]); its gzip'd JSON is streamed one record at a time
//! ([`decode`]), each record scanned once for the fields anyone needs ([`jsonscan`], [`fields`])
//! and evaluated by the filter-pattern rules ([`rules`]); matches and failed checks become alerts
//! ([`alert`]). [`pipeline`] runs those steps for one object, generic over the [`ports`]: S3 and
//! SNS in Lambda ([`aws`], [`handler`]), a folder and stdout in the CLI ([`local`]).
//!
//! Module map: `event` triggers → `key`/`date` layout → `acl` → `decode`/`jsonscan`/`fields` →
//! `rules` → `alert` → `pipeline` ← `ports` ← `aws`, `local`; `handler` is the Lambda's entry.
//! `aws`, `handler` and `bootstrap` come with the default `lambda` feature. The deterministic
//! CloudTrail data of the samples, benchmarks and tests comes from the workspace member
//! `trailwatch-synth` (`crates/synth/`), a dev-dependency only.

pub mod acl;
pub mod alert;
#[cfg(feature = "lambda")]
pub mod aws;
pub mod config;
pub mod date;
pub mod decode;
pub mod event;
pub mod fields;
#[cfg(feature = "lambda")]
pub mod handler;
pub mod jsonscan;
pub mod key;
pub mod local;
pub mod pipeline;
pub mod ports;
pub mod rules;

#[cfg(test)]
mod testing;
