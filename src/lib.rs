//! trailwatch: validates every CloudTrail delivery into a shared bucket and publishes detections.
//!
//! (Module map filled in as modules land.)

pub mod fields;
pub mod jsonscan;
pub mod key;
pub mod rules;
pub mod synth;
