//! The ratio lines both benchmarks print after criterion's report: a plain median of whole
//! runs, measured in the same process as the numbers it is compared with.

use std::time::Instant;

/// The median wall time of `runs` calls of `f`, in seconds.
pub fn median_secs(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
