//! The committed `events/sample-bucket/` is exactly what `sample_bucket()` generates: the same
//! objects, byte for byte, and no file more or less. The generator is the one source of truth;
//! after changing it, run `cargo run --example gen_samples` and commit the result.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use trailwatch_synth::sample_bucket;

/// The committed folder, relative to this crate.
fn committed_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/sample-bucket")
}

/// Every file under `dir`, keyed by its path relative to `root` with `/` separators.
fn files_under(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files_under(root, &path, out);
        } else {
            let key = path
                .strip_prefix(root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("reading {key}: {e}"));
            out.insert(key, bytes);
        }
    }
}

#[test]
fn committed_sample_bucket_is_what_the_generator_writes() {
    let root = committed_root();
    let mut committed = BTreeMap::new();
    files_under(&root, &root, &mut committed);
    let generated: BTreeMap<String, Vec<u8>> = sample_bucket()
        .into_iter()
        .map(|o| (o.key, o.bytes))
        .collect();
    let hint = "regenerate with `cargo run --example gen_samples`";
    let missing: Vec<&String> = generated
        .keys()
        .filter(|k| !committed.contains_key(*k))
        .collect();
    let extra: Vec<&String> = committed
        .keys()
        .filter(|k| !generated.contains_key(*k))
        .collect();
    assert!(missing.is_empty(), "not committed ({hint}): {missing:?}");
    assert!(
        extra.is_empty(),
        "committed but not generated ({hint}): {extra:?}"
    );
    for (key, bytes) in &generated {
        assert!(
            committed.get(key) == Some(bytes),
            "{key} differs from the generator's bytes ({hint})"
        );
    }
}
