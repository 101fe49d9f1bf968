//! Custom rules from a TOML file, merged into the built-in pack, and the file's suppressions
//! ([`suppress`](super::suppress) shows their schema).
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

use super::suppress::{is_rule_glob, SuppressionDef};
use super::{parse_pattern, FilePos, RuleDef, RuleError, RuleSource, Severity};
use crate::date::Date;
use crate::error::line_col;

const TOP_KEYS: &str = "rules, suppress";
const RULE_KEYS: &str = "id, title, severity, pattern, description, enabled";
const SUPPRESS_KEYS: &str = "rule, pattern, reason, expires";

type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(serde::Deserialize)]
struct Document {
    #[serde(default)]
    rules: Vec<Spanned<Table>>,
    #[serde(default)]
    suppress: Vec<Spanned<Table>>,
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
    for custom in file.read()?.rules {
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

/// The `[[suppress]]` entries of the rules file `text`, in file order, each checked (its
/// pattern parsed) but not compiled.
pub(super) fn suppressions(origin: &str, text: &str) -> Result<Vec<SuppressionDef>, RuleError> {
    Ok(File { origin, text }.read()?.suppressions)
}

/// A rules file's tables, checked against the schema.
struct Read {
    rules: Vec<CustomRule>,
    suppressions: Vec<SuppressionDef>,
}

struct File<'a> {
    origin: &'a str,
    text: &'a str,
}

impl File<'_> {
    /// Line and column (1-based, in characters) of a byte offset.
    fn pos(&self, offset: usize) -> FilePos {
        let (line, column) = line_col(self.text, offset);
        FilePos {
            origin: self.origin.to_owned(),
            line,
            column,
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

    /// The file's rules and suppressions, in file order, each checked against the schema.
    fn read(&self) -> Result<Read, RuleError> {
        // A first pass over the top-level keys alone finds unknown ones with their spans.
        let top: BTreeMap<Spanned<String>, IgnoredAny> =
            toml::from_str(self.text).map_err(|e| self.toml_error(e))?;
        if let Some(key) = first_unknown(top.keys(), TOP_KEYS) {
            return Err(self.unknown(key, TOP_KEYS));
        }
        let doc: Document = toml::from_str(self.text).map_err(|e| self.toml_error(e))?;
        Ok(Read {
            rules: doc
                .rules
                .iter()
                .map(|table| self.rule(table))
                .collect::<Result<_, _>>()?,
            suppressions: doc
                .suppress
                .iter()
                .map(|table| self.suppression(table))
                .collect::<Result<_, _>>()?,
        })
    }

    fn suppression(&self, table: &Spanned<Table>) -> Result<SuppressionDef, RuleError> {
        let fields = table.get_ref();
        if let Some(key) = first_unknown(fields.keys(), SUPPRESS_KEYS) {
            return Err(self.unknown(key, SUPPRESS_KEYS));
        }
        let missing = |field| RuleError::SuppressionMissing {
            at: self.pos(table.span().start),
            field,
        };
        let (rule, rule_at) = self
            .string(fields, "rule")?
            .ok_or_else(|| missing("rule"))?;
        let at = self.pos(rule_at.start);
        if !is_rule_glob(&rule) {
            return Err(RuleError::BadSuppressionRule { at, rule });
        }
        let (pattern, pattern_at) = self
            .string(fields, "pattern")?
            .ok_or_else(|| missing("pattern"))?;
        parse_pattern(&pattern).map_err(|source| RuleError::SuppressionPattern {
            at: self.pos(pattern_at.start),
            source,
        })?;
        let (reason, reason_at) = self
            .string(fields, "reason")?
            .ok_or_else(|| missing("reason"))?;
        if reason.trim().is_empty() {
            return Err(RuleError::BlankReason {
                at: self.pos(reason_at.start),
            });
        }
        let value = fields.get("expires").ok_or_else(|| missing("expires"))?;
        let expires = match value.get_ref() {
            // A bare TOML date: no time and no offset, so no question of which day it means.
            toml::Value::Datetime(toml::value::Datetime {
                date: Some(d),
                time: None,
                offset: None,
            }) => Date::new(i32::from(d.year), u32::from(d.month), u32::from(d.day)),
            _ => None,
        }
        .ok_or_else(|| self.wrong_type("expires", value, "a TOML date (2027-03-31)"))?;
        Ok(SuppressionDef {
            rule,
            pattern,
            reason,
            expires,
            at,
        })
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
