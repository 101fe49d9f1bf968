//! The record scanner: one validating pass over a record's bytes, guided by the
//! [`FieldPlan`], that notes where each wanted value lies ([`Fields`]) and skips everything
//! else without materialising it. Nothing is copied or allocated per record; UTF-8 is checked by
//! the caller, once per record.

use super::json::{
    at, expect_byte, expect_only_whitespace, scan_string, skip_value, skip_ws, unescape, JsonType,
    Scan, ScanError, MAX_DEPTH,
};
use super::plan::{FieldPlan, PlanNode, INDEXED_NAME_LEN};

/// Where a value lies in the record text: byte offsets of the whole token (quotes included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) ty: JsonType,
    /// How many steps of the slot's path led here: all of them, except for a spread slot
    /// stopped at an array.
    pub(super) steps: u16,
}

/// Per-record slot table, reused from record to record.
#[derive(Debug, Clone)]
pub struct Fields {
    pub(super) spans: Vec<Option<Span>>,
}

impl Fields {
    /// An empty table sized for `plan`.
    pub fn new(plan: &FieldPlan) -> Self {
        Fields {
            spans: vec![None; plan.len()],
        }
    }

    pub(super) fn clear(&mut self) {
        self.spans.iter_mut().for_each(|s| *s = None);
    }
}

/// Scans one JSON object (a whole record, white space around it allowed) and fills `fields`
/// with the values `plan` wants; pair them with the same `text` in a
/// [`Record`](super::Record).
pub fn extract(plan: &FieldPlan, text: &str, fields: &mut Fields) -> Result<(), ScanError> {
    let bytes = text.as_bytes();
    let start = skip_ws(bytes, 0);
    let end = scan_record(&bytes[start..], plan, fields).map_err(|e| e.offset_by(start as u64))?;
    expect_only_whitespace(bytes, start + end)?;
    for span in fields.spans.iter_mut().flatten() {
        span.start += start;
        span.end += start;
    }
    Ok(())
}

/// Scans the record (a JSON object) that starts at `buf[0]`, filling `fields` by `plan` with
/// spans relative to that start. Returns the position after the record's closing brace.
pub fn scan_record(buf: &[u8], plan: &FieldPlan, fields: &mut Fields) -> Scan<usize> {
    fields.clear();
    if at(buf, 0)? != b'{' {
        // Scan the value anyway so that an incomplete buffer reads as such, not as a non-object.
        skip_value(buf, 0, 1)?;
        return Err(ScanError::NotAnObject { offset: 0 });
    }
    capture(buf, 0, plan, 0, fields, 0)
}

/// Reads the value at `pos` for plan node `node`: descends where the plan goes deeper, skips
/// otherwise, and records the value's span if the node has a slot.
fn capture(
    buf: &[u8],
    pos: usize,
    plan: &FieldPlan,
    node: usize,
    fields: &mut Fields,
    depth: usize,
) -> Scan<usize> {
    let n = &plan.nodes[node];
    let first = at(buf, pos)?;
    let (end, ty) = match first {
        b'{' if !n.keys.is_empty() => (
            walk_object(buf, pos, plan, node, fields, depth)?,
            JsonType::Object,
        ),
        b'[' if !n.indices.is_empty() => (
            walk_array(buf, pos, plan, node, fields, depth)?,
            JsonType::Array,
        ),
        _ => skip_value(buf, pos, depth)?,
    };
    let span = Span {
        start: pos,
        end,
        ty,
        steps: n.depth,
    };
    if ty == JsonType::Array {
        // Spread paths go on through the array's elements when the value is read.
        for &slot in &n.spread_below {
            fields.spans[slot] = Some(span);
        }
    }
    for slot in n.slot.into_iter().chain(n.spread) {
        fields.spans[slot.0] = Some(span);
    }
    Ok(end)
}

fn walk_object(
    buf: &[u8],
    open: usize,
    plan: &FieldPlan,
    node: usize,
    fields: &mut Fields,
    depth: usize,
) -> Scan<usize> {
    if depth >= MAX_DEPTH {
        return Err(ScanError::TooDeep { offset: open });
    }
    let n = &plan.nodes[node];
    let mut pos = match enter(buf, open, b'}')? {
        Next::Element(pos) => pos,
        Next::End(end) => return Ok(end),
    };
    loop {
        if at(buf, pos)? != b'"' {
            return Err(ScanError::Syntax {
                offset: pos,
                expected: "a member name",
            });
        }
        let (name_end, name_escaped) = scan_string(buf, pos)?;
        let name = &buf[pos + 1..name_end - 1];
        pos = skip_ws(buf, expect_byte(buf, name_end, b':', "`:`")?);
        match find_member(n, name, name_escaped) {
            Some(child) => {
                for &slot in &plan.nodes[child].below {
                    fields.spans[slot] = None;
                }
                pos = capture(buf, pos, plan, child, fields, depth + 1)?;
            }
            None => pos = skip_value(buf, pos, depth + 1)?.0,
        }
        match after_element(buf, pos, b'}', "`,` or `}`")? {
            Next::Element(next) => pos = next,
            Next::End(end) => return Ok(end),
        }
    }
}

fn find_member(n: &PlanNode, name: &[u8], escaped: bool) -> Option<usize> {
    let keys = &n.keys;
    if escaped {
        // Rare: compare on the decoded name. The bytes were validated by `scan_string`.
        let decoded = unescape(std::str::from_utf8(name).ok()?);
        return keys.iter().find(|(k, _)| *k == decoded).map(|&(_, c)| c);
    }
    if name.len() > INDEXED_NAME_LEN {
        return keys
            .iter()
            .find(|(k, _)| k.as_bytes() == name)
            .map(|&(_, c)| c);
    }
    n.keys_by_len
        .get(name.len())?
        .iter()
        .map(|&i| &keys[i])
        .find(|(k, _)| same_name(k.as_bytes(), name))
        .map(|&(_, c)| c)
}

/// Whether two member names of the same length are equal. Names are short (CloudTrail's are
/// under 40 bytes), where a call to `memcmp` for each wanted name of that length costs more
/// than the comparison itself: from 4 to 32 bytes, each name is compared as its first and last
/// 4, 8 or 16 bytes (overlapping, so together they cover it), which compile to a few loads.
#[inline]
pub(super) fn same_name(a: &[u8], b: &[u8]) -> bool {
    fn ends<const N: usize>(s: &[u8]) -> Option<(&[u8; N], &[u8; N])> {
        Some((s.first_chunk()?, s.last_chunk()?))
    }
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        4..=7 => ends::<4>(a) == ends::<4>(b),
        8..=16 => ends::<8>(a) == ends::<8>(b),
        17..=32 => ends::<16>(a) == ends::<16>(b),
        _ => a == b,
    }
}

fn walk_array(
    buf: &[u8],
    open: usize,
    plan: &FieldPlan,
    node: usize,
    fields: &mut Fields,
    depth: usize,
) -> Scan<usize> {
    if depth >= MAX_DEPTH {
        return Err(ScanError::TooDeep { offset: open });
    }
    let n = &plan.nodes[node];
    let mut pos = match enter(buf, open, b']')? {
        Next::Element(pos) => pos,
        Next::End(end) => return Ok(end),
    };
    let mut index = 0usize;
    loop {
        match n.indices.iter().find(|&&(i, _)| i == index) {
            Some(&(_, child)) => pos = capture(buf, pos, plan, child, fields, depth + 1)?,
            None => pos = skip_value(buf, pos, depth + 1)?.0,
        }
        index += 1;
        match after_element(buf, pos, b']', "`,` or `]`")? {
            Next::Element(next) => pos = next,
            Next::End(end) => return Ok(end),
        }
    }
}

/// Where a walk goes next inside a container.
enum Next {
    /// An element (or member) starts here.
    Element(usize),
    /// The container closed; the position after it.
    End(usize),
}

/// Steps inside the container opened at `open`, which an empty one closes at once.
fn enter(buf: &[u8], open: usize, close: u8) -> Scan<Next> {
    let pos = skip_ws(buf, open + 1);
    Ok(if at(buf, pos)? == close {
        Next::End(pos + 1)
    } else {
        Next::Element(pos)
    })
}

/// After an element ending at `pos`: a comma and the next element, or the closer.
fn after_element(buf: &[u8], pos: usize, close: u8, expected: &'static str) -> Scan<Next> {
    let pos = skip_ws(buf, pos);
    match at(buf, pos)? {
        b',' => Ok(Next::Element(skip_ws(buf, pos + 1))),
        b if b == close => Ok(Next::End(pos + 1)),
        _ => Err(ScanError::Syntax {
            offset: pos,
            expected,
        }),
    }
}
