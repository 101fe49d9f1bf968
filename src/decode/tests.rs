//! Decoder tests: every shape of bad delivery gets its own typed error, and good records
//! before (and, where the format allows, after) a bad one are still delivered.

use super::*;
use crate::record::Step as Path;
use std::io::Write;

fn gz(data: &[u8]) -> Vec<u8> {
    gz_at(data, flate2::Compression::fast())
}

fn gz_at(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

struct Outcome {
    names: Vec<String>,
    errors: Vec<String>,
    fatal: Option<DecodeError>,
}

/// Reads everything, stepping over record-local errors as the pipeline does.
fn read_all(bytes: &[u8], format: Format, limits: Limits) -> Outcome {
    let mut plan = FieldPlan::new();
    let name = plan.slot_for(&[Path::Key("eventName".into())]);
    let mut out = Outcome {
        names: Vec::new(),
        errors: Vec::new(),
        fatal: None,
    };
    let mut reader = match RecordReader::new(bytes, format, &plan, limits) {
        Ok(r) => r,
        Err(e) => {
            out.fatal = Some(e);
            return out;
        }
    };
    loop {
        match reader.next_record() {
            Ok(Some(rec)) => out
                .names
                .push(rec.get_str(name).unwrap_or_default().into_owned()),
            Ok(None) => break,
            Err(e) if e.is_record_local() => out.errors.push(e.to_string()),
            Err(e) => {
                out.fatal = Some(e);
                break;
            }
        }
    }
    out
}

fn doc(names: &[&str]) -> String {
    let records: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"eventName":"{n}","requestParameters":{{"k":[1,2,{{"x":null}}]}}}}"#))
        .collect();
    format!(r#"{{"Records":[{}]}}"#, records.join(","))
}

#[test]
fn reads_plain_gzip_and_multi_member_gzip() {
    let text = doc(&["A", "B", "C"]);
    let plain = read_all(text.as_bytes(), Format::Detect, Limits::default());
    assert_eq!(plain.names, ["A", "B", "C"], "plain JSON");
    let single = read_all(&gz(text.as_bytes()), Format::Gzip, Limits::default());
    assert_eq!(single.names, ["A", "B", "C"], "one gzip member");
    let (head, tail) = text.as_bytes().split_at(17);
    let multi = [gz(head), gz(tail)].concat();
    let multi = read_all(&multi, Format::Gzip, Limits::default());
    assert_eq!(
        multi.names,
        ["A", "B", "C"],
        "two gzip members split mid-record"
    );
    assert!(multi.fatal.is_none() && single.fatal.is_none() && plain.fatal.is_none());
}

#[test]
fn records_larger_than_the_window_and_across_refills() {
    let big = "x".repeat(3 * CHUNK + 17);
    let mut records = Vec::new();
    for i in 0..2000 {
        records.push(format!(
            r#"{{"eventName":"E{i}","pad":"{}"}}"#,
            &big[..i % 700]
        ));
    }
    records.insert(1000, format!(r#"{{"eventName":"BIG","pad":"{big}"}}"#));
    let text = format!(r#"{{"Records":[{}]}}"#, records.join(",\n "));
    let out = read_all(&gz(text.as_bytes()), Format::Gzip, Limits::default());
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
    assert_eq!(out.names.len(), 2001);
    assert_eq!(out.names[1000], "BIG");
    assert_eq!(out.names[2000], "E1999");
}

#[test]
fn other_members_around_records_are_skipped() {
    let text =
        r#" { "digest" : {"a":[1,2,{"b":"]"}]}, "Records" : [ {"eventName":"A"} ] , "n": 1 } "#;
    let out = read_all(text.as_bytes(), Format::Detect, Limits::default());
    assert_eq!(out.names, ["A"]);
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
}

#[test]
fn an_empty_records_array_is_fine_and_a_zero_byte_object_is_not() {
    let out = read_all(br#"{"Records":[]}"#, Format::Detect, Limits::default());
    assert!(out.names.is_empty() && out.fatal.is_none(), "empty array");
    let plan = FieldPlan::new();
    for format in [Format::Gzip, Format::Detect] {
        let e = RecordReader::new(&b""[..], format, &plan, Limits::default())
            .err()
            .expect("a zero-byte object is refused");
        assert!(matches!(e, DecodeError::EmptyObject), "{format:?}: {e}");
    }
}

#[test]
fn each_bad_document_gets_its_typed_error() {
    let good = doc(&["A", "B"]);
    let gzipped = gz(good.as_bytes());
    let mut corrupt = gzipped.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0xff;
    corrupt[mid + 1] ^= 0x55;
    type Case = (&'static str, Vec<u8>, Format, fn(&DecodeError) -> bool);
    let cases: Vec<Case> = vec![
        (
            "non-gzip under Gzip",
            good.clone().into_bytes(),
            Format::Gzip,
            |e| matches!(e, DecodeError::NotGzip),
        ),
        (
            "truncated gzip",
            gzipped[..gzipped.len() - 9].to_vec(),
            Format::Gzip,
            |e| matches!(e, DecodeError::Gzip(_) | DecodeError::Truncated),
        ),
        ("corrupt gzip", corrupt, Format::Gzip, |e| {
            matches!(e, DecodeError::Gzip(_))
        }),
        (
            "gzip then garbage",
            [gzipped.clone(), b"garbage".to_vec()].concat(),
            Format::Gzip,
            |e| matches!(e, DecodeError::Gzip(_)),
        ),
        ("gzip of nothing", gz(b""), Format::Gzip, |e| {
            matches!(e, DecodeError::EmptyDocument)
        }),
        ("gzip of white space", gz(b"  \n"), Format::Gzip, |e| {
            matches!(e, DecodeError::EmptyDocument)
        }),
        ("gzip of non-JSON", gz(b"hello, world"), Format::Gzip, |e| {
            matches!(e, DecodeError::Json(_))
        }),
        (
            "byte order mark",
            gz(&[b"\xef\xbb\xbf".as_slice(), good.as_bytes()].concat()),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(_)),
        ),
        (
            "Records missing",
            gz(br#"{"records":[]}"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::RecordsMissing),
        ),
        (
            "Records an object",
            gz(br#"{"Records":{"a":1}}"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::RecordsNotArray),
        ),
        (
            "Records a string",
            gz(br#"{"Records":"x"}"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::RecordsNotArray),
        ),
        (
            "top level array",
            gz(br#"[{"Records":[]}]"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(_)),
        ),
        (
            "truncated JSON",
            gz(&good.as_bytes()[..good.len() - 5]),
            Format::Gzip,
            |e| matches!(e, DecodeError::Truncated),
        ),
        (
            "two documents",
            gz(format!("{good}{good}").as_bytes()),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(_)),
        ),
        (
            "NaN",
            gz(br#"{"Records":[{"eventName":"A","n":NaN}]}"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(_)),
        ),
        (
            "bad record syntax",
            gz(br#"{"Records":[{"eventName":"A",}]}"#),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(_)),
        ),
        (
            "deep nesting",
            gz(format!(r#"{{"Records":[{{"a":{}}}]}}"#, "[".repeat(100_000)).as_bytes()),
            Format::Gzip,
            |e| matches!(e, DecodeError::Json(ScanError::TooDeep { .. })),
        ),
    ];
    for (name, bytes, format, is_expected) in cases {
        let out = read_all(&bytes, format, Limits::default());
        let fatal = out
            .fatal
            .unwrap_or_else(|| panic!("case {name}: no error, read {:?}", out.names));
        assert!(
            is_expected(&fatal),
            "case {name}: unexpected error {fatal:?}"
        );
        assert!(!fatal.is_transient(), "case {name}: bad data is permanent");
    }
}

#[test]
fn good_records_before_a_fatal_error_are_delivered() {
    let text = r#"{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C""#;
    let out = read_all(&gz(text.as_bytes()), Format::Gzip, Limits::default());
    assert_eq!(out.names, ["A", "B"]);
    assert!(
        matches!(out.fatal, Some(DecodeError::Truncated)),
        "{:?}",
        out.fatal
    );
}

#[test]
fn non_object_and_non_utf8_records_are_stepped_over() {
    let mut text = br#"{"Records":[{"eventName":"A"},42,["x"],{"eventName":"B","bad":""#.to_vec();
    text.extend_from_slice(b"\xff\xfe");
    text.extend_from_slice(br#""},{"eventName":"C"}]}"#);
    let out = read_all(&gz(&text), Format::Gzip, Limits::default());
    assert_eq!(out.names, ["A", "C"]);
    assert_eq!(
        out.errors,
        [
            "record 1 is not a JSON object",
            "record 2 is not a JSON object",
            "record 3 is not valid UTF-8"
        ]
    );
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
}

#[test]
fn limits_stop_bombs_and_giants() {
    let text = doc(&["A"; 1000]);
    let small = |f: fn(&mut Limits)| {
        let mut l = Limits::default();
        f(&mut l);
        l
    };
    let bomb = read_all(
        &gz(text.as_bytes()),
        Format::Gzip,
        small(|l| l.max_decompressed_bytes = 10_000),
    );
    assert!(
        matches!(
            bomb.fatal,
            Some(DecodeError::DecompressedTooLarge { limit: 10_000 })
        ),
        "{:?}",
        bomb.fatal
    );
    let compressed = read_all(
        &gz(text.as_bytes()),
        Format::Gzip,
        small(|l| l.max_compressed_bytes = 100),
    );
    assert!(
        matches!(
            compressed.fatal,
            Some(DecodeError::CompressedTooLarge { limit: 100 })
        ),
        "{:?}",
        compressed.fatal
    );
    let giant = format!(
        r#"{{"Records":[{{"eventName":"A"}},{{"eventName":"B","s":"{}"}}]}}"#,
        "y".repeat(1 << 20)
    );
    let out = read_all(
        &gz(giant.as_bytes()),
        Format::Gzip,
        small(|l| l.max_record_bytes = 4096),
    );
    assert_eq!(out.names, ["A"]);
    assert!(
        matches!(
            out.fatal,
            Some(DecodeError::RecordTooLarge {
                index: 1,
                limit: 4096
            })
        ),
        "{:?}",
        out.fatal
    );
    let member = format!(r#"{{"x":"{}","Records":[]}}"#, "y".repeat(1 << 20));
    let out = read_all(
        &gz(member.as_bytes()),
        Format::Gzip,
        small(|l| l.max_record_bytes = 4096),
    );
    assert!(
        matches!(out.fatal, Some(DecodeError::MemberTooLarge { limit: 4096 })),
        "{:?}",
        out.fatal
    );
    for case in [&bomb, &compressed] {
        assert!(case.fatal.as_ref().is_some_and(DecodeError::is_limit));
    }
}

#[test]
fn a_gzip_bomb_is_stopped_at_the_limit() {
    // 1 GiB of white space as 1024 identical gzip members of 1 MiB each: about 1 MiB on disk.
    let member = gz_at(&vec![b' '; 1 << 20], flate2::Compression::best());
    let bomb = member.repeat(1024);
    assert!(
        bomb.len() < 2 << 20,
        "the bomb is small: {} bytes",
        bomb.len()
    );
    let limits = Limits {
        max_decompressed_bytes: 16 << 20,
        ..Limits::default()
    };
    let out = read_all(&bomb, Format::Gzip, limits);
    assert!(
        matches!(out.fatal, Some(DecodeError::DecompressedTooLarge { .. })),
        "{:?}",
        out.fatal
    );
}

/// A source that fails after handing out some bytes, like a dropped S3 connection.
struct Flaky<'a> {
    data: &'a [u8],
    fail_at: usize,
}

impl Read for Flaky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.fail_at == 0 {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let n = buf.len().min(self.fail_at).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.fail_at -= n;
        Ok(n)
    }
}

#[test]
fn source_failures_are_transient_not_corruption() {
    let text = doc(&["A"; 5000]);
    for (name, bytes, format) in [
        ("gzip", gz(text.as_bytes()), Format::Gzip),
        ("plain", text.clone().into_bytes(), Format::Detect),
    ] {
        for fail_at in [0, 10, bytes.len() / 2] {
            let plan = FieldPlan::new();
            let source = Flaky {
                data: &bytes,
                fail_at,
            };
            let result =
                RecordReader::new(source, format, &plan, Limits::default()).and_then(|mut r| {
                    while r.next_record()?.is_some() {}
                    Ok(())
                });
            let err = result.expect_err("the source failed");
            assert!(err.is_transient(), "{name} failing at {fail_at}: {err:?}");
        }
    }
}

#[test]
fn white_space_after_a_comma_never_counts_toward_a_limit() {
    let limits = Limits {
        max_record_bytes: 1 << 10,
        ..Limits::default()
    };
    let blank = " ".repeat(1 << 20);
    let between_records =
        format!(r#"{{"Records":[{{"eventName":"A"}},{blank}{{"eventName":"B"}}{blank}]}}"#);
    let between_members = format!(r#"{{"x":1,{blank}"Records":[{{"eventName":"A"}}]}}"#);
    for (case, text, names) in [
        ("between records", between_records, &["A", "B"][..]),
        ("between members", between_members, &["A"][..]),
    ] {
        let out = read_all(&gz(text.as_bytes()), Format::Gzip, limits);
        assert!(out.fatal.is_none(), "{case}: {:?}", out.fatal);
        assert_eq!(out.names, names, "{case}");
    }
}

#[test]
fn a_comma_must_be_followed_by_a_unit() {
    for text in [
        r#"{"Records":[{"a":1},]}"#,
        r#"{"x":1,}"#,
        r#"{"Records":[],}"#,
    ] {
        let out = read_all(text.as_bytes(), Format::Detect, Limits::default());
        assert!(
            matches!(out.fatal, Some(DecodeError::Json(_))),
            "{text}: {:?}",
            out.fatal
        );
    }
}

#[test]
fn the_reader_counts_the_bytes_on_both_sides_of_the_decompressor() {
    let text = doc(&["A", "B", "C"]);
    // Two gzip members, as a concatenated delivery has them.
    let (first, second) = text.split_at(text.len() / 2);
    let gzip = [gz(first.as_bytes()), gz(second.as_bytes())].concat();
    let cases: [(&str, &[u8], Format); 2] = [
        ("gzip", &gzip, Format::Gzip),
        ("plain", text.as_bytes(), Format::Detect),
    ];
    let plan = FieldPlan::new();
    for (name, bytes, format) in cases {
        let mut reader = RecordReader::new(bytes, format, &plan, Limits::default()).unwrap();
        let mut records = 0;
        while reader.next_record().unwrap().is_some() {
            records += 1;
        }
        assert_eq!(records, 3, "{name}");
        assert_eq!(reader.compressed_bytes(), bytes.len() as u64, "{name}");
        assert_eq!(reader.decompressed_bytes(), text.len() as u64, "{name}");
    }
}
