//! One record's fields, located in a single pass over its bytes.
//!
//! Layered so that data walks one way, each file depending only on those above it:
//! - [`json`]: the JSON grammar at byte level (strings, numbers, skipping a value, escapes);
//! - [`plan`]: the selector paths anyone downstream wants, as one trie of slots;
//! - [`scan`]: walks a record guided by the plan and notes where each wanted value lies;
//! - [`view`]: the record as rules read it, borrowing from its text.

pub mod json;
pub mod plan;
pub mod scan;
pub mod view;

pub use json::{JsonType, ScanError, MAX_DEPTH};
pub use plan::{FieldPlan, SlotId, Step};
pub use scan::{extract, scan_record, Fields};
pub use view::{decoded, members, JsonRef, JsonStr, Record};

#[cfg(test)]
mod tests;
