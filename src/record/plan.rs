//! The paths wanted from every record, registered once at start-up.
//!
//! Rules and content checks name the values they need as selector paths (`$.userIdentity.type`,
//! `$.resources[0].ARN`). Every path is registered in one [`FieldPlan`], a small trie that hands
//! out a [`SlotId`] per distinct path; the scanner walks each record guided by it.
//!
//! A path registered as *spread* ([`FieldPlan::spread_slot_for`], Sigma's dotted fields) names
//! members only and passes through arrays: where the scanner meets an array on the way, the slot
//! holds that array and how many steps led to it, and the rest of the path is applied to its
//! elements when the value is read ([`Record::for_each_value`](super::Record::for_each_value)).

/// One step of a selector path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// The object member with this name (`userIdentity` in `$.userIdentity.type`).
    Key(String),
    /// The array element at this position, counting from 0 (`0` in `$.resources[0]`).
    Index(usize),
}

/// Names longer than this are looked up by a walk of all of a node's wanted names (no
/// CloudTrail member name comes near it).
pub(super) const INDEXED_NAME_LEN: usize = 64;

/// Handle of one registered path; index into [`Fields`](super::Fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotId(pub(super) usize);

/// A trie node: what to capture at this position and where to descend.
#[derive(Debug, Default, Clone)]
pub(super) struct PlanNode {
    /// Slot filled with the value found at this node's path, if that path was registered.
    pub(super) slot: Option<SlotId>,
    /// The spread slot of this node's path, if that path was registered as spread.
    pub(super) spread: Option<SlotId>,
    /// How many steps lead from the root to this node.
    pub(super) depth: u16,
    /// Spread slots strictly below this node: an array met here is where their paths stop
    /// being walked by the scanner.
    pub(super) spread_below: Vec<usize>,
    pub(super) keys: Vec<(String, usize)>,
    /// Positions in `keys` by name length, for names up to [`INDEXED_NAME_LEN`] bytes: a
    /// member name is compared only with the wanted names of its own length.
    pub(super) keys_by_len: Vec<Vec<usize>>,
    pub(super) indices: Vec<(usize, usize)>,
    /// Slots registered strictly below this node; cleared whenever the member is met, so
    /// that with duplicate keys the last occurrence wins cleanly.
    pub(super) below: Vec<usize>,
}

/// The set of paths wanted from every record, as a trie rooted at the record object.
#[derive(Debug, Clone)]
pub struct FieldPlan {
    pub(super) nodes: Vec<PlanNode>,
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
        self.register(path, false)
    }

    /// [`FieldPlan::slot_for`] the path of member `names`, outermost first (`userIdentity`,
    /// `arn`): the fixed fields alerts and Insights read.
    pub fn member_slot<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) -> SlotId {
        let steps: Vec<Step> = names.into_iter().map(|n| Step::Key(n.to_owned())).collect();
        self.slot_for(&steps)
    }

    /// Registers the member names `path` as a spread path (see the module docs) and returns its
    /// slot, distinct from the slot of the same names registered with [`FieldPlan::slot_for`].
    pub fn spread_slot_for(&mut self, path: &[String]) -> SlotId {
        let steps: Vec<Step> = path.iter().cloned().map(Step::Key).collect();
        self.register(&steps, true)
    }

    fn register(&mut self, path: &[Step], spread: bool) -> SlotId {
        let mut node = 0;
        for step in path {
            node = self.child_or_insert(node, step);
        }
        let held = if spread {
            &mut self.nodes[node].spread
        } else {
            &mut self.nodes[node].slot
        };
        if let Some(slot) = *held {
            return slot;
        }
        let slot = SlotId(self.paths.len());
        *held = Some(slot);
        self.paths.push(path.to_vec());
        self.index_subtrees();
        slot
    }

    /// How many slots a [`Fields`](super::Fields) for this plan holds.
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
        self.nodes.push(PlanNode {
            depth: self.nodes[node].depth.saturating_add(1),
            ..PlanNode::default()
        });
        match step {
            Step::Key(k) => self.nodes[node].keys.push((k.clone(), child)),
            Step::Index(i) => self.nodes[node].indices.push((*i, child)),
        }
        child
    }

    fn index_subtrees(&mut self) {
        /// Fills `below` and `spread_below` of `at`'s subtree; returns them for `at`.
        fn visit(nodes: &mut [PlanNode], at: usize) -> (Vec<usize>, Vec<usize>) {
            let children: Vec<usize> = nodes[at]
                .keys
                .iter()
                .map(|&(_, c)| c)
                .chain(nodes[at].indices.iter().map(|&(_, c)| c))
                .collect();
            let (mut below, mut spread_below) = (Vec::new(), Vec::new());
            for c in children {
                below.extend(nodes[c].slot.map(|s| s.0));
                below.extend(nodes[c].spread.map(|s| s.0));
                spread_below.extend(nodes[c].spread.map(|s| s.0));
                let (b, s) = visit(nodes, c);
                below.extend(b);
                spread_below.extend(s);
            }
            let mut keys_by_len = Vec::new();
            for (i, (name, _)) in nodes[at].keys.iter().enumerate() {
                if name.len() <= INDEXED_NAME_LEN {
                    if keys_by_len.len() <= name.len() {
                        keys_by_len.resize(name.len() + 1, Vec::new());
                    }
                    keys_by_len[name.len()].push(i);
                }
            }
            nodes[at].keys_by_len = keys_by_len;
            nodes[at].below = below.clone();
            nodes[at].spread_below = spread_below.clone();
            (below, spread_below)
        }
        visit(&mut self.nodes, 0);
    }
}
