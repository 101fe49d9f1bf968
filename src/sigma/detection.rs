//! A rule's `detection` mapping: its search identifiers, each checked whether the condition uses
//! it or not, and the condition over them.
//!
//! A map is the AND of its items, a list of maps the OR of the maps, a list of scalars (or one
//! scalar) a keyword search. Fields are numbered per rule ([`Detection::fields`]) so that
//! compiling binds each to a slot of the shared field plan once.

use super::condition::{self, Cond};
use super::modifier::{self, Kind, Matcher, Position};
use super::yaml::{Node, Value};
use crate::text::{Case, Wildcard};

/// A search identifier: the OR of conjunctions of items.
#[derive(Debug, Clone)]
pub(super) struct Search {
    pub(super) any_of: Vec<Vec<Item>>,
}

/// One item: tests of one field's values (or of the record's text, for keywords), OR'd, or
/// AND'd with `all`, then negated with `neq`.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) target: Target,
    pub(super) all: bool,
    pub(super) neq: bool,
    pub(super) tests: Vec<Test>,
}

/// What an item reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// The values of the rule's field with this number.
    Field(usize),
    /// The record object's text (keywords).
    Keywords,
}

/// One listed value, compiled.
#[derive(Debug, Clone)]
pub(super) enum Test {
    /// `null`: the field has no value, or one of them is JSON null.
    Null,
    /// `exists: true|false`.
    Exists(bool),
    /// A text of the field satisfies the matcher.
    Match(Matcher),
    /// A text of the field equals (contains, starts or ends with) a text of field `other`.
    FieldRef {
        other: usize,
        position: Position,
        case: Case,
    },
}

/// A rule's detection, ready to compile.
#[derive(Debug, Clone)]
pub(super) struct Detection {
    pub(super) searches: Vec<Search>,
    pub(super) condition: Cond,
    /// The dotted fields the items name, split into steps; [`Target::Field`] indexes it.
    pub(super) fields: Vec<Vec<String>>,
}

/// An error in the detection, at a line of the file.
pub(super) type Located = (usize, String);

/// Reads the `detection` mapping `node`.
pub(super) fn parse(node: &Node) -> Result<Detection, Located> {
    let Value::Map(entries) = &node.value else {
        return Err((node.line, "`detection` must be a mapping".to_owned()));
    };
    let mut fields = Vec::new();
    let mut names = Vec::new();
    let mut searches = Vec::new();
    let mut condition_node = None;
    for (key, value) in entries {
        match key.text.as_str() {
            "condition" => condition_node = Some(value),
            "timeframe" => {
                return Err((key.line, "`timeframe` (correlation) is not supported".to_owned()))
            }
            name if condition::is_name(name) && value.is_null() => {
                // A null value has no line of its own: name the key's.
                return Err((key.line, format!("search identifier `{name}`: must not be empty")));
            }
            name if condition::is_name(name) => {
                names.push(name.to_owned());
                searches.push(search(value, &mut fields).map_err(|(line, e)| {
                    (line, format!("search identifier `{name}`: {e}"))
                })?);
            }
            name => {
                return Err((
                    key.line,
                    format!("`{name}` is not a valid search identifier name ([A-Za-z0-9_-]+, not all digits, not a keyword)"),
                ))
            }
        }
    }
    let Some(cond) = condition_node else {
        return Err((node.line, "`detection` has no `condition`".to_owned()));
    };
    let texts: Vec<&str> = match &cond.value {
        Value::Seq(items) if !items.is_empty() => items
            .iter()
            .map(|i| {
                i.text()
                    .ok_or((i.line, "`condition` must list strings".to_owned()))
            })
            .collect::<Result<_, _>>()?,
        Value::Scalar { .. } if cond.text().is_some() => vec![cond.text().unwrap_or_default()],
        _ => {
            return Err((
                cond.line,
                "`condition` must be a string or a list of strings".to_owned(),
            ))
        }
    };
    let mut alternatives = texts
        .iter()
        .map(|t| condition::parse(t, &names))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| (cond.line, e))?;
    let condition = if alternatives.len() == 1 {
        alternatives.remove(0)
    } else {
        Cond::Or(alternatives)
    };
    Ok(Detection {
        searches,
        condition,
        fields,
    })
}

fn search(node: &Node, fields: &mut Vec<Vec<String>>) -> Result<Search, Located> {
    fn err<T>(line: usize, msg: &str) -> Result<T, Located> {
        Err((line, msg.to_owned()))
    }
    match &node.value {
        Value::Map(entries) if entries.is_empty() => err(node.line, "must not be empty"),
        Value::Seq(items) if items.is_empty() => err(node.line, "must not be empty"),
        Value::Map(_) => Ok(Search {
            any_of: vec![conjunction(node, fields)?],
        }),
        Value::Seq(items) if items.iter().all(|i| matches!(i.value, Value::Map(_))) => Ok(Search {
            any_of: items
                .iter()
                .map(|i| match &i.value {
                    Value::Map(e) if e.is_empty() => err(i.line, "a map in the list is empty"),
                    _ => conjunction(i, fields),
                })
                .collect::<Result<_, _>>()?,
        }),
        Value::Seq(items)
            if items
                .iter()
                .all(|i| matches!(i.value, Value::Scalar { .. })) =>
        {
            let items: Vec<&Node> = items.iter().collect();
            Ok(Search {
                any_of: vec![vec![keywords(&items, false, Case::Folded)?]],
            })
        }
        Value::Seq(_) => err(
            node.line,
            "a list must hold only maps or only scalars, and no lists",
        ),
        Value::Scalar { .. } => Ok(Search {
            any_of: vec![vec![keywords(&[node], false, Case::Folded)?]],
        }),
    }
}

fn conjunction(node: &Node, fields: &mut Vec<Vec<String>>) -> Result<Vec<Item>, Located> {
    let Value::Map(entries) = &node.value else {
        return Err((node.line, "expected a map".to_owned()));
    };
    entries
        .iter()
        .map(|(key, value)| {
            item(&key.text, value, fields).map_err(|e| (key.line, format!("`{}`: {e}", key.text)))
        })
        .collect()
}

/// The values of an item: one scalar, or a non-empty list of scalars.
fn values(node: &Node) -> Result<Vec<&Node>, String> {
    match &node.value {
        Value::Scalar { .. } => Ok(vec![node]),
        Value::Seq(items) if items.is_empty() => Err("an empty list of values".to_owned()),
        Value::Seq(items) => items
            .iter()
            .map(|i| match i.value {
                Value::Scalar { .. } => Ok(i),
                _ => Err("a list of values may hold only scalars".to_owned()),
            })
            .collect(),
        Value::Map(_) => Err("a map is not a value".to_owned()),
    }
}

fn keywords(items: &[&Node], all: bool, case: Case) -> Result<Item, Located> {
    let tests = items
        .iter()
        .map(|i| match i.text() {
            Some(text) => Ok(Test::Match(Matcher::Pattern(Wildcard::new(
                std::iter::once(crate::text::Token::Run)
                    .chain(modifier::wildcard_tokens(text))
                    .chain(std::iter::once(crate::text::Token::Run)),
                case,
            )))),
            None => Err((i.line, "a keyword must not be null".to_owned())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Item {
        target: Target::Keywords,
        all,
        neq: false,
        tests,
    })
}

/// The field's number, adding it on first use.
fn field_number(path: Vec<String>, fields: &mut Vec<Vec<String>>) -> usize {
    match fields.iter().position(|f| *f == path) {
        Some(i) => i,
        None => {
            fields.push(path);
            fields.len() - 1
        }
    }
}

/// A dotted field name split into steps; an empty step is an error.
fn field_path(name: &str) -> Result<Vec<String>, String> {
    let steps: Vec<String> = name.split('.').map(str::to_owned).collect();
    if steps.iter().any(String::is_empty) {
        return Err(format!("field name `{name}` has an empty step"));
    }
    Ok(steps)
}

fn item(key: &str, value: &Node, fields: &mut Vec<Vec<String>>) -> Result<Item, String> {
    let mut parts = key.split('|');
    let field = parts.next().unwrap_or_default();
    let modifiers: Vec<&str> = parts.collect();
    let chain = modifier::chain(&modifiers)?;
    if chain.kind == Kind::Exists && !matches!(value.value, Value::Scalar { .. }) {
        return Err("`exists` takes one value, not a list".to_owned());
    }
    let listed = values(value)?;
    if chain.all && listed.len() < 2 {
        return Err("`all` needs at least two values".to_owned());
    }
    if field.is_empty() {
        if chain.neq || chain.kind != Kind::Plain(Position::Whole) {
            return Err("keywords take only the modifiers `all` and `cased`".to_owned());
        }
        return keywords(&listed, chain.all, chain.case).map_err(|(_, e)| e);
    }
    let target = Target::Field(field_number(field_path(field)?, fields));
    let tests = listed
        .into_iter()
        .map(|v| value_test(&chain, v, fields, &modifiers))
        .collect::<Result<_, _>>()?;
    Ok(Item {
        target,
        all: chain.all,
        neq: chain.neq,
        tests,
    })
}

fn value_test(
    chain: &modifier::Chain,
    value: &Node,
    fields: &mut Vec<Vec<String>>,
    modifiers: &[&str],
) -> Result<Test, String> {
    let Some(text) = value.text() else {
        if modifiers.iter().any(|m| *m != "neq") {
            return Err("`null` takes no modifier but `neq`".to_owned());
        }
        return Ok(Test::Null);
    };
    match chain.kind {
        Kind::Exists => {
            let plain = matches!(value.value, Value::Scalar { plain: true, .. });
            match text {
                "true" | "True" | "TRUE" if plain => Ok(Test::Exists(true)),
                "false" | "False" | "FALSE" if plain => Ok(Test::Exists(false)),
                _ => Err(format!("`exists` takes `true` or `false`, not `{text}`")),
            }
        }
        Kind::FieldRef(position) => {
            if text.contains('|') {
                return Err(format!("`fieldref` names a field, not `{text}`"));
            }
            Ok(Test::FieldRef {
                other: field_number(field_path(text)?, fields),
                position,
                case: chain.case,
            })
        }
        _ => Matcher::compile(chain, text).map(Test::Match),
    }
}
