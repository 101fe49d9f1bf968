//! Work on many items on several threads, results handed over in the items' order: what makes
//! `replay --jobs N` print exactly what `--jobs 1` prints.
//!
//! Workers run at most a window of items ahead of the oldest result not yet handed over, so a
//! slow item holds back at most that many finished results in memory, never the whole listing.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How far, in items per worker, workers may run ahead of the results handed over.
const AHEAD_PER_WORKER: usize = 4;

/// Which items are taken and handed over; `stop` once the consumer wants no more.
struct Cursor {
    next: usize,
    handed: usize,
    stop: bool,
}

/// Runs `work` on every item on `jobs` threads; `finished` sees each result as it completes (in
/// any order), then `each` gets it in item order. Once `each` breaks, no further item is started
/// and none is handed over.
pub fn run<'a, I: Sync, T: Send>(
    jobs: NonZeroUsize,
    items: &'a [I],
    work: impl Fn(&'a I) -> T + Sync,
    mut finished: impl FnMut(&T),
    mut each: impl FnMut(T) -> ControlFlow<()>,
) {
    let window = jobs.get().saturating_mul(AHEAD_PER_WORKER);
    let cursor = Mutex::new(Cursor {
        next: 0,
        handed: 0,
        stop: false,
    });
    let turn = Condvar::new();
    // A worker panicking (a bug: the pipeline returns errors) aborts in release; in tests it
    // unwinds through the scope. Either way a poisoned lock's data is still consistent.
    let lock = || cursor.lock().unwrap_or_else(PoisonError::into_inner);
    let take = || {
        let mut c = lock();
        loop {
            if c.stop || c.next >= items.len() {
                return None;
            }
            if c.next < c.handed + window {
                c.next += 1;
                return Some(c.next - 1);
            }
            c = turn.wait(c).unwrap_or_else(PoisonError::into_inner);
        }
    };
    std::thread::scope(|scope| {
        let (results, received) = mpsc::channel();
        for _ in 0..jobs.get().min(items.len()) {
            let results = results.clone();
            let (take, work) = (&take, &work);
            scope.spawn(move || {
                while let Some(i) = take() {
                    if results.send((i, work(&items[i]))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(results);
        let mut waiting = BTreeMap::new();
        // Ends when every worker has ended: all items done, or stopped.
        'receive: for (i, result) in received {
            finished(&result);
            waiting.insert(i, result);
            loop {
                let handed = lock().handed;
                let Some(result) = waiting.remove(&handed) else {
                    break;
                };
                let flow = each(result);
                let mut c = lock();
                c.handed += 1;
                c.stop = flow.is_break();
                turn.notify_all();
                if c.stop {
                    break 'receive;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn jobs(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn results_come_in_item_order_whatever_order_they_finish_in() {
        // Earlier items take longer, so they finish last.
        let items: Vec<u64> = (0..24).collect();
        let mut done = Vec::new();
        let mut seen = Vec::new();
        run(
            jobs(4),
            &items,
            |&i| {
                std::thread::sleep(Duration::from_millis((24 - i) % 5 * 3));
                i * 10
            },
            |&r| done.push(r),
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, (0..24).map(|i| i * 10).collect::<Vec<_>>());
        done.sort();
        assert_eq!(done, seen, "every result is seen finishing once");
    }

    #[test]
    fn a_break_stops_handing_over_and_starting() {
        let items: Vec<usize> = (0..1000).collect();
        let started = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = Vec::new();
        run(
            jobs(3),
            &items,
            |&i| {
                started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                i
            },
            |_| {},
            |r| {
                seen.push(r);
                if r == 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert_eq!(seen, [0, 1, 2, 3, 4, 5]);
        // Workers run at most the window ahead of the last result handed over.
        let started = started.into_inner();
        assert!(started <= 6 + 3 * AHEAD_PER_WORKER, "{started} started");
    }

    #[test]
    fn no_items_and_one_job_work() {
        let mut seen = Vec::new();
        run(
            jobs(4),
            &[] as &[u8],
            |&i| i,
            |_| {},
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert!(seen.is_empty());
        run(
            jobs(1),
            &[1, 2, 3],
            |&i| i,
            |_| {},
            |r| {
                seen.push(r);
                ControlFlow::Continue(())
            },
        );
        assert_eq!(seen, [1, 2, 3]);
    }
}
