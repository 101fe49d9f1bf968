//! Custom rules from a TOML file, merged into the built-in pack.
//!
//! ```toml
//! [[rules]]
//! id = "team-x.stop-logging"        # [A-Za-z0-9._-]+
//! title = "Someone stopped a trail"
//! severity = "high"                 # critical | high | medium | low | info
//! pattern = '{ $.eventName = "StopLogging" }'
//! description = "optional"
//! enabled = true                    # optional, default true
//! ```
//!
//! A rule with a built-in id replaces that rule, inheriting every field it omits (so
//! `id = "CloudWatch.2"` with `enabled = false` alone turns it off); any other id adds a rule and
//! needs `title`, `severity` and `pattern`. Every mistake is reported with its line and column:
//! the schema is checked by hand over spanned TOML values rather than by a derived
//! deserializer, so that each kind of mistake gets its own typed error.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::IgnoredAny;
use toml::Spanned;

use super::{parse_pattern, FilePos, RuleDef, RuleError, RuleSource, Severity};

const TOP_KEYS: &str = "rules";
const RULE_KEYS: &str = "id, title, severity, pattern, description, enabled";

type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(serde::Deserialize)]
struct Document {
    #[serde(default)]
    rules: Vec<Spanned<Table>>,
}

/// One `[[rules]]` table, checked against the schema but not yet merged.
struct CustomRule {
    id: String,
    id_at: Range<usize>,
    title: Option<String>,
    severity: Option<Severity>,
    /// The pattern's text and the span of its TOML value.
    pattern: Option<(String, Range<usize>)>,
    description: Option<String>,
    enabled: Option<bool>,
}

/// Merges the rules file `text` into `rules` (the built-in pack): replaced rules keep their
/// place, new ones follow in file order.
pub(super) fn apply(origin: &str, text: &str, rules: &mut Vec<RuleDef>) -> Result<(), RuleError> {
    let file = File { origin, text };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for custom in file.read()? {
        let line = file.pos(custom.id_at.start).line;
        if let Some(&first_line) = seen.get(&custom.id) {
            return Err(RuleError::DuplicateId {
                at: file.pos(custom.id_at.start),
                id: custom.id,
                first_line,
            });
        }
        seen.insert(custom.id.clone(), line);
        if let Some((pattern, at)) = &custom.pattern {
            parse_pattern(pattern).map_err(|source| RuleError::Pattern {
                rule_id: custom.id.clone(),
                at: Some(file.pos(at.start)),
                source,
            })?;
        }
        let source = RuleSource::Custom(origin.to_owned());
        match rules.iter_mut().find(|r| r.id == custom.id) {
            Some(existing) => {
                if let Some(title) = custom.title {
                    existing.title = title;
                }
                if let Some(severity) = custom.severity {
                    existing.severity = severity;
                }
                if let Some((pattern, _)) = custom.pattern {
                    existing.pattern = pattern;
                }
                if custom.description.is_some() {
                    existing.description = custom.description;
                }
                if let Some(enabled) = custom.enabled {
                    existing.enabled = enabled;
                }
                existing.source = source;
            }
            None => {
                let missing = |field| RuleError::MissingField {
                    at: file.pos(custom.id_at.start),
                    id: custom.id.clone(),
                    field,
                };
                rules.push(RuleDef {
                    title: custom.title.clone().ok_or_else(|| missing("title"))?,
                    severity: custom.severity.ok_or_else(|| missing("severity"))?,
                    pattern: custom.pattern.clone().ok_or_else(|| missing("pattern"))?.0,
                    description: custom.description,
                    enabled: custom.enabled.unwrap_or(true),
                    id: custom.id,
                    source,
                });
            }
        }
    }
    Ok(())
}

struct File<'a> {
    origin: &'a str,
    text: &'a str,
}

impl File<'_> {
    /// Line and column (1-based, in characters) of a byte offset.
    fn pos(&self, offset: usize) -> FilePos {
        let before = self.text.get(..offset).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        FilePos {
            origin: self.origin.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before.get(line_start..).unwrap_or_default().chars().count() + 1,
        }
    }

    fn toml_error(&self, e: toml::de::Error) -> RuleError {
        let line_col = e.span().map(|span| {
            let at = self.pos(span.start);
            (at.line, at.column)
        });
        RuleError::Toml {
            origin: self.origin.to_owned(),
            line_col,
            message: e.message().trim().to_owned(),
        }
    }

    /// The file's rules, in file order, each checked against the schema.
    fn read(&self) -> Result<Vec<CustomRule>, RuleError> {
        // A first pass over the top-level keys alone finds unknown ones with their spans.
        let top: BTreeMap<Spanned<String>, IgnoredAny> =
            toml::from_str(self.text).map_err(|e| self.toml_error(e))?;
        if let Some(key) = first_unknown(top.keys(), TOP_KEYS) {
            return Err(self.unknown(key, TOP_KEYS));
        }
        let doc: Document = toml::from_str(self.text).map_err(|e| self.toml_error(e))?;
        doc.rules.iter().map(|table| self.rule(table)).collect()
    }

    fn unknown(&self, key: &Spanned<String>, allowed: &'static str) -> RuleError {
        RuleError::UnknownKey {
            at: self.pos(key.span().start),
            key: key.get_ref().clone(),
            allowed,
        }
    }

    fn rule(&self, table: &Spanned<Table>) -> Result<CustomRule, RuleError> {
        let fields = table.get_ref();
        if let Some(key) = first_unknown(fields.keys(), RULE_KEYS) {
            return Err(self.unknown(key, RULE_KEYS));
        }
        let Some((id, id_at)) = self.string(fields, "id")? else {
            return Err(RuleError::MissingId {
                at: self.pos(table.span().start),
            });
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if id.is_empty() || !id.chars().all(valid) {
            return Err(RuleError::BadId {
                at: self.pos(id_at.start),
                id,
            });
        }
        let severity = match self.string(fields, "severity")? {
            None => None,
            Some((name, at)) => {
                Some(
                    Severity::from_name(&name).ok_or_else(|| RuleError::BadSeverity {
                        at: self.pos(at.start),
                        value: name,
                    })?,
                )
            }
        };
        let enabled = match fields.get("enabled") {
            None => None,
            Some(value) => match value.get_ref() {
                toml::Value::Boolean(b) => Some(*b),
                _ => return Err(self.wrong_type("enabled", value, "a boolean")),
            },
        };
        Ok(CustomRule {
            id,
            id_at,
            title: self.string(fields, "title")?.map(|(s, _)| s),
            severity,
            pattern: self.string(fields, "pattern")?,
            description: self.string(fields, "description")?.map(|(s, _)| s),
            enabled,
        })
    }

    /// The string under `key` with its span, if present.
    fn string(
        &self,
        fields: &Table,
        key: &'static str,
    ) -> Result<Option<(String, Range<usize>)>, RuleError> {
        match fields.get(key) {
            None => Ok(None),
            Some(value) => match value.get_ref() {
                toml::Value::String(s) => Ok(Some((s.clone(), value.span()))),
                _ => Err(self.wrong_type(key, value, "a string")),
            },
        }
    }

    fn wrong_type(
        &self,
        key: &'static str,
        value: &Spanned<toml::Value>,
        expected: &'static str,
    ) -> RuleError {
        RuleError::WrongType {
            at: self.pos(value.span().start),
            key,
            expected,
        }
    }
}

/// The first key in file order that is not among the comma-separated `allowed` names.
fn first_unknown<'k>(
    keys: impl Iterator<Item = &'k Spanned<String>>,
    allowed: &str,
) -> Option<&'k Spanned<String>> {
    keys.filter(|k| !allowed.split(", ").any(|a| a == k.get_ref()))
        .min_by_key(|k| k.span().start)
}

#[cfg(test)]
mod tests;
