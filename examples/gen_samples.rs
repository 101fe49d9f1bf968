//! Writes the bundled sample bucket `events/sample-bucket/` (see `events/README.md`).
//!
//! Deletes the folder and writes it again from `trailwatch_synth::sample_bucket`, which is
//! deterministic: every run produces the same bytes, so the output is committed and a diff
//! after a run means the generator changed.
//!
//!     cargo run --example gen_samples

use std::fs;
use std::path::Path;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("events/sample-bucket");
    if root.exists() {
        fs::remove_dir_all(&root).with_context(|| format!("removing {}", root.display()))?;
    }
    let mut total = 0;
    for object in trailwatch_synth::sample_bucket() {
        let path = root.join(&object.key);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, &object.bytes).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("{:>7}  {}", object.bytes.len(), object.key);
        total += object.bytes.len();
    }
    eprintln!("{total:>7}  bytes in {}", root.display());
    Ok(())
}
