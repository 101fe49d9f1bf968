//! Tests of the synthetic callers.

use super::*;

#[test]
fn kebab_cases() {
    for (input, want) in [
        ("DescribeInstances", "describe-instances"),
        ("GetCallerIdentity", "get-caller-identity"),
        ("ListBuckets", "list-buckets"),
    ] {
        assert_eq!(kebab(input), want, "{input}");
    }
}

#[test]
fn unique_ids_are_stable_and_shaped() {
    let a = unique_id("AROA", &["111111111111", "terraform-ci"]);
    assert_eq!(a, unique_id("AROA", &["111111111111", "terraform-ci"]));
    assert_ne!(a, unique_id("AROA", &["222222222222", "terraform-ci"]));
    assert_eq!(a.len(), 21, "role id length");
    assert_eq!(
        unique_id("AKIA", &["1", "u", "key"]).len(),
        20,
        "access key id length"
    );
}

#[test]
fn every_caller_kind_yields_a_typed_identity() {
    let at = Stamp::new((2025, 3, 14), 36_000);
    let cases: Vec<(&str, Callers, &str)> = vec![
        ("people", Callers::People, "AssumedRole"),
        ("workload", Callers::Workload, "AssumedRole"),
        (
            "service",
            Callers::Service("lambda.amazonaws.com"),
            "AWSService",
        ),
        (
            "linked",
            Callers::Linked {
                role: "AWSServiceRoleForAutoScaling",
                session: "AutoScaling",
                service: "autoscaling.amazonaws.com",
            },
            "AssumedRole",
        ),
    ];
    let mut rng = Rng::new(5);
    for (name, callers, kind) in cases {
        let actor = ordinary_actor(
            &mut rng,
            "111111111111",
            at,
            callers,
            "ec2",
            "DescribeInstances",
        );
        assert_eq!(actor.identity["type"], kind, "{name}");
    }
    for _ in 0..200 {
        let actor = ordinary_actor(
            &mut rng,
            "111111111111",
            at,
            Callers::Anyone,
            "s3",
            "ListBuckets",
        );
        let kind = actor.identity["type"].as_str().unwrap_or_default();
        assert!(
            kind == "AssumedRole" || kind == "IAMUser",
            "anyone gave {kind}"
        );
    }
}
