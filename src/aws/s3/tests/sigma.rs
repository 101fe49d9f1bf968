//! Sigma rule files read from S3 at cold start: the prefix form's listing pages, filter and
//! order, the expected bucket owner on every call, and the errors naming the URI.

use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::types::Object;

use super::*;

const RULES_BUCKET: &str = "example-config-bucket";

fn prefix(prefix: &str) -> SigmaLocation {
    SigmaLocation::Prefix {
        bucket: RULES_BUCKET.into(),
        prefix: prefix.into(),
    }
}

/// One page of a listing of `sigma/` with `keys`, continued by `next` when given; answers only
/// the request continuing from `after` (the first page: none) and carrying the expected owner.
fn page(after: Option<&'static str>, keys: &[&str], next: Option<&'static str>) -> Rule {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    mock!(aws_sdk_s3::Client::list_objects_v2)
        .match_requests(move |r| {
            r.bucket() == Some(RULES_BUCKET)
                && r.prefix() == Some("sigma/")
                && r.continuation_token() == after
                && r.expected_bucket_owner() == Some(LOG_ARCHIVE)
        })
        .then_output(move || {
            keys.iter()
                .fold(ListObjectsV2Output::builder(), |out, key| {
                    out.contents(Object::builder().key(key).build())
                })
                .is_truncated(next.is_some())
                .set_next_continuation_token(next.map(String::from))
                .build()
        })
}

/// GetObject of `key` (with the expected owner) answering `body`.
fn object_text(key: &'static str, body: &'static [u8]) -> Rule {
    mock!(aws_sdk_s3::Client::get_object)
        .match_requests(move |r| {
            r.bucket() == Some(RULES_BUCKET)
                && r.key() == Some(key)
                && r.expected_bucket_owner() == Some(LOG_ARCHIVE)
        })
        .then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from_static(body))
                .build()
        })
}

fn origins(sources: &[SigmaSource]) -> Vec<&str> {
    sources.iter().map(|s| s.origin.as_str()).collect()
}

#[tokio::test]
async fn a_prefix_is_every_rule_file_under_it_over_every_page_in_byte_order_of_key() {
    let first = page(
        None,
        &["sigma/b.yml", "sigma/README.md", "sigma/a/x.yaml"],
        Some("t1"),
    );
    let second = page(Some("t1"), &["sigma/B.yml", "sigma/c.yml.bak"], None);
    let reads = [
        object_text("sigma/b.yml", b"# b\n"),
        object_text("sigma/a/x.yaml", b"# a/x\n"),
        object_text("sigma/B.yml", b"# B\n"),
    ];
    let mut rules: Vec<&Rule> = vec![&first, &second];
    rules.extend(&reads);
    let sources = read_sigma_location(&s3(&rules), &prefix("sigma/"), Some(LOG_ARCHIVE))
        .await
        .unwrap();
    assert_eq!(
        origins(&sources),
        [
            "s3://example-config-bucket/sigma/B.yml",
            "s3://example-config-bucket/sigma/a/x.yaml",
            "s3://example-config-bucket/sigma/b.yml",
        ],
        "the .yml and .yaml keys of both pages, upper case before lower case"
    );
    assert_eq!(sources[0].text, "# B\n");
    assert_eq!(sources[2].text, "# b\n");
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1), "two pages");
    for read in &reads {
        assert_eq!(
            read.num_calls(),
            1,
            "each rule file read once, nothing else"
        );
    }
}

#[tokio::test]
async fn one_object_is_read_whatever_its_key() {
    let get = object_text("sigma/rules.txt", b"title: t\n");
    let location = SigmaLocation::Object {
        bucket: RULES_BUCKET.into(),
        key: "sigma/rules.txt".into(),
    };
    let sources = read_sigma_location(&s3(&[&get]), &location, Some(LOG_ARCHIVE))
        .await
        .unwrap();
    assert_eq!(
        sources,
        [SigmaSource {
            origin: "s3://example-config-bucket/sigma/rules.txt".into(),
            text: "title: t\n".into(),
        }]
    );
}

#[tokio::test]
async fn failures_are_load_errors_naming_the_uri() {
    let no_rule_file = page(None, &["sigma/README.md", "sigma/old.yml.bak"], None);
    let not_utf8 = [
        page(None, &["sigma/latin1.yml"], None),
        object_text("sigma/latin1.yml", b"title: caf\xe9\n"),
    ];
    let denied_listing = mock!(aws_sdk_s3::Client::list_objects_v2)
        .sequence()
        .http_status(403, error_body("AccessDenied"))
        .build();
    let denied_read = [
        page(None, &["sigma/a.yml"], None),
        mock!(aws_sdk_s3::Client::get_object)
            .sequence()
            .http_status(403, error_body("AccessDenied"))
            .build(),
    ];
    let cases: [(&str, Vec<&Rule>, &str, &str); 4] = [
        (
            "no rule file under the prefix",
            vec![&no_rule_file],
            "s3://example-config-bucket/sigma/",
            "holds no .yml or .yaml file",
        ),
        (
            "a file that is not UTF-8",
            not_utf8.iter().collect(),
            "s3://example-config-bucket/sigma/latin1.yml",
            "is not UTF-8",
        ),
        (
            "the listing refused",
            vec![&denied_listing],
            "s3://example-config-bucket/sigma/",
            "cannot be listed: ListObjectsV2 s3://example-config-bucket/sigma/: access denied",
        ),
        (
            "a file refused",
            denied_read.iter().collect(),
            "s3://example-config-bucket/sigma/a.yml",
            "cannot be read: GetObject s3://example-config-bucket/sigma/a.yml: access denied",
        ),
    ];
    for (case, rules, origin, reason) in cases {
        let err = read_sigma_location(&s3(&rules), &prefix("sigma/"), Some(LOG_ARCHIVE))
            .await
            .expect_err(case);
        assert_eq!(err.origin, origin, "case {case}");
        assert_eq!(err.line, None, "case {case}");
        assert!(
            err.reason.starts_with(reason),
            "case {case}: {}",
            err.reason
        );
    }
}
