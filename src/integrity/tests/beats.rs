//! The heartbeat (INTEGRITY §5): which accounts and regions are late, and its payload.

use super::*;

fn beat(now: OffsetDateTime) -> HeartbeatRequest {
    HeartbeatRequest::from_value(&serde_json::json!({
        "trailwatch": "heartbeat", "bucket": BUCKET, "accounts": [ACCOUNT, "444455556666"],
        "now": now.format(&time::format_description::well_known::Rfc3339).unwrap(),
    }))
    .unwrap()
}

async fn late(
    source: &MemorySource,
    request: &HeartbeatRequest,
) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let plan = heartbeat::plan(request, &Settings::default(), OffsetDateTime::now_utc()).unwrap();
    heartbeat::run(&plan, source)
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            assert_eq!(a.rule_id, "integrity.digest-late");
            (a.account_id, a.region, a.key)
        })
        .collect()
}

#[tokio::test]
async fn the_heartbeat_names_accounts_and_regions_whose_digests_stopped_or_never_came() {
    let w = world();
    let other_region = digest_key(
        None,
        None,
        ACCOUNT,
        "us-east-1",
        DAY,
        (1, 0, 0),
        "org-trail",
    );
    let backfill = digest_key(
        None,
        None,
        ACCOUNT,
        "us-east-1",
        DAY,
        (3, 0, 0),
        "org-trail",
    )
    .replace(".json.gz", "_backfill.json.gz");
    let source = w
        .source
        .clone()
        .with(&other_region, vec![1])
        .with(&backfill, vec![1]);
    // 03:00: eu-west-1's newest digest (02:10) is fresh, us-east-1's (01:00) is 2h old (the
    // backfill digest at 03:00 does not count), and the second account never delivered.
    let request = beat(datetime!(2025-03-06 03:00:01 UTC));
    assert_eq!(
        late(&source, &request).await,
        vec![
            (
                Some(ACCOUNT.into()),
                Some("us-east-1".into()),
                Some(other_region.clone())
            ),
            (Some("444455556666".into()), None, None),
        ]
    );
    // A day later nothing is fresh; eu-west-1's 02:10 digest is still in the window (26 h),
    // us-east-1's 01:00 is not, so that region names none.
    let later = beat(datetime!(2025-03-07 04:00:00 UTC));
    assert_eq!(
        late(&source, &later).await,
        vec![
            (
                Some(ACCOUNT.into()),
                Some(REGION.into()),
                Some(w.second.key.clone())
            ),
            (Some(ACCOUNT.into()), Some("us-east-1".into()), None),
            (Some("444455556666".into()), None, None),
        ]
    );
    let much_later = beat(datetime!(2025-03-09 00:00:00 UTC));
    assert_eq!(
        late(&source, &much_later).await,
        vec![
            (Some(ACCOUNT.into()), Some(REGION.into()), None),
            (Some(ACCOUNT.into()), Some("us-east-1".into()), None),
            (Some("444455556666".into()), None, None),
        ]
    );
}

#[tokio::test]
async fn the_heartbeat_checks_the_regions_it_is_given_even_without_folders() {
    let w = world();
    let request = HeartbeatRequest {
        regions: Some(["eu-west-1".to_owned(), "ap-south-1".to_owned()].into()),
        accounts: Some([ACCOUNT.to_owned()].into()),
        ..beat(datetime!(2025-03-06 03:00:00 UTC))
    };
    assert_eq!(
        late(&w.source, &request).await,
        vec![(Some(ACCOUNT.into()), Some("ap-south-1".into()), None)]
    );
}

#[test]
fn a_heartbeat_payload_is_checked_like_configuration() {
    let ok = HeartbeatRequest::from_value(&serde_json::json!({
        "trailwatch": "heartbeat", "bucket": BUCKET, "prefix": "logs/", "org_id": null,
        "accounts": [ACCOUNT], "regions": null, "max_age_s": 7200, "now": null,
    }))
    .unwrap();
    assert_eq!(ok.prefix, "logs");
    assert_eq!(ok.max_age_s, Some(7200));
    for (case, payload) in [
        ("no bucket", serde_json::json!({"trailwatch": "heartbeat"})),
        (
            "a bad bucket",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": "B"}),
        ),
        (
            "an unknown member",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "acounts": []}),
        ),
        (
            "a bad account",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": ["1234"]}),
        ),
        (
            "no accounts",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "accounts": []}),
        ),
        (
            "a bad region",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "regions": ["Mars"]}),
        ),
        (
            "a zero age",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "max_age_s": 0}),
        ),
        (
            "a bad time",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "now": "today"}),
        ),
        (
            "a bad org",
            serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET, "org_id": "o-x"}),
        ),
    ] {
        assert!(
            HeartbeatRequest::from_value(&payload).is_err(),
            "case {case}"
        );
    }
    let no_accounts = HeartbeatRequest::from_value(
        &serde_json::json!({"trailwatch": "heartbeat", "bucket": BUCKET}),
    )
    .unwrap();
    assert!(
        heartbeat::plan(
            &no_accounts,
            &Settings::default(),
            OffsetDateTime::now_utc()
        )
        .is_err(),
        "no accounts anywhere is a configuration error"
    );
}
