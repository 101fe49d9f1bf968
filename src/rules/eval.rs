//! Compiled rules and their evaluation against one record.
//!
//! Compiling turns each selector into a slot of the shared [`FieldPlan`] and keeps the parsed
//! checks as they are (their strings, numbers and regexes are already prepared), so evaluating
//! a record is a walk of a small tree that reads located values and compares them in place.
//!
//! One shape is compiled further: the members of an `||` that test the same selector for
//! equality with a wildcard-free string (CloudWatch.4's sixteen `eventName`s) become one
//! [`Literals`] set, so the value is read once and found by binary search instead of compared
//! sixteen times.

use crate::record::{FieldPlan, JsonRef, Record, SlotId};

use super::ast::{Check, Expr};
use super::{parse_pattern, PatternError, RuleDef, RuleError};

/// A pattern's tree with selectors resolved to slots.
#[derive(Debug, Clone)]
enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Test {
        slot: SlotId,
        check: Check,
    },
    /// `$.x = "a" || $.x = "b" || …`: whether the string at `slot` is one of `texts`.
    OneOf {
        slot: SlotId,
        texts: Literals,
    },
}

impl Node {
    fn compile(expr: Expr, plan: &mut FieldPlan) -> Node {
        let all = |members: Vec<Expr>, plan: &mut FieldPlan| {
            members
                .into_iter()
                .map(|m| Node::compile(m, plan))
                .collect()
        };
        match expr {
            Expr::Or(members) => Node::Or(Node::gather_literals(all(members, plan))),
            Expr::And(members) => Node::And(all(members, plan)),
            Expr::Test(test) => Node::Test {
                slot: plan.slot_for(&test.selector.steps),
                check: test.check,
            },
        }
    }

    /// Replaces the equality tests of an `||` that share a selector (two or more) with one
    /// [`Node::OneOf`] where the first of them stood; the other members keep their order.
    fn gather_literals(members: Vec<Node>) -> Vec<Node> {
        let literal = |node: &Node| match node {
            Node::Test {
                slot,
                check:
                    Check::Str {
                        negated: false,
                        glob,
                    },
            } => glob.as_literal().map(|text| (*slot, text)),
            _ => None,
        };
        let slots: Vec<SlotId> = members.iter().filter_map(literal).map(|(s, _)| s).collect();
        let shared = |slot: SlotId| slots.iter().filter(|s| **s == slot).count() > 1;
        let mut gathered: Vec<Node> = Vec::with_capacity(members.len());
        for member in members {
            let Some((slot, text)) = literal(&member).filter(|(slot, _)| shared(*slot)) else {
                gathered.push(member);
                continue;
            };
            let set = gathered.iter_mut().find_map(|node| match node {
                Node::OneOf { slot: s, texts } if *s == slot => Some(texts),
                _ => None,
            });
            match set {
                Some(texts) => texts.insert(text),
                None => gathered.push(Node::OneOf {
                    slot,
                    texts: Literals(vec![text.into_boxed_str()]),
                }),
            }
        }
        gathered
    }

    fn eval(&self, record: &Record<'_>) -> bool {
        match self {
            Node::Or(members) => members.iter().any(|m| m.eval(record)),
            Node::And(members) => members.iter().all(|m| m.eval(record)),
            Node::Test { slot, check } => holds(check, record.get(*slot)),
            Node::OneOf { slot, texts } => match record.get(*slot) {
                Some(JsonRef::String(s)) => texts.contains(&s.value()),
                _ => false,
            },
        }
    }
}

/// Strings kept sorted by length, then bytes: most probes differ from most members in length,
/// so the search mostly compares integers.
#[derive(Debug, Clone)]
struct Literals(Vec<Box<str>>);

impl Literals {
    fn order(a: &str, b: &str) -> std::cmp::Ordering {
        a.len()
            .cmp(&b.len())
            .then_with(|| a.as_bytes().cmp(b.as_bytes()))
    }

    fn insert(&mut self, text: String) {
        if let Err(at) = self.0.binary_search_by(|m| Literals::order(m, &text)) {
            self.0.insert(at, text.into_boxed_str());
        }
    }

    fn contains(&self, text: &str) -> bool {
        self.0
            .binary_search_by(|member| Literals::order(member, text))
            .is_ok()
    }
}

/// Whether `check` holds of a selected value (`None`: the selector resolved to nothing).
///
/// Only `EXISTS`/`NOT EXISTS` look at absence; every comparison needs a value of its own type,
/// so a missing value or a type mismatch is false for `!=` as for `=`.
fn holds(check: &Check, value: Option<JsonRef<'_>>) -> bool {
    match (check, value) {
        (Check::Exists, value) => value.is_some(),
        (Check::NotExists, value) => value.is_none(),
        (Check::IsTrue, Some(JsonRef::Bool(b))) => b,
        (Check::IsFalse, Some(JsonRef::Bool(b))) => !b,
        (Check::IsNull, Some(JsonRef::Null)) => true,
        // `value()` borrows unless the JSON string holds an escape.
        (Check::Str { negated, glob }, Some(JsonRef::String(s))) => {
            glob.matches(&s.value()) != *negated
        }
        (Check::Regex { negated, regex }, Some(JsonRef::String(s))) => {
            regex.is_match(&s.value()) != *negated
        }
        (Check::Num { op, number }, Some(JsonRef::Number(text))) => number
            .compare_json(text)
            .is_some_and(|order| op.holds(order)),
        _ => false,
    }
}

/// A pattern compiled against a [`FieldPlan`]: what a rule and a suppression evaluate.
#[derive(Debug, Clone)]
pub(super) struct Matcher(Node);

impl Matcher {
    /// Parses `text` and registers its selectors in `plan`.
    pub(super) fn compile(text: &str, plan: &mut FieldPlan) -> Result<Matcher, PatternError> {
        Ok(Matcher(Node::compile(parse_pattern(text)?.expr, plan)))
    }

    /// Whether the record matches the pattern.
    pub(super) fn matches(&self, record: &Record<'_>) -> bool {
        self.0.eval(record)
    }
}

/// One compiled, enabled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    def: RuleDef,
    root: Matcher,
}

impl Rule {
    /// The definition the rule was compiled from.
    pub fn def(&self) -> &RuleDef {
        &self.def
    }

    /// Whether the record matches the rule's pattern.
    pub fn matches(&self, record: &Record<'_>) -> bool {
        self.root.matches(record)
    }
}

/// The enabled rules, compiled once, in definition order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// Compiles the enabled rules of `defs` and registers their selectors in `plan`; the
    /// [`Fields`](crate::record::Fields) used with this set must be made after this call.
    pub fn compile(defs: &[RuleDef], plan: &mut FieldPlan) -> Result<RuleSet, RuleError> {
        let rules = defs
            .iter()
            .filter(|def| def.enabled)
            .map(|def| {
                let root =
                    Matcher::compile(&def.pattern, plan).map_err(|source| RuleError::Pattern {
                        rule_id: def.id.clone(),
                        at: None,
                        source,
                    })?;
                Ok(Rule {
                    def: def.clone(),
                    root,
                })
            })
            .collect::<Result<_, RuleError>>()?;
        Ok(RuleSet { rules })
    }

    /// The compiled rules, in definition order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Calls `hit` for each rule matching the record, in rule order; allocates nothing.
    pub fn for_each_match(&self, record: &Record<'_>, mut hit: impl FnMut(&Rule)) {
        for rule in &self.rules {
            if rule.matches(record) {
                hit(rule);
            }
        }
    }
}

#[cfg(test)]
mod tests;
