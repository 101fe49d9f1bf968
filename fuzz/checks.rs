//! The fuzzing properties, one `pub fn` per target, shared by the fuzz targets (`fuzz/`) and by
//! `tests/fuzz_corpus.rs`, which replays the seeds and every minimised crash on stable in CI.
//!
//! Each check takes arbitrary bytes and panics only when an invariant of the code under test
//! breaks; inputs the code rightly rejects return quietly.

// Each fuzz target compiles this file as its own module and calls one of the checks.
#![allow(dead_code)]

use std::sync::OnceLock;

use serde_json::Value;
use trailwatch::config::Limits;
use trailwatch::date::{Date, CLOUDTRAIL_LAUNCH};
use trailwatch::decode::{DecodeError, Format, RecordReader};
use trailwatch::digest::member::{read_first_member, MemberLimits};
use trailwatch::digest::Digest;
use trailwatch::event::{self, TaskOutcome, Trigger};
use trailwatch::key::{self, KeyError, KeyErrorKind, Kind, LogKey};
use trailwatch::record::{extract, FieldPlan, Fields, JsonRef, Record, SlotId, Step};
use trailwatch::rules::{
    builtin_rules, parse_pattern, Check, Expr, RuleDef, RuleSet, RuleSource, Severity,
};
use trailwatch::sigma::{self, SigmaSet, SigmaSource};

/// Small enough that fuzz inputs (64 KiB at most) reach every limit, large enough for real
/// records.
const LIMITS: Limits = Limits {
    max_compressed_bytes: 48 << 10,
    max_decompressed_bytes: 1 << 20,
    max_record_bytes: 16 << 10,
};

/// The clock the key checks run at: the sample bucket's day, after every dated seed.
fn today() -> Date {
    Date::new(2025, 3, 14).expect("a real date")
}

/// Keys: `LogKey::parse` on the text as given and after S3-event URL decoding.
pub fn key_parser(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_key(text);
    match key::url_decode(text) {
        Ok(decoded) => {
            assert!(decoded.len() <= text.len(), "decoding grew {text:?}");
            if !text.contains('%') {
                assert_eq!(decoded, text.replace('+', " "), "no escapes in {text:?}");
            }
            check_key(&decoded);
        }
        Err(error) => {
            assert_eq!(error.kind(), KeyErrorKind::BadUrlEncoding, "{error}");
            assert!(!error.message().is_empty());
            assert!(
                !error.message().chars().any(char::is_control),
                "control character in {:?}",
                error.message()
            );
        }
    }
}

fn check_key(key: &str) {
    match LogKey::parse(key, today()) {
        Ok(parsed) => check_parsed_key(key, &parsed),
        Err(error) => check_key_error(key, &error),
    }
}

/// Every component the parser reports is well-formed and stands in the key where the layout
/// puts it.
fn check_parsed_key(key: &str, parsed: &LogKey) {
    let context = || format!("key {key:?} parsed as {parsed:?}");
    assert!(!key.is_empty() && !key.starts_with('/'), "{}", context());
    assert!(
        !key.chars().any(|c| c.is_control() || c == '\\'),
        "{}",
        context()
    );
    let is_file = parsed.kind != Kind::Other;
    assert_eq!(parsed.region.is_some(), is_file, "{}", context());
    assert_eq!(parsed.date.is_some(), is_file, "{}", context());
    if is_file {
        assert!(parsed.account_id.is_some(), "{}", context());
    }
    if let Some(account) = &parsed.account_id {
        assert!(key::is_account_id(account), "{}", context());
    }
    if let Some(org) = &parsed.org_id {
        assert!(key::is_org_id(org), "{}", context());
    }
    if let Some(prefix) = &parsed.prefix {
        assert!(!prefix.is_empty(), "{}", context());
    }
    // The key opens with `[prefix/]AWSLogs/[org/][account]`, ending at a segment boundary.
    if parsed.org_id.is_some() || parsed.account_id.is_some() {
        let mut head: Vec<&str> = parsed.prefix.iter().map(String::as_str).collect();
        head.push("AWSLogs");
        head.extend(parsed.org_id.as_deref());
        head.extend(parsed.account_id.as_deref());
        let head = head.join("/");
        let rest = key.strip_prefix(&head);
        assert!(
            rest.is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
            "{}: does not start with {head:?}",
            context()
        );
    }
    if let (Some(account), Some(region), Some(date)) =
        (&parsed.account_id, &parsed.region, parsed.date)
    {
        assert!(key::is_region(region), "{}", context());
        assert!(
            (CLOUDTRAIL_LAUNCH..=today().next_day()).contains(&date),
            "{}",
            context()
        );
        let folder = match parsed.kind {
            Kind::Log => "CloudTrail",
            Kind::Digest => "CloudTrail-Digest",
            _ => "CloudTrail-Insight",
        };
        let (year, month, day) = (date.year(), date.month(), date.day());
        let tree = format!("/{account}/{folder}/{region}/{year:04}/{month:02}/{day:02}/");
        let (folders, file) = key.rsplit_once('/').expect("a file key has folders");
        assert!(
            format!("{folders}/").ends_with(&tree),
            "{}: folders do not end in {tree:?}",
            context()
        );
        assert!(
            file.starts_with(&format!("{account}_{folder}_{region}_"))
                && file.ends_with(".json.gz"),
            "{}: file name disagrees with its folders",
            context()
        );
    }
}

/// A rejection names a code and a message, and the message carries no control character, so
/// it cannot forge lines in logs or alerts.
fn check_key_error(key: &str, error: &KeyError) {
    assert!(!error.code().is_empty(), "key {key:?}");
    assert!(!error.message().is_empty(), "key {key:?}");
    assert!(
        !error.message().chars().any(char::is_control),
        "key {key:?}: message {:?} carries a control character",
        error.message()
    );
}

/// Filter patterns: the first line is a pattern, the rest one record. A pattern parses or
/// names a column inside it; a parsed pattern prints back to the same tree, compiles beside the
/// built-in pack, and matches the record exactly when a reading of the documented semantics
/// over serde_json's tree says it should.
pub fn filter_pattern(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, record) = text.split_once('\n').unwrap_or((text, "{}"));
    pattern_on_record(pattern, record);
}

/// [`filter_pattern`]'s properties for one pattern (which may span lines) and one record's text.
pub fn pattern_on_record(pattern: &str, record: &str) {
    let tree = match parse_pattern(pattern) {
        Ok(tree) => tree,
        Err(error) => {
            let columns = 1..=pattern.chars().count() + 1;
            assert!(
                columns.contains(&error.column()),
                "pattern {pattern:?}: column {} outside {columns:?}",
                error.column()
            );
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let printed = tree.to_string();
    assert_eq!(
        parse_pattern(&printed).as_ref(),
        Ok(&tree),
        "pattern {pattern:?} printed as {printed:?}"
    );

    let mut defs = builtin_rules();
    defs.push(RuleDef {
        id: "fuzz".to_owned(),
        title: "fuzz".to_owned(),
        severity: Severity::Info,
        pattern: pattern.to_owned(),
        description: None,
        enabled: true,
        source: RuleSource::Builtin,
    });
    let mut plan = FieldPlan::new();
    let rules = RuleSet::compile(&defs, &mut plan).expect("a parsed pattern compiles");
    let fuzz_rule = rules.rules().last().expect("the fuzz rule is enabled");

    let document = format!("{{\"Records\":[{record}]}}");
    let Ok(mut reader) = RecordReader::new(document.as_bytes(), Format::Detect, &plan, LIMITS)
    else {
        return;
    };
    loop {
        match reader.next_record() {
            Ok(Some(rec)) => {
                let mut hits = 0;
                rules.for_each_match(&rec, |_| hits += 1);
                assert!(hits <= rules.rules().len());
                let matched = fuzz_rule.matches(&rec);
                if let Some(value) = serde_json_view(rec.text()) {
                    assert_eq!(
                        matched,
                        reference_eval(&tree.expr, &value),
                        "pattern {pattern:?} on record {:?}",
                        rec.text()
                    );
                }
            }
            Ok(None) => break,
            Err(error) if error.is_record_local() => continue,
            Err(_) => break,
        }
    }
}

/// The pattern's meaning as `src/rules/mod.rs` documents it, evaluated over a serde_json tree:
/// independent of the field plan, the scanner and the compiled rule tree.
fn reference_eval(expr: &Expr, record: &Value) -> bool {
    match expr {
        Expr::Or(members) => members.iter().any(|m| reference_eval(m, record)),
        Expr::And(members) => members.iter().all(|m| reference_eval(m, record)),
        Expr::Test(test) => {
            let value = select(record, &test.selector.steps);
            match (&test.check, value) {
                (Check::Exists, value) => value.is_some(),
                (Check::NotExists, value) => value.is_none(),
                (Check::IsTrue, Some(Value::Bool(b))) => *b,
                (Check::IsFalse, Some(Value::Bool(b))) => !b,
                (Check::IsNull, Some(Value::Null)) => true,
                (Check::Str { negated, glob }, Some(Value::String(s))) => {
                    glob.matches(s) != *negated
                }
                (Check::Regex { negated, regex }, Some(Value::String(s))) => {
                    regex.is_match(s) != *negated
                }
                // serde_json prints a number so that it reads back as the same value.
                (Check::Num { op, number }, Some(Value::Number(n))) => number
                    .compare_json(&n.to_string())
                    .is_some_and(|order| op.holds(order)),
                _ => false,
            }
        }
    }
}

fn select<'v>(value: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    steps.iter().try_fold(value, |value, step| match step {
        Step::Key(name) => value.as_object()?.get(name),
        Step::Index(index) => value.as_array()?.get(*index),
    })
}

/// The record as serde_json reads it; `None` only where the scanner deliberately accepts what
/// serde_json refuses: numbers beyond `f64` (valid JSON) and `\u` escapes naming half a
/// surrogate pair (the scanner decodes them to U+FFFD). Any other disagreement panics.
fn serde_json_view(text: &str) -> Option<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            assert!(value.is_object(), "record {text:?} is not an object");
            Some(value)
        }
        Err(error) => {
            let message = error.to_string();
            let tolerated = [
                "number out of range",
                "lone leading surrogate",
                "unexpected end of hex escape",
            ];
            assert!(
                tolerated.iter().any(|t| message.starts_with(t)),
                "the scanner accepted record {text:?}, serde_json refuses it: {message}"
            );
            None
        }
    }
}

/// Paths the decoder check asks for besides the built-in pack's: the record itself, short
/// names a fuzzer reaches easily, and nested and indexed CloudTrail fields.
const PROBES: &[&[&str]] = &[
    &[],
    &["a"],
    &["a", "b"],
    &["a", "#0"],
    &["a", "#1", "b"],
    &["eventName"],
    &["userIdentity"],
    &["userIdentity", "sessionContext", "attributes"],
    &["resources", "#0", "ARN"],
    &["requestParameters"],
];

fn probe_steps(probe: &[&str]) -> Vec<Step> {
    probe
        .iter()
        .map(|step| match step.strip_prefix('#') {
            Some(index) => Step::Index(index.parse().expect("a probe index")),
            None => Step::Key((*step).to_owned()),
        })
        .collect()
}

/// Each probe's path and its slot in the decoder's plan.
type Probes = Vec<(Vec<Step>, SlotId)>;

/// The built-in pack's plan plus the probes, built once per process.
fn decoder_plan() -> &'static (FieldPlan, Probes) {
    static PLAN: OnceLock<(FieldPlan, Probes)> = OnceLock::new();
    PLAN.get_or_init(|| {
        let mut plan = FieldPlan::new();
        RuleSet::compile(&builtin_rules(), &mut plan).expect("the built-in pack compiles");
        let probes = PROBES
            .iter()
            .map(|probe| {
                let steps = probe_steps(probe);
                let slot = plan.slot_for(&steps);
                (steps, slot)
            })
            .collect();
        (plan, probes)
    })
}

/// Deliveries: the reader ends within a bounded number of calls, stays inside its limits, and
/// every record it yields is a JSON object serde_json reads the same way, field for field.
pub fn decoder(data: &[u8]) {
    let (plan, probes) = decoder_plan();
    let mut reader = match RecordReader::new(data, Format::Detect, plan, LIMITS) {
        Ok(reader) => reader,
        Err(error) => {
            assert_eq!(
                matches!(error, DecodeError::EmptyObject),
                data.is_empty(),
                "a zero-byte object, and only that, is EmptyObject"
            );
            return check_decode_error(&error);
        }
    };
    assert!(!data.is_empty(), "a zero-byte object is refused");
    // Each call either ends the reading or frames a record, which takes at least two bytes
    // (`{}` and the comma before the next); so this bound is never reached unless a call
    // loops without progress.
    let max_calls = LIMITS.max_decompressed_bytes / 2 + 2;
    let mut calls = 0;
    let end = loop {
        calls += 1;
        assert!(
            calls <= max_calls,
            "{calls} calls without the reading ending"
        );
        let before = reader.records_read();
        match reader.next_record() {
            Ok(Some(rec)) => {
                let text = rec.text();
                assert!(
                    text.len() <= LIMITS.max_record_bytes,
                    "record over the limit"
                );
                if let Some(value) = serde_json_view(text) {
                    for (steps, slot) in probes {
                        check_field(text, steps, rec.get(*slot), select(&value, steps));
                    }
                }
            }
            Ok(None) => break None,
            Err(error) if error.is_record_local() => check_decode_error(&error),
            Err(error) => break Some(error),
        }
        assert_eq!(reader.records_read(), before + 1, "a call framed no record");
    };
    if let Some(error) = &end {
        check_decode_error(error);
    }
    if !matches!(end, Some(DecodeError::DecompressedTooLarge { .. })) {
        assert!(reader.decompressed_bytes() <= LIMITS.max_decompressed_bytes);
    }
    assert!(reader.records_read() <= reader.decompressed_bytes() / 2 + 1);
}

fn check_decode_error(error: &DecodeError) {
    assert!(!error.to_string().is_empty());
    assert!(
        !error.is_transient(),
        "a byte slice cannot fail to read: {error}"
    );
}

/// The scanner's view of one field agrees with serde_json's.
fn check_field(text: &str, steps: &[Step], found: Option<JsonRef<'_>>, expected: Option<&Value>) {
    let parsed = |raw: &str| serde_json::from_str::<Value>(raw).ok();
    let agrees = match (found, expected) {
        (None, None) => true,
        (Some(JsonRef::Null), Some(Value::Null)) => true,
        (Some(JsonRef::Bool(b)), Some(Value::Bool(e))) => b == *e,
        (Some(JsonRef::String(s)), Some(Value::String(e))) => s.value() == e.as_str(),
        (Some(JsonRef::Number(raw)), Some(e @ Value::Number(_)))
        | (Some(JsonRef::Object(raw)), Some(e @ Value::Object(_)))
        | (Some(JsonRef::Array(raw)), Some(e @ Value::Array(_))) => parsed(raw).as_ref() == Some(e),
        _ => false,
    };
    assert!(
        agrees,
        "record {text:?} at {steps:?}: scanner found {found:?}, serde_json {expected:?}"
    );
}

/// Trigger payloads: `event::parse` on any JSON value, and the answers built from what it
/// yields serialise with one entry per message or task.
pub fn trigger_envelope(data: &[u8]) {
    let Ok(payload) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let trigger = match event::parse(&payload) {
        Ok(trigger) => trigger,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    match trigger {
        Trigger::Objects(_) => {}
        Trigger::Sqs(messages) => {
            let failed: Vec<String> = messages
                .iter()
                .filter(|m| m.objects.is_err())
                .map(|m| m.message_id.clone())
                .collect();
            let answer = reread(serde_json::to_string(&event::sqs_response(failed.clone())));
            let ids: Vec<&str> = answer["batchItemFailures"]
                .as_array()
                .expect("batchItemFailures is an array")
                .iter()
                .map(|f| f["itemIdentifier"].as_str().expect("an item identifier"))
                .collect();
            assert_eq!(ids, failed);
        }
        Trigger::Batch(job) => {
            let mut outcomes = Vec::new();
            for task in &job.tasks {
                let outcome = match &task.object {
                    Ok(object) => {
                        // A task's bucket comes from a name or an ARN; an empty one is refused.
                        assert!(!object.bucket.is_empty(), "task {task:?}");
                        TaskOutcome::Succeeded(String::new())
                    }
                    Err(error) => TaskOutcome::PermanentFailure(error.to_string()),
                };
                outcomes.push((task.task_id.clone(), outcome));
            }
            let answer = reread(serde_json::to_string(&event::batch_response(
                &job, outcomes,
            )));
            assert_eq!(answer["invocationId"], job.invocation_id.as_str());
            assert_eq!(
                answer["invocationSchemaVersion"],
                job.schema_version.as_str()
            );
            let results = answer["results"].as_array().expect("results is an array");
            assert_eq!(results.len(), job.tasks.len());
            for (result, task) in results.iter().zip(&job.tasks) {
                assert_eq!(result["taskId"], task.task_id.as_str());
            }
        }
        Trigger::Heartbeat(request) => {
            // Accepted only with a bucket S3 would take and accounts that are account ids.
            assert!(
                trailwatch::config::is_bucket_name(&request.bucket),
                "{request:?}"
            );
            for account in request.accounts.iter().flatten() {
                assert!(trailwatch::key::is_account_id(account), "{request:?}");
            }
        }
    }
}

/// An answer as the AWS service reads it back.
fn reread(serialised: serde_json::Result<String>) -> Value {
    let text = serialised.expect("an answer serialises");
    serde_json::from_str(&text).expect("an answer is JSON")
}

/// Digest files: the first-member reader and the digest parser on any bytes. The reader ends
/// in a result within its limits, hashing exactly the bytes it hands over; the parser accepts
/// only JSON objects, and what it returns is what the JSON says.
pub fn digest_file(data: &[u8]) {
    let limits = MemberLimits {
        compressed: 1 << 20,
        decompressed: 4 << 20,
    };
    let mut content = Vec::new();
    match read_first_member(data, limits, |chunk| content.extend_from_slice(chunk)) {
        Ok(member) => {
            assert_eq!(member.bytes, content.len() as u64);
            assert!(member.bytes <= limits.decompressed);
            let expected: [u8; 32] = sha2::Digest::finalize(sha2::Digest::chain_update(
                <sha2::Sha256 as sha2::Digest>::new(),
                &content,
            ))
            .into();
            assert_eq!(
                member.sha256, expected,
                "the hash covers what was handed over"
            );
            digest_json(&content);
        }
        // A slice never fails as a source does.
        Err(error) => assert!(!error.is_transient(), "{error:?}"),
    }
    digest_json(data);
}

fn digest_json(content: &[u8]) {
    let Ok(digest) = Digest::parse(content) else {
        return;
    };
    let value: Value = serde_json::from_slice(content).expect("a parsed digest is JSON");
    assert_eq!(value["digestS3Object"].as_str(), Some(digest.key.as_str()));
    assert_eq!(
        value["digestEndTime"].as_str(),
        Some(digest.end_time.as_str())
    );
    assert_eq!(
        value["logFiles"].as_array().map(Vec::len),
        Some(digest.logs.len())
    );
    assert_eq!(
        digest.previous.is_some(),
        value["previousDigestS3Bucket"].is_string() && value["previousDigestS3Object"].is_string()
    );
    let signed = digest.signed_text("h");
    assert!(signed.starts_with(&digest.end_time) && signed.contains("\nh\n"));
}

/// Records the loaded Sigma rules run on: CloudTrail-shaped, with nested objects, arrays of
/// objects and of arrays, escapes in names and values, and numbers as written.
const SIGMA_RECORDS: &[&str] = &[
    r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2025-03-14T05:07:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"readOnly":false,"resources":[]}"#,
    r#"{ "eventName" : "RunTask", "eventSource":"ecs.amazonaws.com", "requestParameters": {"containerDefinitions":[{"command":["sh","-c","echo aGVsbG8gd29ybGQ= | base64 -d"]},{"command":[["nested"]]}],"count":1.50,"size":1e3,"zero":-0},"errorCode":null,"policy":"{\"Action\":\"s3:GetObject\"}","n\u00e9":"\u00c9\ud83d\ude00\/x", "sourceIPAddress":"::ffff:10.0.0.1" }"#,
    r#"{}"#,
];

/// Sigma files: bytes that are not UTF-8 are refused as such; any text loads, or fails naming
/// the file and a line inside it with a reason. Loaded rules compile onto a plan and run on a
/// few records, each match once and in load order; the same text loaded again as a second file
/// fails on the second file's repeated ids.
pub fn sigma_loader(data: &[u8]) {
    let text = match SigmaSource::from_bytes("fuzz.yml".to_owned(), data.to_vec()) {
        Ok(source) => source.text,
        Err(error) => {
            assert!(std::str::from_utf8(data).is_err(), "UTF-8 refused: {error}");
            assert_eq!((error.origin.as_str(), error.line), ("fuzz.yml", None));
            return;
        }
    };
    let source = |origin: &str| SigmaSource {
        origin: origin.to_owned(),
        text: text.clone(),
    };
    let loaded = match sigma::load(&[source("fuzz.yml")]) {
        Ok(loaded) => loaded,
        Err(error) => {
            assert_eq!(error.origin, "fuzz.yml", "{error}");
            assert!(!error.reason.is_empty(), "{error:?}");
            // YAML counts `\r` as a line break too; a `\r\n` counted twice only widens the bound.
            let breaks = text.matches(['\n', '\r']).count();
            if let Some(line) = error.line {
                assert!(
                    (1..=breaks + 1).contains(&line),
                    "line {line} outside the text's {} lines: {error}",
                    breaks + 1
                );
            }
            return;
        }
    };
    for rule in &loaded.rules {
        assert!(rule.rule_id.starts_with("sigma."), "{rule:?}");
        assert!(!rule.title.is_empty(), "{rule:?}");
        assert_eq!(rule.file, "fuzz.yml");
    }
    let mut plan = FieldPlan::new();
    let set = SigmaSet::compile(&loaded.rules, &mut plan);
    assert_eq!(set.rules().count(), loaded.rules.len());
    let mut fields = Fields::new(&plan);
    for record in SIGMA_RECORDS {
        extract(&plan, record, &mut fields).expect("a fixed record scans");
        let mut hits = Vec::new();
        set.for_each_match(&Record::new(record, &fields), |rule| {
            let at = loaded.rules.iter().position(|r| r.rule_id == rule.rule_id);
            hits.push(at.expect("a match is a loaded rule"));
        });
        assert!(
            hits.windows(2).all(|w| w[0] < w[1]),
            "matches {hits:?} are not once each in load order"
        );
    }
    if !loaded.rules.is_empty() {
        match sigma::load(&[source("fuzz.yml"), source("again.yml")]) {
            Ok(_) => panic!("the same rules loaded twice"),
            Err(error) => assert_eq!(error.origin, "again.yml", "{error}"),
        }
    }
}
