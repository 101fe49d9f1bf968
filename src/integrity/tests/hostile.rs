//! Digests built to cost time or memory: bounded, typed, one alert per finding.

use super::*;

#[tokio::test]
async fn a_digest_that_decompresses_past_its_bound_is_unreadable_and_read_no_further() {
    let w = world();
    let bomb = gzip(
        &vec![b' '; (crate::digest::MAX_DIGEST_BYTES + 1) as usize],
        1,
    );
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    let source = w.with_second(bomb, with_signature_metadata(&w.second_signature));
    let started = Instant::now();
    assert_eq!(
        findings(&source, &w.second.key).await,
        vec![found(IntegrityProblem::DigestUnreadable, &w.second.key)]
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_digest_listing_twenty_thousand_missing_logs_gives_one_alert_each_in_bounded_time() {
    let w = world();
    let mut digest = w.second.clone();
    digest.logs = (0..20_000)
        .map(|i| {
            Listed::of(
                BUCKET,
                &format!("AWSLogs/{ACCOUNT}/CloudTrail/gone-{i}.json.gz"),
                b"",
            )
        })
        .collect();
    let signed = digest.sign(signer());
    let source = w.with_second(signed.gzip, signed.metadata);
    let started = Instant::now();
    let found = findings(&source, &w.second.key).await;
    assert_eq!(found.len(), 20_000);
    assert!(found
        .iter()
        .all(|(rule, _)| rule == "integrity.log-missing"));
    assert!(
        started.elapsed() < StdDuration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}
