//! Streaming decode of one delivery: gzip (multi-member) or plain JSON, then the `Records`
//! array one record at a time.
//!
//! Memory stays flat in the file size: a refillable window of decompressed bytes that holds at
//! least the current record, never the whole document. Each record is framed and its wanted
//! fields located in the same pass ([`crate::record`]); a record that does not fit the window
//! grows it, up to the record-size limit.
//!
//! Errors say which problem it is: the source failing to deliver bytes (transient, worth a
//! retry) is kept apart from bytes that are bad (permanent: corrupt gzip, invalid JSON, limits).

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::config::Limits;
use crate::record::json::{self, ScanError};
use crate::record::{FieldPlan, Fields, Record};

/// What the bytes are expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// gzip, as CloudTrail writes `.json.gz`; anything else is an error.
    Gzip,
    /// gzip if it starts with the gzip magic, plain JSON otherwise.
    Detect,
}

/// Why a delivery could not be (fully) decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Reading the source failed: the bytes may be fine, try again.
    #[error("reading the object failed: {0}")]
    Source(#[source] io::Error),
    /// Gzip was required but the object does not start with the gzip magic bytes.
    #[error("not a gzip file (the object does not start with the gzip magic bytes)")]
    NotGzip,
    /// The gzip layer rejected the data: corrupt, or cut off before its end.
    #[error("corrupt or truncated gzip data: {0}")]
    Gzip(#[source] io::Error),
    /// Zero bytes where a log was announced: CloudTrail never writes one (folder placeholders
    /// end in `/` and never get here).
    #[error("the object is empty (zero bytes)")]
    EmptyObject,
    /// The object has bytes, but they decode to nothing or only white space.
    #[error("the document is empty")]
    EmptyDocument,
    /// The document is not valid JSON; the error's offset is in decompressed bytes from its start.
    #[error("{0}")]
    Json(ScanError),
    /// The document ends in the middle of its JSON.
    #[error("the document ends inside a JSON value (truncated)")]
    Truncated,
    /// A record's text is not valid UTF-8; the reader steps over it.
    #[error("record {index} is not valid UTF-8")]
    NotUtf8 {
        /// Position of the record in `Records`, counting from 0.
        index: u64,
    },
    /// The document's object closes without a `Records` member.
    #[error("the document has no `Records` member")]
    RecordsMissing,
    /// The `Records` member holds something other than an array.
    #[error("`Records` is not an array")]
    RecordsNotArray,
    /// An element of `Records` is well-formed JSON but not an object; the reader steps over it.
    #[error("record {index} is not a JSON object")]
    RecordNotObject {
        /// Position of the element in `Records`, counting from 0.
        index: u64,
    },
    /// The object as read from the source is larger than the compressed-size limit.
    #[error("the object exceeds the limit of {limit} compressed bytes")]
    CompressedTooLarge {
        /// The limit, in bytes of the object as stored.
        limit: u64,
    },
    /// The decompressed document is larger than the decompressed-size limit.
    #[error("the document exceeds the limit of {limit} decompressed bytes")]
    DecompressedTooLarge {
        /// The limit, in decompressed bytes.
        limit: u64,
    },
    /// One record's JSON text is larger than the record-size limit.
    #[error("record {index} exceeds the limit of {limit} bytes")]
    RecordTooLarge {
        /// Position of the record in `Records`, counting from 0.
        index: u64,
        /// The record-size limit, in bytes of the record's JSON text.
        limit: usize,
    },
    /// A member of the document other than `Records` is larger than the record-size limit.
    #[error("a member of the document outside `Records` exceeds the limit of {limit} bytes")]
    MemberTooLarge {
        /// The record-size limit, in bytes of the member's JSON text.
        limit: usize,
    },
}

impl DecodeError {
    /// A problem confined to one record: the reader has stepped over it and can go on.
    pub fn is_record_local(&self) -> bool {
        matches!(
            self,
            DecodeError::NotUtf8 { .. } | DecodeError::RecordNotObject { .. }
        )
    }

    /// A limit was exceeded (`delivery.too-large` rather than `delivery.corrupt`).
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            DecodeError::CompressedTooLarge { .. }
                | DecodeError::DecompressedTooLarge { .. }
                | DecodeError::RecordTooLarge { .. }
                | DecodeError::MemberTooLarge { .. }
        )
    }

    /// The source failed, not the data: the delivery should be retried.
    pub fn is_transient(&self) -> bool {
        matches!(self, DecodeError::Source(_))
    }
}

/// Counts and bounds what passes through, and remembers whether an error came from below
/// (the source) or was raised here (a limit), so the gzip layer's errors can be told apart.
/// The integrity checks' reader of first gzip members ([`crate::digest::member`]) uses it too.
pub(crate) struct Metered<R> {
    inner: R,
    bytes: u64,
    limit: u64,
    failure: Option<Failure>,
}

/// Where an error a [`Metered`] reader passed up came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The reader below failed.
    Source,
    /// More than the limit passed through.
    Limit,
}

impl<R> Metered<R> {
    /// `inner`, failing once more than `limit` bytes have passed.
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        Metered {
            inner,
            bytes: 0,
            limit,
            failure: None,
        }
    }

    /// Bytes that have passed so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// What the last error came from; `None` when no error came from here or below (the layer
    /// above raised it).
    pub(crate) fn failure(&self) -> Option<Failure> {
        self.failure
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).inspect_err(|e| {
            if e.kind() != io::ErrorKind::Interrupted {
                self.failure = Some(Failure::Source);
            }
        })?;
        self.bytes += n as u64;
        if self.bytes > self.limit {
            self.failure = Some(Failure::Limit);
            return Err(io::Error::other("limit exceeded"));
        }
        Ok(n)
    }
}

enum Inflow<R: Read> {
    Gzip(Box<MultiGzDecoder<BufReader<Metered<R>>>>),
    Plain(BufReader<Metered<R>>),
}

/// Where the reader is in the document's outer structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Start,
    /// Between members: `}` or (after the first) `,`.
    Members {
        first: bool,
    },
    /// A member must come next.
    Member,
    /// Between records: `]` or (after the first) `,`.
    Records {
        first: bool,
    },
    /// A record must come next.
    Record,
    /// The document closed; only white space may follow.
    End,
    /// Read to the end of the input.
    Done,
}

/// Streams the records of one delivery. Call [`RecordReader::next_record`] until it yields
/// `Ok(None)`; after an error for which [`DecodeError::is_record_local`] holds it may be
/// called again, after any other error the reader is spent.
pub struct RecordReader<'p, R: Read> {
    inflow: Inflow<R>,
    plan: &'p FieldPlan,
    fields: Fields,
    limits: Limits,
    window: Vec<u8>,
    filled: usize,
    pos: usize,
    window_offset: u64,
    eof: bool,
    frame: Frame,
    records_seen: bool,
    record_index: u64,
    decompressed: u64,
}

/// Bytes requested from the decompressor per read: large enough that refills are rare,
/// small enough to stay in cache.
const CHUNK: usize = 256 << 10;

impl<'p, R: Read> RecordReader<'p, R> {
    /// Starts decoding `source`. Reads the first bytes to tell gzip from plain JSON.
    pub fn new(
        source: R,
        format: Format,
        plan: &'p FieldPlan,
        limits: Limits,
    ) -> Result<Self, DecodeError> {
        let metered = Metered::new(source, limits.max_compressed_bytes);
        let mut buffered = BufReader::with_capacity(CHUNK, metered);
        let head = match buffered.fill_buf() {
            Ok(head) => head,
            Err(e) => return Err(read_failure(buffered.get_ref().failure, false, e, limits)),
        };
        if head.is_empty() {
            return Err(DecodeError::EmptyObject);
        }
        let gzip = head.starts_with(&[0x1f, 0x8b]);
        let inflow = match (gzip, format) {
            (true, _) => Inflow::Gzip(Box::new(MultiGzDecoder::new(buffered))),
            (false, Format::Detect) => Inflow::Plain(buffered),
            (false, Format::Gzip) => return Err(DecodeError::NotGzip),
        };
        Ok(RecordReader {
            inflow,
            plan,
            fields: Fields::new(plan),
            limits,
            window: vec![0; CHUNK],
            filled: 0,
            pos: 0,
            window_offset: 0,
            eof: false,
            frame: Frame::Start,
            records_seen: false,
            record_index: 0,
            decompressed: 0,
        })
    }

    /// Decompressed bytes read so far.
    pub fn decompressed_bytes(&self) -> u64 {
        self.decompressed
    }

    /// Bytes of the object as stored read from the source so far (read ahead of the decoder,
    /// so up to one buffer more than it has inflated).
    pub fn compressed_bytes(&self) -> u64 {
        match &self.inflow {
            Inflow::Gzip(d) => d.get_ref().get_ref().bytes(),
            Inflow::Plain(r) => r.get_ref().bytes(),
        }
    }

    /// Records framed so far, bad ones included.
    pub fn records_read(&self) -> u64 {
        self.record_index
    }

    /// The next record, with its wanted fields located.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, DecodeError> {
        loop {
            if self.frame == Frame::Done {
                return Ok(None);
            }
            match self.step() {
                Ok(Some((start, end))) => {
                    let index = self.record_index - 1;
                    let text = std::str::from_utf8(&self.window[start..end])
                        .map_err(|_| DecodeError::NotUtf8 { index })?;
                    return Ok(Some(Record::new(text, &self.fields)));
                }
                Ok(None) => continue,
                Err(Step::Incomplete) => self.refill()?,
                Err(Step::Failed(e)) => return Err(e),
            }
        }
    }

    /// Advances by one unit of the outer structure or one record. `Ok(Some(span))` is a
    /// record; `Incomplete` leaves the position unchanged so the unit is read again after a
    /// refill.
    fn step(&mut self) -> Result<Option<(usize, usize)>, Step> {
        let buf = &self.window[..self.filled];
        // White space is never significant: consume it now so that no amount of it between
        // units can pile up in the window.
        self.pos = json::skip_ws(buf, self.pos);
        match self.frame {
            Frame::Start => {
                let pos = self.pos;
                match buf.get(pos) {
                    None if self.eof => Err(Step::Failed(DecodeError::EmptyDocument)),
                    None => Err(Step::Incomplete),
                    Some(b'{') => {
                        (self.pos, self.frame) = (pos + 1, Frame::Members { first: true });
                        Ok(None)
                    }
                    Some(_) => Err(self.json_error(ScanError::Syntax {
                        offset: pos,
                        expected: "`{` opening the document",
                    })),
                }
            }
            Frame::Members { first } => {
                let pos = self.pos;
                match buf.get(pos) {
                    None => Err(Step::Incomplete),
                    Some(b'}') if !self.records_seen => {
                        Err(Step::Failed(DecodeError::RecordsMissing))
                    }
                    Some(b'}') => {
                        (self.pos, self.frame) = (pos + 1, Frame::End);
                        Ok(None)
                    }
                    Some(_) => {
                        let pos = self.past_comma(buf, pos, first, "`,` or `}`")?;
                        (self.pos, self.frame) = (pos, Frame::Member);
                        Ok(None)
                    }
                }
            }
            Frame::Member => {
                let pos = self.pos;
                if buf.get(pos).is_some_and(|&b| b != b'"') {
                    return Err(self.json_error(ScanError::Syntax {
                        offset: pos,
                        expected: "a member name",
                    }));
                }
                let (name_end, _) = json::scan_string(buf, pos).map_err(|e| self.json_error(e))?;
                let is_records = &buf[pos..name_end] == b"\"Records\"";
                let value = json::skip_ws(
                    buf,
                    json::expect_byte(buf, name_end, b':', "`:`")
                        .map_err(|e| self.json_error(e))?,
                );
                if is_records {
                    match buf.get(value) {
                        None => Err(Step::Incomplete),
                        Some(b'[') => {
                            self.records_seen = true;
                            (self.pos, self.frame) = (value + 1, Frame::Records { first: true });
                            Ok(None)
                        }
                        Some(_) => Err(Step::Failed(DecodeError::RecordsNotArray)),
                    }
                } else {
                    let (end, _) =
                        json::skip_value(buf, value, 1).map_err(|e| self.json_error(e))?;
                    (self.pos, self.frame) = (end, Frame::Members { first: false });
                    Ok(None)
                }
            }
            Frame::Records { first } => {
                let pos = self.pos;
                match buf.get(pos) {
                    None => Err(Step::Incomplete),
                    Some(b']') => {
                        (self.pos, self.frame) = (pos + 1, Frame::Members { first: false });
                        Ok(None)
                    }
                    Some(_) => {
                        let pos = self.past_comma(buf, pos, first, "`,` or `]`")?;
                        (self.pos, self.frame) = (pos, Frame::Record);
                        // Straight on to the record: one step per record on the hot path.
                        self.frame_record()
                    }
                }
            }
            Frame::Record => self.frame_record(),
            Frame::End => match json::expect_only_whitespace(buf, self.pos) {
                Ok(()) if self.eof => {
                    self.frame = Frame::Done;
                    Ok(None)
                }
                Ok(()) => {
                    self.pos = self.filled;
                    Err(Step::Incomplete)
                }
                Err(e) => Err(self.json_error(e)),
            },
            Frame::Done => Ok(None),
        }
    }

    /// Frames the record that must start at the current position (after white space).
    fn frame_record(&mut self) -> Result<Option<(usize, usize)>, Step> {
        let buf = &self.window[..self.filled];
        let start = json::skip_ws(buf, self.pos);
        // Blanks before the record are consumed even if it is incomplete: they never pile up.
        self.pos = start;
        let record = &buf[start..];
        let end = match crate::record::scan_record(record, self.plan, &mut self.fields) {
            Ok(len) => start + len,
            Err(ScanError::NotAnObject { .. }) => {
                // The element is well-formed JSON: step over it, the records after it still count.
                let (len, _) = json::skip_value(record, 0, 2).map_err(|e| self.json_error(e))?;
                let index = self.record_index;
                self.record_index += 1;
                (self.pos, self.frame) = (start + len, Frame::Records { first: false });
                return Err(Step::Failed(DecodeError::RecordNotObject { index }));
            }
            Err(e) => return Err(self.json_error(e.offset_by(start as u64))),
        };
        if end - start > self.limits.max_record_bytes {
            return Err(Step::Failed(self.record_too_large()));
        }
        self.record_index += 1;
        (self.pos, self.frame) = (end, Frame::Records { first: false });
        Ok(Some((start, end)))
    }

    /// Past the `,` that must separate a unit from the one before it (none before the first).
    /// The comma is consumed into the frame, so white space after it never piles up.
    fn past_comma(
        &self,
        buf: &[u8],
        pos: usize,
        first: bool,
        expected: &'static str,
    ) -> Result<usize, Step> {
        if first {
            return Ok(pos);
        }
        json::expect_byte(buf, pos, b',', expected).map_err(|e| self.json_error(e))
    }

    fn record_too_large(&self) -> DecodeError {
        DecodeError::RecordTooLarge {
            index: self.record_index,
            limit: self.limits.max_record_bytes,
        }
    }

    /// A scan failure as the caller sees it; offsets become offsets in the whole document.
    fn json_error(&self, e: ScanError) -> Step {
        match e {
            ScanError::Incomplete => Step::Incomplete,
            e => Step::Failed(DecodeError::Json(e.offset_by(self.window_offset))),
        }
    }

    /// Makes room and reads more decompressed bytes. The unread tail moves to the front; the
    /// window doubles when one unit already fills it, so a long record costs linear time.
    fn refill(&mut self) -> Result<(), DecodeError> {
        if self.eof {
            return Err(match self.frame {
                Frame::Start => DecodeError::EmptyDocument,
                _ => DecodeError::Truncated,
            });
        }
        let pending = self.filled - self.pos;
        if pending > self.limits.max_record_bytes {
            return Err(match self.frame {
                Frame::Records { .. } | Frame::Record => self.record_too_large(),
                _ => DecodeError::MemberTooLarge {
                    limit: self.limits.max_record_bytes,
                },
            });
        }
        self.window.copy_within(self.pos..self.filled, 0);
        self.window_offset += self.pos as u64;
        self.filled = pending;
        self.pos = 0;
        if self.window.len() - self.filled < CHUNK / 2 {
            let grown = (self.window.len() * 2).max(self.filled + CHUNK);
            self.window.resize(grown, 0);
        }
        let n = self.read_into_window()?;
        if n == 0 {
            self.eof = true;
        }
        self.decompressed += n as u64;
        if self.decompressed > self.limits.max_decompressed_bytes {
            return Err(DecodeError::DecompressedTooLarge {
                limit: self.limits.max_decompressed_bytes,
            });
        }
        Ok(())
    }

    fn read_into_window(&mut self) -> Result<usize, DecodeError> {
        let space = &mut self.window[self.filled..];
        loop {
            let read = match &mut self.inflow {
                Inflow::Gzip(d) => d.read(space),
                Inflow::Plain(r) => r.read(space),
            };
            match read {
                Ok(n) => {
                    self.filled += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let (failure, gzip) = match &self.inflow {
                        Inflow::Gzip(d) => (d.get_ref().get_ref().failure, true),
                        Inflow::Plain(r) => (r.get_ref().failure, false),
                    };
                    return Err(read_failure(failure, gzip, e, self.limits));
                }
            }
        }
    }
}

enum Step {
    Incomplete,
    Failed(DecodeError),
}

/// Attributes a read error to a limit, the source, or (when the gzip layer raised it) the data.
fn read_failure(failure: Option<Failure>, gzip: bool, e: io::Error, limits: Limits) -> DecodeError {
    match failure {
        Some(Failure::Limit) => DecodeError::CompressedTooLarge {
            limit: limits.max_compressed_bytes,
        },
        None if gzip => DecodeError::Gzip(e),
        _ => DecodeError::Source(e),
    }
}

#[cfg(test)]
mod tests;
