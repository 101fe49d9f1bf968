//! The fields of a record that anyone downstream asks for, resolved once per record.
//!
//! Rules and content checks name the values they need as selector paths (`$.userIdentity.type`,
//! `$.resources[0].ARN`). At start-up every path is registered in one [`FieldPlan`], a small trie
//! that hands out a [`SlotId`] per distinct path. The record scanner walks each record once,
//! guided by the trie, and notes where each wanted value lies ([`Fields`]); everything else is
//! skipped without being materialised. Evaluation then reads values through a [`Record`] view,
//! borrowing from the record text: no per-record tree, no per-record allocation.

use std::borrow::Cow;

/// One step of a selector path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Handle of one registered path; index into [`Fields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotId(pub(crate) usize);

/// A trie node: what to capture at this position and where to descend.
#[derive(Debug, Default, Clone)]
pub(crate) struct PlanNode {
    /// Slot filled with the value found at this node's path, if that path was registered.
    pub(crate) slot: Option<SlotId>,
    pub(crate) keys: Vec<(String, usize)>,
    pub(crate) indices: Vec<(usize, usize)>,
    /// Slots registered strictly below this node; cleared whenever the member is met, so
    /// that with duplicate keys the last occurrence wins cleanly.
    pub(crate) below: Vec<usize>,
}

/// The set of paths wanted from every record, as a trie rooted at the record object.
#[derive(Debug, Clone)]
pub struct FieldPlan {
    pub(crate) nodes: Vec<PlanNode>,
    paths: Vec<Vec<Step>>,
}

impl Default for FieldPlan {
    fn default() -> Self {
        Self::new()
    }
}

impl FieldPlan {
    /// An empty plan: only the root (the record object itself) exists.
    pub fn new() -> Self {
        FieldPlan {
            nodes: vec![PlanNode::default()],
            paths: Vec::new(),
        }
    }

    /// Registers `path` (relative to the record object) and returns its slot; the same path
    /// always yields the same slot. An empty path is the record itself.
    pub fn slot_for(&mut self, path: &[Step]) -> SlotId {
        let mut node = 0;
        for step in path {
            node = self.child_or_insert(node, step);
        }
        if let Some(slot) = self.nodes[node].slot {
            return slot;
        }
        let slot = SlotId(self.paths.len());
        self.paths.push(path.to_vec());
        self.nodes[node].slot = Some(slot);
        self.index_subtrees();
        slot
    }

    /// How many slots a [`Fields`] for this plan holds.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether no path was registered.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The path a slot was registered for.
    pub fn path(&self, slot: SlotId) -> &[Step] {
        &self.paths[slot.0]
    }

    /// Scans one JSON object (a whole record) and fills `fields` with the wanted values.
    pub fn extract(
        &self,
        text: &str,
        fields: &mut Fields,
    ) -> Result<(), crate::jsonscan::ScanError> {
        let end = crate::jsonscan::scan_record(text.as_bytes(), 0, self, fields)?;
        crate::jsonscan::expect_only_whitespace(text.as_bytes(), end)
    }

    fn child_or_insert(&mut self, node: usize, step: &Step) -> usize {
        let existing = match step {
            Step::Key(k) => self.nodes[node]
                .keys
                .iter()
                .find(|(n, _)| n == k)
                .map(|&(_, c)| c),
            Step::Index(i) => self.nodes[node]
                .indices
                .iter()
                .find(|(n, _)| n == i)
                .map(|&(_, c)| c),
        };
        if let Some(child) = existing {
            return child;
        }
        let child = self.nodes.len();
        self.nodes.push(PlanNode::default());
        match step {
            Step::Key(k) => self.nodes[node].keys.push((k.clone(), child)),
            Step::Index(i) => self.nodes[node].indices.push((*i, child)),
        }
        child
    }

    fn index_subtrees(&mut self) {
        fn visit(nodes: &mut [PlanNode], at: usize) -> Vec<usize> {
            let children: Vec<usize> = nodes[at]
                .keys
                .iter()
                .map(|&(_, c)| c)
                .chain(nodes[at].indices.iter().map(|&(_, c)| c))
                .collect();
            let mut below = Vec::new();
            for c in children {
                below.extend(nodes[c].slot.map(|s| s.0));
                below.extend(visit(nodes, c));
            }
            nodes[at].below = below.clone();
            below
        }
        visit(&mut self.nodes, 0);
    }
}

/// The JSON type of a located value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    Null,
    True,
    False,
    Number,
    /// `escaped` tells whether the string holds a backslash escape and needs decoding.
    String {
        escaped: bool,
    },
    Object,
    Array,
}

/// Where a value lies in the record text: byte offsets of the whole token (quotes included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) ty: JsonType,
}

/// Per-record slot table, reused from record to record.
#[derive(Debug, Clone)]
pub struct Fields {
    pub(crate) spans: Vec<Option<Span>>,
}

impl Fields {
    /// An empty table sized for `plan`.
    pub fn new(plan: &FieldPlan) -> Self {
        Fields {
            spans: vec![None; plan.len()],
        }
    }

    pub(crate) fn clear(&mut self) {
        self.spans.iter_mut().for_each(|s| *s = None);
    }
}

/// A record's text together with the located fields: what rules evaluate.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    text: &'a str,
    fields: &'a Fields,
}

impl<'a> Record<'a> {
    /// Pairs a record's text with the fields extracted from that same text.
    pub fn new(text: &'a str, fields: &'a Fields) -> Self {
        Record { text, fields }
    }

    /// The record's JSON text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The value at a registered path, or `None` when the path resolves to nothing.
    pub fn get(&self, slot: SlotId) -> Option<JsonRef<'a>> {
        let span = self.fields.spans.get(slot.0).copied().flatten()?;
        let raw = self.text.get(span.start..span.end)?;
        Some(match span.ty {
            JsonType::Null => JsonRef::Null,
            JsonType::True => JsonRef::Bool(true),
            JsonType::False => JsonRef::Bool(false),
            JsonType::Number => JsonRef::Number(raw),
            JsonType::String { escaped } => JsonRef::String(JsonStr {
                raw: &raw[1..raw.len() - 1],
                escaped,
            }),
            JsonType::Object => JsonRef::Object(raw),
            JsonType::Array => JsonRef::Array(raw),
        })
    }

    /// The string at `slot`, decoded; `None` when absent or not a string.
    pub fn get_str(&self, slot: SlotId) -> Option<Cow<'a, str>> {
        match self.get(slot)? {
            JsonRef::String(s) => Some(s.value()),
            _ => None,
        }
    }
}

/// A borrowed view of one JSON value inside a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRef<'a> {
    Null,
    Bool(bool),
    /// The number's text as written (already validated as JSON number syntax).
    Number(&'a str),
    String(JsonStr<'a>),
    /// The whole object's text, braces included.
    Object(&'a str),
    /// The whole array's text, brackets included.
    Array(&'a str),
}

/// A JSON string as it stands between its quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The string's value: borrowed when it has no escapes, decoded otherwise.
    pub fn value(&self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(crate::jsonscan::unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }
}
