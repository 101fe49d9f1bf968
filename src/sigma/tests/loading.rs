//! Loading, scope and the rule keys: what loads, what is skipped, what fails and where.

use super::*;

// ---- Loading ----

#[test]
fn documents_are_rules_and_empty_ones_are_ignored() {
    let two = format!(
        "{}---\n---\n{}",
        rule_with("  s: {eventName: A}\n  condition: s"),
        rule_with("  s: {eventName: B}\n  condition: s")
            .replace(ID, "1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d")
    );
    let loaded = load_one(&two).unwrap();
    assert_eq!(loaded.rules.len(), 2);
    assert_eq!(loaded.skipped, 0);
}

#[test]
fn invalid_yaml_duplicates_anchors_aliases_and_tags_fail_the_load() {
    let cases = [
        ("title: [\n", "invalid YAML"),
        (
            "title: t\ntitle: u\n",
            "rules/test.yml:2: duplicate key `title` (first on line 1)",
        ),
        ("a: &x 1\n", "anchors"),
        ("a: !!str 1\n", "tags"),
        ("a: *x\n", "unknown anchor"),
    ];
    for (text, want) in cases {
        let e = load_error(text).to_string();
        assert!(e.contains(want), "{text:?} → {e}");
    }
    // Duplicates are refused in any mapping, also deep inside the detection.
    let e = detection_error("  s:\n    eventName: A\n    eventName: B\n  condition: s");
    assert!(e.contains("duplicate key `eventName`"), "{e}");
}

#[test]
fn scope_is_product_aws_and_service_cloudtrail_exactly() {
    let doc = |product: &str, service: &str| {
        format!("title: t\nlogsource:\n  product: {product}\n  service: {service}\n  category: x\ndetection: 5\n")
    };
    for (p, s) in [
        ("AWS", "cloudtrail"),
        ("aws", "CloudTrail"),
        ("aws", "s3"),
        ("gcp", "cloudtrail"),
    ] {
        let loaded = load_one(&doc(p, s)).unwrap();
        assert_eq!(
            (loaded.rules.len(), loaded.skipped),
            (0, 1),
            "{p}/{s}: skipped unchecked"
        );
    }
    let missing_service = "title: t\nlogsource:\n  product: aws\ndetection: 5\n";
    assert_eq!(load_one(missing_service).unwrap().skipped, 1);
    let loaded = load_one(&format!("{}---\n{}", doc("aws", "s3"), doc("windows", "x"))).unwrap();
    assert_eq!(
        loaded.skipped_line().as_deref(),
        Some("sigma: skipped 2 rules outside product aws / service cloudtrail")
    );
    assert_eq!(Loaded::default().skipped_line(), None);
}

#[test]
fn documents_that_are_not_rules_fail_the_load() {
    let cases = [
        ("- a\n- b\n", "must be a mapping"),
        ("just text\n", "must be a mapping"),
        ("title: t\n", "no `logsource`"),
        (
            "title: t\nlogsource: aws\n",
            "`logsource` must be a mapping",
        ),
        (
            "correlation:\n  type: event_count\nlogsource:\n  product: windows\n",
            "`correlation`",
        ),
        ("action: global\nlogsource:\n  product: aws\n", "`action`"),
    ];
    for (text, want) in cases {
        let e = load_error(text).to_string();
        assert!(e.contains(want), "{text:?} → {e}");
    }
}

#[test]
fn load_errors_name_file_and_line() {
    let text = rule_with("  s:\n    eventName|nope: A\n  condition: s");
    let e = load_error(&text);
    assert_eq!(e.origin, "rules/test.yml");
    assert_eq!(e.line, Some(8));
    assert_eq!(
        e.to_string(),
        "sigma: rules/test.yml:8: search identifier `s`: `eventName|nope`: unknown modifier `nope`"
    );
}

#[test]
fn paths_are_files_or_folders_read_in_byte_order() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("b.yml", "x: 1\n");
    write("a/z.yaml", "x: 2\n");
    write("B.yml", "x: 3\n");
    write("c.txt", "not read\n");
    write("d.yml.bak", "not read\n");
    let sources = read_path(dir.path()).unwrap();
    let names: Vec<String> = sources
        .iter()
        .map(|s| s.origin[dir.path().display().to_string().len() + 1..].to_owned())
        .collect();
    assert_eq!(names, ["B.yml", "a/z.yaml", "b.yml"]);
    let one = read_path(&dir.path().join("c.txt")).unwrap();
    assert_eq!(one.len(), 1, "a file is read whatever its name");

    let empty = tempfile::tempdir().unwrap();
    let e = read_path(empty.path()).unwrap_err();
    assert!(e.to_string().contains("holds no .yml or .yaml file"), "{e}");
    let e = read_path(&empty.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("cannot be read"), "{e}");
    std::fs::write(empty.path().join("bad.yml"), [0xff, 0xfe]).unwrap();
    let e = read_path(empty.path()).unwrap_err();
    assert!(e.to_string().contains("is not UTF-8"), "{e}");
}

// ---- Rule keys ----

#[test]
fn ids_are_uuids_and_unique_ignoring_case() {
    let with_id = |id: &str| rule_with("  s: {eventName: A}\n  condition: s").replace(ID, id);
    let loaded = load_one(&with_id("0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D")).unwrap();
    assert_eq!(
        loaded.rules[0].rule_id, "sigma.0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D",
        "as written"
    );
    for bad in [
        "abc",
        "0b1c2d3e4f504a6b8c7d9e0f1a2b3c4d",
        "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4g",
        "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4",
    ] {
        let e = load_error(&with_id(bad)).to_string();
        assert!(e.contains("is not a UUID"), "{bad}: {e}");
    }
    let e = load_error(&rule_with("  s: a\n  condition: s").replace(&format!("id: {ID}\n"), ""))
        .to_string();
    assert!(e.contains("no `id`"), "{e}");
    let twice = format!("{}---\n{}", with_id(ID), with_id(&ID.to_uppercase()));
    let e = load_error(&twice);
    assert_eq!(e.line, Some(10));
    assert!(e.reason.contains("already used by rules/test.yml:1"), "{e}");
    // Across files too.
    let e = load(&[
        source(&with_id(ID)),
        SigmaSource {
            origin: "other.yml".into(),
            text: with_id(ID),
        },
    ])
    .unwrap_err();
    assert_eq!(e.origin, "other.yml");
}

#[test]
fn title_level_tags_and_description() {
    let base = rule_with("  s: a\n  condition: s");
    let loaded = load_one(&base).unwrap();
    let r = &loaded.rules[0];
    assert_eq!(
        (r.title.as_str(), r.severity),
        ("t", crate::rules::Severity::Medium),
        "missing level is medium"
    );
    assert!(r.tags.is_empty() && r.description.is_none());
    for (level, severity) in [
        ("informational", "info"),
        ("low", "low"),
        ("medium", "medium"),
        ("high", "high"),
        ("critical", "critical"),
    ] {
        let loaded = load_one(&format!("{base}level: {level}\n")).unwrap();
        assert_eq!(loaded.rules[0].severity.as_str(), severity);
    }
    let empty = load_one(&format!("{base}level:\n")).unwrap();
    assert_eq!(
        empty.rules[0].severity.as_str(),
        "medium",
        "an empty level is none"
    );
    for bad in ["High", "info", "'5'", "[high]"] {
        let e = load_error(&format!("{base}level: {bad}\n")).to_string();
        assert!(e.contains("`level` must be"), "{bad}: {e}");
    }
    let tagged = load_one(&format!(
        "{base}tags:\n  - attack.t1078\n  - 5\n  - True\n  - 'x y'\ndescription: words\n"
    ))
    .unwrap();
    assert_eq!(tagged.rules[0].tags, ["attack.t1078", "5", "True", "x y"]);
    assert_eq!(tagged.rules[0].description.as_deref(), Some("words"));
    for (extra, want) in [
        ("tags:\n  - a\n  - ~\n", "non-null scalars"),
        ("tags:\n  - [a]\n", "non-null scalars"),
        ("tags: a\n", "must be a list"),
        ("description: [a]\n", "must be a string"),
        ("title2: x\ntimeframe: 5m\n", ""),
    ] {
        let result = load_one(&format!("{base}{extra}"));
        match want {
            "" => assert!(result.is_ok(), "other keys are not read: {extra}"),
            want => assert!(result.unwrap_err().to_string().contains(want), "{extra}"),
        }
    }
    let untitled = base.replace("title: t\n", "title: ''\n");
    assert!(load_error(&untitled)
        .to_string()
        .contains("must not be empty"));
    let no_title = base.replace("title: t\n", "");
    assert!(load_error(&no_title).to_string().contains("no `title`"));
}

#[test]
fn listing_is_the_rules_line() {
    let text = format!(
        "{}level: informational\ntags: [a.b, c]\n",
        rule_with("  s: a\n  condition: s")
    );
    let loaded = load_one(&text).unwrap();
    assert_eq!(
        serde_json::to_string(&loaded.rules[0].listing()).unwrap(),
        format!(
            r#"{{"id":"sigma.{ID}","title":"t","severity":"info","pattern":null,"description":null,"enabled":true,"source":"sigma","file":"rules/test.yml","tags":["a.b","c"]}}"#
        )
    );
}

#[test]
fn detection_needs_a_condition_and_refuses_timeframe() {
    refused(&[
        ("  s: a", "has no `condition`"),
        ("  s: a\n  condition: s\n  timeframe: 5m", "`timeframe`"),
        ("  s: a\n  condition: [s, 5]\n  x: ~", "must not be empty"),
        ("  s: a\n  condition: {s: 1}", "string or a list of strings"),
        ("  s: a\n  condition: []", "string or a list of strings"),
        (
            "  s.x: a\n  condition: s.x",
            "not a valid search identifier",
        ),
        ("  '12': a\n  condition: s", "not a valid search identifier"),
        ("  and: a\n  condition: s", "not a valid search identifier"),
    ]);
    let e = load_error(
        &rule_with("  s: a\n  condition: s").replace("detection:\n  s: a\n  condition: s\n", ""),
    )
    .to_string();
    assert!(e.contains("no `detection`"), "{e}");
}
