//! trailwatch: validates every CloudTrail delivery into a shared bucket and publishes detections.
//!
//! (Module map filled in as modules land.)

pub mod acl;
pub mod alert;
pub mod aws;
pub mod config;
pub mod date;
pub mod decode;
pub mod event;
pub mod fields;
pub mod handler;
pub mod jsonscan;
pub mod key;
pub mod local;
pub mod pipeline;
pub mod ports;
pub mod rules;
pub mod synth;

#[cfg(test)]
mod testing;
