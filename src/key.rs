//! Key parsing (in progress).
