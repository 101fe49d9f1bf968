//! One YAML document as a Sigma rule: its scope, its keys (`id`, `title`, `level`, `tags`,
//! `description`) and its detection.

use serde::Serialize;

use super::detection::{self, Detection};
use super::yaml::{Node, Value};
use crate::rules::Severity;

/// An in-scope Sigma rule, checked and ready to compile.
#[derive(Debug, Clone)]
pub struct SigmaRule {
    /// The alerts' `rule_id`: `sigma.` and the rule's `id` as written.
    pub rule_id: String,
    /// The rule's `title`.
    pub title: String,
    /// From `level` (`informational` is `info`; missing is `medium`).
    pub severity: Severity,
    /// The rule's `tags`, as texts, in order.
    pub tags: Vec<String>,
    /// The rule's `description`, if any.
    pub description: Option<String>,
    /// The file the rule was read from (its path or `s3://` URI).
    pub file: String,
    /// The line its document starts on.
    pub line: usize,
    pub(super) detection: Detection,
}

/// A rule as `trailwatch rules` lists it (SIGMA.md).
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    pattern: Option<&'a str>,
    description: Option<&'a str>,
    enabled: bool,
    source: &'static str,
    file: &'a str,
    tags: &'a [String],
}

impl SigmaRule {
    /// The line `trailwatch rules` prints for it.
    pub fn listing(&self) -> Listing<'_> {
        Listing {
            id: &self.rule_id,
            title: &self.title,
            severity: self.severity,
            pattern: None,
            description: self.description.as_deref(),
            enabled: true,
            source: "sigma",
            file: &self.file,
            tags: &self.tags,
        }
    }
}

/// What a document is.
pub(super) enum Document {
    /// Outside product aws / service cloudtrail: skipped unchecked.
    OutOfScope,
    /// An in-scope rule.
    Rule(Box<SigmaRule>),
}

/// An error at a line of the file.
pub(super) type Located = (usize, String);

/// Reads one non-empty document of `file`.
pub(super) fn document(node: &Node, file: &str) -> Result<Document, Located> {
    let Value::Map(_) = &node.value else {
        return Err((node.line, "a rule document must be a mapping".to_owned()));
    };
    for key in ["correlation", "action"] {
        if node.get(key).is_some() {
            return Err((
                node.line,
                format!("`{key}` documents (correlation or meta rules) are not supported"),
            ));
        }
    }
    let logsource = match node.get("logsource") {
        Some(
            l @ Node {
                value: Value::Map(_),
                ..
            },
        ) => l,
        Some(l) => return Err((l.line, "`logsource` must be a mapping".to_owned())),
        None => return Err((node.line, "the rule has no `logsource`".to_owned())),
    };
    let named = |key, want| logsource.get(key).and_then(Node::text) == Some(want);
    if !(named("product", "aws") && named("service", "cloudtrail")) {
        return Ok(Document::OutOfScope);
    }
    let id = required_text(node, "id")?;
    if !is_uuid(id) {
        return Err((line_of(node, "id"), format!("`id` `{id}` is not a UUID")));
    }
    let title = required_text(node, "title")?;
    if title.is_empty() {
        return Err((
            line_of(node, "title"),
            "`title` must not be empty".to_owned(),
        ));
    }
    let severity = match node.get("level") {
        // An empty `level:` is no level, as a missing one.
        None => Severity::Medium,
        Some(level) if level.is_null() => Severity::Medium,
        Some(level) => match level.text() {
            Some("informational") => Severity::Info,
            Some("low") => Severity::Low,
            Some("medium") => Severity::Medium,
            Some("high") => Severity::High,
            Some("critical") => Severity::Critical,
            _ => {
                return Err((
                    level.line,
                    "`level` must be informational, low, medium, high or critical".to_owned(),
                ))
            }
        },
    };
    let tags = match node.get("tags") {
        None => Vec::new(),
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items
            .iter()
            .map(|t| match (&t.value, t.text()) {
                (Value::Scalar { .. }, Some(text)) => Ok(text.to_owned()),
                _ => Err((t.line, "`tags` must list non-null scalars".to_owned())),
            })
            .collect::<Result<_, _>>()?,
        Some(t) => return Err((t.line, "`tags` must be a list".to_owned())),
    };
    let description = match node.get("description") {
        None => None,
        Some(d) if d.is_null() => None,
        Some(
            d @ Node {
                value: Value::Scalar { .. },
                ..
            },
        ) => d.text().map(str::to_owned),
        Some(d) => return Err((d.line, "`description` must be a string".to_owned())),
    };
    let detection = match node.get("detection") {
        Some(d) => detection::parse(d)?,
        None => return Err((node.line, "the rule has no `detection`".to_owned())),
    };
    Ok(Document::Rule(Box::new(SigmaRule {
        rule_id: format!("sigma.{id}"),
        title: title.to_owned(),
        severity,
        tags,
        description,
        file: file.to_owned(),
        line: node.line,
        detection,
    })))
}

fn line_of(node: &Node, key: &str) -> usize {
    node.get(key).map_or(node.line, |n| n.line)
}

fn required_text<'n>(node: &'n Node, key: &str) -> Result<&'n str, Located> {
    match node.get(key) {
        Some(
            n @ Node {
                value: Value::Scalar { .. },
                ..
            },
        ) if n.text().is_some() => Ok(n.text().unwrap_or_default()),
        Some(n) => Err((n.line, format!("`{key}` must be a string"))),
        None => Err((node.line, format!("the rule has no `{key}`"))),
    }
}

/// `8-4-4-4-12` hex digits, any case.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}
