//! Faults injected between the function and AWS (see `proxy`): errors, throttling, slow
//! answers, resets and cut bodies on GetObject, GetObjectAcl and PublishBatch.
//!
//! Each fault must end one of two ways, and which one is asserted: the SDK's retries absorb
//! it and the invocation delivers every alert, or the invocation fails as retryable (never a
//! success with an alert missing) and, once the fault clears, Lambda's retry delivers every
//! alert. An alert delivered twice carries the same id both times.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use trailwatch::handler::InvocationError;

use crate::proxy::{Fault, FaultProxy, Op};
use crate::world::*;

/// How a fault must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// The SDK retried past it; the invocation succeeded.
    Absorbed,
    /// The invocation failed as retryable; the retry after the fault cleared succeeded.
    Retried,
}

struct Case {
    fault: Fault,
    /// Requests faulted; `None`: every one until the fault clears.
    times: Option<usize>,
    ends: Ends,
}

const fn case(fault: Fault, times: Option<usize>, ends: Ends) -> Case {
    Case { fault, times, ends }
}

/// Longer than the function's 5-second read timeout.
const STALL: Duration = Duration::from_secs(6);

/// Plays `cases` on `op`: each against a fresh copy of the two deliveries' alerts, asserting
/// how it ended and that every expected alert arrived. Returns the faults injected.
async fn play(op: Op, cases: &[Case]) -> usize {
    let world = World::new().await;
    world.deliver_prod_and_dev().await;
    let proxy = FaultProxy::start(&world.moto.endpoint);
    let sdk = sdk_for(&proxy.endpoint).await;
    let event = fixture("sns-cloudtrail.json");

    world.invoke_through(&sdk, &event).await.unwrap();
    let expected = counts(&world.drain(&world.security).await);
    assert_eq!(expected.len(), 3, "three detections without faults");

    for case in cases {
        let label = format!("{op:?} {:?} x{:?}", case.fault, case.times);
        proxy.arm(op, case.fault, case.times);
        let started = Instant::now();
        let first = world.invoke_through(&sdk, &event).await;
        let ended = match first {
            Ok(_) => Ends::Absorbed,
            Err(InvocationError::Retryable { .. }) => {
                proxy.clear();
                world
                    .invoke_through(&sdk, &event)
                    .await
                    .unwrap_or_else(|e| panic!("{label}: the retry failed too: {e}"));
                Ends::Retried
            }
            Err(e) => panic!("{label}: a transient fault must be retryable: {e}"),
        };
        proxy.clear();
        let got = counts(&world.drain(&world.security).await);
        eprintln!(
            "{label}: {ended:?} in {:.1} s; deliveries per alert {:?}",
            started.elapsed().as_secs_f64(),
            got.values().collect::<Vec<_>>()
        );
        assert_eq!(ended, case.ends, "{label}");
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{label}: every alert, by its id, and nothing else"
        );
    }
    let injected = proxy.injected(op);
    eprintln!(
        "{op:?}: {injected} faults injected over {} requests, all survived",
        proxy.seen(op)
    );
    injected
}

/// How many times each alert id arrived.
fn counts(delivered: &[Delivered]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for d in delivered {
        *counts
            .entry(d.alert["alert_id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn get_object_faults_are_retried_and_lose_nothing() {
    use Ends::*;
    use Fault::*;
    let injected = play(
        Op::GetObject,
        &[
            case(Status(500, "InternalError"), Some(1), Absorbed),
            case(Status(503, "SlowDown"), Some(2), Absorbed),
            case(Reset, Some(1), Absorbed),
            case(Slow(Duration::from_millis(1500)), Some(1), Absorbed),
            case(Slow(STALL), Some(1), Absorbed),
            // A body cut after the headers is past the SDK's retry loop: the invocation fails.
            case(Truncate, Some(1), Retried),
            case(Status(503, "SlowDown"), None, Retried),
            case(Reset, None, Retried),
        ],
    )
    .await;
    assert!(injected >= 12, "{injected}");
}

#[tokio::test]
async fn get_object_acl_faults_are_retried_and_lose_nothing() {
    use Ends::*;
    use Fault::*;
    let injected = play(
        Op::GetObjectAcl,
        &[
            case(Status(500, "InternalError"), Some(1), Absorbed),
            case(Status(503, "SlowDown"), Some(1), Absorbed),
            case(Reset, Some(1), Absorbed),
            case(Truncate, Some(1), Absorbed),
            case(Slow(STALL), Some(1), Absorbed),
            case(Status(500, "InternalError"), None, Retried),
        ],
    )
    .await;
    assert!(injected >= 8, "{injected}");
}

#[tokio::test]
async fn publish_batch_faults_are_retried_and_duplicates_keep_their_ids() {
    use Ends::*;
    use Fault::*;
    let injected = play(
        Op::PublishBatch,
        &[
            case(Status(500, "InternalFailure"), Some(1), Absorbed),
            case(Status(400, "Throttling"), Some(2), Absorbed),
            case(Reset, Some(1), Absorbed),
            // moto has published before the answer is cut or stalled: the SDK's retry
            // publishes again, and the copies carry the same alert ids.
            case(Truncate, Some(1), Absorbed),
            case(Slow(STALL), Some(1), Absorbed),
            case(Status(503, "ServiceUnavailable"), None, Retried),
        ],
    )
    .await;
    assert!(injected >= 8, "{injected}");
}
