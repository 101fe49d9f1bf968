//! Synthetic CloudTrail data (in progress).
