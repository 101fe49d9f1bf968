//! Rule engine (in progress).
