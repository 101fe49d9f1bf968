//! Sigma detection rules (SigmaHQ format, `logsource` aws / cloudtrail), run beside the
//! filter-pattern rules on every record, exactly as `SIGMA.md` specifies.
//!
//! Data flows one way: the files' texts ([`SigmaSource`], from a folder by [`read_path`] or from
//! S3 by the Lambda's adapter) → YAML documents ([`yaml`]) → checked rules ([`rule`], its
//! [`detection`] with [`modifier`] chains and the [`condition`]) → [`load`], which refuses
//! duplicate ids and counts the rules outside scope → [`SigmaSet`], compiled against the
//! pipeline's field plan and evaluated per record ([`eval`]).
//!
//! # Why not a Sigma crate
//! `sigma-rust` (0.7) and `rsigma-eval` (0.18) both evaluate an event deserialised into a tree
//! (a `serde_json` value per record, which the shared scanner exists to avoid) and read rules
//! through serde YAML loaders (`serde_norway`, `yaml_serde`), which resolve anchors, aliases and
//! tags before a rule is seen, so those cannot be refused. Neither gives an object value's text
//! as it stands in the record with only its escapes decoded, nor a number's text as written;
//! `sigma-rust` types values strictly (`42` does not match `"42"`), where SIGMA.md compares texts.
//! The engine here reuses the scanner's field plan (Sigma's dotted fields are its spread paths),
//! the `regex` crate for `re` and for the case folding SIGMA.md names, `yaml-rust2` for YAML,
//! `base64`, `time` and `std::net` for the modifiers.
//!
//! # Decisions where SIGMA.md is silent
//! - A step applied to an array inside an array applies to the inner array's elements too, as a
//!   final array is flattened recursively.
//! - `exists` takes only a plain scalar; a quoted `'true'` is a load error.
//! - `base64offset|contains` variants compare like every plain value: case-folded (it cannot
//!   take `cased`).
//! - A keyword map key with an empty field and no modifier (`''`) ORs its keywords, as a
//!   keyword list does; `'|all'` ANDs them.
//! - A null `description` is no description; `tags` must be a list when present.
//! - Time parts: a seconds field of `60` is no real time (the `time` crate has no leap
//!   seconds); an offset must be at most `23:59`.

mod condition;
mod detection;
mod eval;
mod modifier;
mod rule;
mod yaml;

pub use eval::SigmaSet;
pub use rule::{Listing, SigmaRule};

use std::fmt;
use std::path::{Path, PathBuf};

use rule::Document;

/// One Sigma file's text and where it came from (a path or an `s3://` URI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaSource {
    /// The file's path or URI, as errors and `trailwatch rules` name it.
    pub origin: String,
    /// The file's content.
    pub text: String,
}

impl SigmaSource {
    /// The file `origin` from its bytes, which must be UTF-8.
    pub fn from_bytes(origin: String, bytes: Vec<u8>) -> Result<SigmaSource, SigmaError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SigmaSource { origin, text }),
            Err(_) => Err(SigmaError {
                origin,
                line: None,
                reason: "is not UTF-8".to_owned(),
            }),
        }
    }
}

/// Why the Sigma rules could not be loaded: the file, the line where it is known, the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SigmaError {
    /// The file's path or URI (or the folder or prefix that holds no file).
    pub origin: String,
    /// 1-based line, when the error has one.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for SigmaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "sigma: {}:{line}: {}", self.origin, self.reason),
            None => write!(f, "sigma: {}: {}", self.origin, self.reason),
        }
    }
}

/// The in-scope rules of a set of files, and how many rules were outside scope.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The in-scope rules, in file order, then document order.
    pub rules: Vec<SigmaRule>,
    /// Documents skipped as outside product aws / service cloudtrail.
    pub skipped: usize,
}

impl Loaded {
    /// The one line that counts the skipped rules, when there are any.
    pub fn skipped_line(&self) -> Option<String> {
        (self.skipped > 0).then(|| {
            format!(
                "sigma: skipped {} rules outside product aws / service cloudtrail",
                self.skipped
            )
        })
    }
}

/// Reads and checks every document of `sources`, in order.
pub fn load(sources: &[SigmaSource]) -> Result<Loaded, SigmaError> {
    let mut loaded = Loaded::default();
    for source in sources {
        let at = |line: usize, reason: String| SigmaError {
            origin: source.origin.clone(),
            line: Some(line),
            reason,
        };
        let docs = yaml::documents(&source.text).map_err(|e| at(e.line, e.reason))?;
        for doc in docs.into_iter().flatten() {
            match rule::document(&doc, &source.origin).map_err(|(line, e)| at(line, e))? {
                Document::OutOfScope => loaded.skipped += 1,
                Document::Rule(rule) => {
                    if let Some(first) = loaded
                        .rules
                        .iter()
                        .find(|r| r.rule_id.eq_ignore_ascii_case(&rule.rule_id))
                    {
                        return Err(at(
                            rule.line,
                            format!(
                                "rule id `{}` is already used by {}:{}",
                                &rule.rule_id["sigma.".len()..],
                                first.file,
                                first.line
                            ),
                        ));
                    }
                    loaded.rules.push(*rule);
                }
            }
        }
    }
    Ok(loaded)
}

/// The Sigma files a `--sigma PATH` names: the file itself, or every file below the folder whose
/// name ends in `.yml` or `.yaml`, in byte order of path. A folder with none is an error.
pub fn read_path(path: &Path) -> Result<Vec<SigmaSource>, SigmaError> {
    let fail = |p: &Path, reason: String| SigmaError {
        origin: p.display().to_string(),
        line: None,
        reason,
    };
    let read = |p: &Path| {
        std::fs::read(p)
            .map_err(|e| fail(p, format!("cannot be read: {e}")))
            .and_then(|bytes| SigmaSource::from_bytes(p.display().to_string(), bytes))
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(path, format!("cannot be read: {e}")))?;
    if !meta.is_dir() {
        return Ok(vec![read(path)?]);
    }
    let mut files = Vec::new();
    collect(path, &mut files).map_err(|e| fail(path, format!("cannot be listed: {e}")))?;
    files.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    if files.is_empty() {
        return Err(fail(path, "holds no .yml or .yaml file".to_owned()));
    }
    files.iter().map(|p| read(p)).collect()
}

/// Whether an object key or file name is a Sigma file's.
pub fn is_rule_file(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, files)?;
        } else if is_rule_file(&entry.file_name().to_string_lossy()) {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
