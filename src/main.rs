//! The `trailwatch` command-line tool (in progress).

fn main() {}
