//! trailwatch: validates every CloudTrail delivery into a shared bucket and publishes detections.
//!
//! A trigger event names new objects ([`event`]); each object's key is parsed against the
//! CloudTrail layout ([`key`], its day folders by [`date`]) and checked against what the
//! deployment expects ([`layout`], settings from [`config`]); its ACL must leave the bucket owner
//! in control ([`acl`]); its gzip'd JSON is streamed one record at a time ([`decode`]), each
//! record scanned once for the fields anyone needs ([`record`]) and evaluated by the
//! filter-pattern rules ([`rules`]) and Sigma rules ([`sigma`]), whose values match texts through
//! [`text`]; matches and failed checks become alerts ([`alert`], their accounts named by
//! [`accounts`]). An Insights file's records are
//! CloudTrail's own findings instead, read by [`insight`]: the start of each raises an alert. A
//! digest file instead gets CloudTrail's integrity checks: its signature, its chain and the
//! hash of every log it lists ([`digest`] for the files as values, [`integrity`] for the checks
//! over the ports, and the heartbeat that notices digests stopping).
//! [`pipeline`] runs those steps for one object, generic over the [`ports`]: S3, CloudTrail and
//! SNS in Lambda ([`aws`], [`handler`]), a folder or S3, a key file and stdout in the CLI
//! ([`local`], which writes alerts as JSON lines or as the readable lines of [`render`]).
//!
//! Module map, data flowing left to right (each module uses only those before it):
//!
//! ```text
//! error, date, acl, record, text → key → accounts, config → layout, decode, rules, sigma, digest → alert
//!   → insight, ports → integrity → pipeline → render → local (CLI) | aws, metrics, handler → function (Lambda)
//!                                          event: trigger payloads → ObjectRef, heartbeat
//! ```
//!
//! Where a change goes: a new trigger shape in `event`; a key rule in `key`; a setting in
//! `config` (the only reader of `TRAILWATCH_*`); a rule-language feature in `rules`; an alert
//! field in `alert`; how a failure is retried in `pipeline` (`ProcessError::is_retryable`).
//! `aws`, `metrics`, `handler`, `function` and the `bootstrap` binary come with the default `lambda`
//! feature. The
//! deterministic CloudTrail data of the samples, benchmarks and tests comes from the workspace
//! member `trailwatch-synth` (`crates/synth/`), a dev-dependency only.

#![warn(missing_docs)]

pub mod accounts;
pub mod acl;
pub mod alert;
#[cfg(feature = "lambda")]
pub mod aws;
pub mod config;
pub mod date;
pub mod decode;
pub mod digest;
pub mod error;
pub mod event;
#[cfg(feature = "lambda")]
pub mod function;
#[cfg(feature = "lambda")]
pub mod handler;
pub mod insight;
pub mod integrity;
pub mod key;
pub mod layout;
pub mod local;
#[cfg(feature = "lambda")]
pub mod metrics;
pub mod pipeline;
pub mod ports;
pub mod record;
pub mod render;
pub mod rules;
pub mod sigma;
pub mod text;

#[cfg(test)]
mod testing;
