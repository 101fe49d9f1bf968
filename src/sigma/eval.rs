//! Sigma rules compiled against the shared field plan, indexed by the `eventName` and
//! `eventSource` they require, and evaluated on one record.
//!
//! Every field a rule names becomes a spread slot of the plan, so the one scan of each record
//! locates them beside the filter-pattern rules' fields. A rule whose condition can only hold
//! when `eventName` (else `eventSource`) is one of a few literal texts is filed under those texts,
//! folded; a record reaches only the rules filed under its own values and the rules that
//! require neither, which is what keeps many rules cheap.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::ControlFlow;

use super::condition::Cond;
use super::detection::{Detection, Item, Search, Target, Test};
use super::modifier::Position;
use super::SigmaRule;
use crate::record::{decoded, FieldPlan, JsonRef, Record, SlotId};
use crate::text::fold::{fold, fold_char};
use crate::text::Case;

/// One rule with its fields bound to slots.
#[derive(Debug, Clone)]
struct Compiled {
    rule: SigmaRule,
    slots: Vec<SlotId>,
}

/// The rules filed under texts of one field. Every record looks up its own `eventName` and
/// `eventSource` here, so the map hashes with foldhash rather than SipHash; its keys are the
/// rules' texts, never a record's.
#[derive(Debug, Clone, Default)]
struct Index {
    by_text: foldhash::HashMap<String, Vec<usize>>,
}

/// The Sigma rules, compiled once, in load order.
#[derive(Debug, Clone, Default)]
pub struct SigmaSet {
    rules: Vec<Compiled>,
    event_name: Option<(SlotId, Vec<String>)>,
    event_source: Option<(SlotId, Vec<String>)>,
    by_name: Index,
    by_source: Index,
    /// Rules filed under neither field: every record reaches them.
    unfiled: Vec<usize>,
}

/// Which field a rule is filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filed {
    Name,
    Source,
}

impl SigmaSet {
    /// Compiles `rules` and registers their fields in `plan`; the
    /// [`Fields`](crate::record::Fields) used with this set must be made after this call.
    pub fn compile(rules: &[SigmaRule], plan: &mut FieldPlan) -> SigmaSet {
        let mut set = SigmaSet::default();
        if rules.is_empty() {
            return set;
        }
        let path = |name: &str| vec![name.to_owned()];
        set.event_name = Some((plan.spread_slot_for(&path("eventName")), path("eventName")));
        set.event_source = Some((
            plan.spread_slot_for(&path("eventSource")),
            path("eventSource"),
        ));
        for (i, rule) in rules.iter().enumerate() {
            let d = &rule.detection;
            let slots = d.fields.iter().map(|f| plan.spread_slot_for(f)).collect();
            match required(&d.condition, d) {
                Some((Filed::Name, texts)) => set.by_name.file(texts, i),
                Some((Filed::Source, texts)) => set.by_source.file(texts, i),
                None => set.unfiled.push(i),
            }
            set.rules.push(Compiled {
                rule: rule.clone(),
                slots,
            });
        }
        set
    }

    /// The compiled rules, in load order.
    pub fn rules(&self) -> impl Iterator<Item = &SigmaRule> {
        self.rules.iter().map(|c| &c.rule)
    }

    /// How many rules a record reaches through the index alone, by name, by source and
    /// unfiled: for the tests of the index.
    #[cfg(test)]
    pub(super) fn filing(&self) -> (usize, usize, usize) {
        let count = |i: &Index| {
            let mut all: Vec<usize> = i.by_text.values().flatten().copied().collect();
            all.sort_unstable();
            all.dedup();
            all.len()
        };
        (
            count(&self.by_name),
            count(&self.by_source),
            self.unfiled.len(),
        )
    }

    /// Calls `hit` for each rule matching the record, in load order.
    pub fn for_each_match(&self, record: &Record<'_>, mut hit: impl FnMut(&SigmaRule)) {
        if self.rules.is_empty() {
            return;
        }
        let ctx = Context {
            record,
            text: OnceCell::new(),
        };
        let mut run = |i: usize| {
            let c = &self.rules[i];
            if eval(
                &c.rule.detection.condition,
                &c.rule.detection,
                &c.slots,
                &ctx,
            ) {
                hit(&c.rule);
            }
        };
        let (Some(name), Some(source)) = (&self.event_name, &self.event_source) else {
            return;
        };
        match (
            filed_under(record, name, &self.by_name),
            filed_under(record, source, &self.by_source),
        ) {
            (Some(by_name), Some(by_source)) => merge3(by_name, by_source, &self.unfiled, &mut run),
            // A value the index cannot key on (an array, an object): every rule, in order.
            _ => (0..self.rules.len()).for_each(run),
        }
    }
}

impl Index {
    fn file(&mut self, texts: Vec<String>, rule: usize) {
        for text in texts {
            let list = self.by_text.entry(text).or_default();
            if list.last() != Some(&rule) {
                list.push(rule);
            }
        }
    }
}

/// The rules filed under the record's value of a field: none when the field is missing or null
/// (a filed rule requires one of its texts), `None` when the value is not a single scalar.
fn filed_under<'i>(
    record: &Record<'_>,
    (slot, path): &(SlotId, Vec<String>),
    index: &'i Index,
) -> Option<&'i [usize]> {
    let lookup = |text: &str| {
        with_folded(text, |k| {
            index.by_text.get(k).map_or(&[][..], Vec::as_slice)
        })
    };
    let mut single: Option<JsonRef<'_>> = None;
    let mut several = false;
    let _ = record.for_each_value(*slot, path, |v| {
        if single.replace(v).is_some() {
            several = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    if several {
        return None;
    }
    match single {
        None | Some(JsonRef::Null) => Some(&[]),
        Some(v) => match v.text() {
            Some(text) => Some(lookup(&text)),
            None => None,
        },
    }
}

/// Calls `f` with `text` folded, on the stack for the short ASCII texts CloudTrail writes.
fn with_folded<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    const MAX: usize = 96;
    if text.len() <= MAX && text.is_ascii() {
        let mut buf = [0u8; MAX];
        let folded = &mut buf[..text.len()];
        folded.copy_from_slice(text.as_bytes());
        folded.make_ascii_uppercase();
        return f(std::str::from_utf8(folded).unwrap_or_default());
    }
    f(&fold(text))
}

/// Runs `run` on the union of three sorted, disjoint lists, in order.
fn merge3(a: &[usize], b: &[usize], c: &[usize], run: &mut impl FnMut(usize)) {
    let (mut i, mut j, mut k) = (0, 0, 0);
    loop {
        let next = [a.get(i), b.get(j), c.get(k)]
            .into_iter()
            .flatten()
            .min()
            .copied();
        let Some(n) = next else { return };
        if a.get(i) == Some(&n) {
            i += 1;
        }
        if b.get(j) == Some(&n) {
            j += 1;
        }
        if c.get(k) == Some(&n) {
            k += 1;
        }
        run(n);
    }
}

/// What the condition requires of `eventName` (preferred) or `eventSource`: that one of its
/// texts equals one of these, folded. `None` when it requires neither.
fn required(cond: &Cond, d: &Detection) -> Option<(Filed, Vec<String>)> {
    match cond {
        Cond::Not(_) => None,
        Cond::Search(i) => {
            let search: &Search = &d.searches[*i];
            same_field(
                search
                    .any_of
                    .iter()
                    .map(|conj| best(conj.iter().map(|item| item_requires(item, d)))),
            )
        }
        Cond::And(members) => best(members.iter().map(|m| required(m, d))),
        Cond::Or(members) => same_field(members.iter().map(|m| required(m, d))),
    }
}

/// Of several requirements that all hold, the most useful: one on `eventName`, else on
/// `eventSource`.
fn best(
    options: impl Iterator<Item = Option<(Filed, Vec<String>)>>,
) -> Option<(Filed, Vec<String>)> {
    let options: Vec<_> = options.flatten().collect();
    options
        .iter()
        .find(|(f, _)| *f == Filed::Name)
        .or_else(|| options.first())
        .cloned()
}

/// Of alternatives one of which holds: their union, when all require the same field.
fn same_field(
    alternatives: impl Iterator<Item = Option<(Filed, Vec<String>)>>,
) -> Option<(Filed, Vec<String>)> {
    let mut union: Option<(Filed, Vec<String>)> = None;
    for alt in alternatives {
        let (field, texts) = alt?;
        match &mut union {
            None => union = Some((field, texts)),
            Some((f, all)) if *f == field => all.extend(texts),
            Some(_) => return None,
        }
    }
    union
}

fn item_requires(item: &Item, d: &Detection) -> Option<(Filed, Vec<String>)> {
    let Target::Field(f) = item.target else {
        return None;
    };
    let field = match d.fields[f].as_slice() {
        [name] if name == "eventName" => Filed::Name,
        [name] if name == "eventSource" => Filed::Source,
        _ => return None,
    };
    if item.neq {
        return None;
    }
    let texts = item
        .tests
        .iter()
        .map(|t| match t {
            Test::Match(m) => m.exact_literal().map(|(text, case)| match case {
                Case::Folded => text,
                Case::Exact => fold(&text),
            }),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((field, texts))
}

/// One record under evaluation; its decoded text is made once, when a keyword first needs it.
struct Context<'r, 'a> {
    record: &'r Record<'a>,
    text: OnceCell<Cow<'a, str>>,
}

fn eval(cond: &Cond, d: &Detection, slots: &[SlotId], ctx: &Context<'_, '_>) -> bool {
    match cond {
        Cond::Or(members) => members.iter().any(|m| eval(m, d, slots, ctx)),
        Cond::And(members) => members.iter().all(|m| eval(m, d, slots, ctx)),
        Cond::Not(inner) => !eval(inner, d, slots, ctx),
        Cond::Search(i) => d.searches[*i]
            .any_of
            .iter()
            .any(|conj| conj.iter().all(|item| item_holds(item, d, slots, ctx))),
    }
}

fn item_holds(item: &Item, d: &Detection, slots: &[SlotId], ctx: &Context<'_, '_>) -> bool {
    let one = |test: &Test| test_holds(test, item.target, d, slots, ctx);
    let held = if item.all {
        item.tests.iter().all(one)
    } else {
        item.tests.iter().any(one)
    };
    held != item.neq
}

fn test_holds(
    test: &Test,
    target: Target,
    d: &Detection,
    slots: &[SlotId],
    ctx: &Context<'_, '_>,
) -> bool {
    let field = match target {
        Target::Keywords => {
            let text = ctx.text.get_or_init(|| decoded(ctx.record.text()));
            return match test {
                Test::Match(m) => m.holds(text),
                _ => false,
            };
        }
        Target::Field(f) => f,
    };
    let values = |f: usize, each: &mut dyn FnMut(JsonRef<'_>) -> bool| {
        ctx.record
            .for_each_value(slots[f], &d.fields[f], |v| {
                if each(v) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .is_break()
    };
    match test {
        Test::Null => {
            let mut any = false;
            let null = values(field, &mut |v| {
                any = true;
                v == JsonRef::Null
            });
            null || !any
        }
        Test::Exists(want) => ctx.record.is_present(slots[field], &d.fields[field]) == *want,
        Test::Match(m) => values(field, &mut |v| v.text().is_some_and(|t| m.holds(&t))),
        Test::FieldRef {
            other,
            position,
            case,
        } => values(field, &mut |v| {
            let Some(text) = v.text() else { return false };
            let text = folded(&text, *case);
            values(*other, &mut |o| {
                o.text().is_some_and(|o| {
                    let o = folded(&o, *case);
                    match position {
                        Position::Whole => text == o,
                        Position::Contains => text.contains(o.as_ref()),
                        Position::StartsWith => text.starts_with(o.as_ref()),
                        Position::EndsWith => text.ends_with(o.as_ref()),
                    }
                })
            })
        }),
    }
}

fn folded(text: &str, case: Case) -> Cow<'_, str> {
    match case {
        Case::Exact => Cow::Borrowed(text),
        Case::Folded => Cow::Owned(text.chars().map(fold_char).collect()),
    }
}
