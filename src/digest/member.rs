//! The first gzip member of an object, decompressed through SHA-256 within bounds: what a digest
//! signs and what a log's `hashValue` covers (INTEGRITY §2.1, §2.9).
//!
//! Inflating and hashing run on two threads, so that on a machine with a second core the hash
//! costs little beyond the decompression itself (SHA-256 is `ring`'s, which uses the
//! CPU's SHA extensions where it has them).
//!
//! This reader stops at the end of the first member on purpose and reports whether anything
//! follows; the rules' decoder (`decode`) reads every member, as CloudTrail's readers do. A
//! digest ignores what follows (as the AWS CLI does); a log with anything after its first
//! member is not the file CloudTrail hashed.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::sync_channel;

use flate2::bufread::GzDecoder;
use ring::digest::{Context, SHA256};

use crate::decode::{Failure, Metered};

/// How much of the object is read: compressed bytes from the source, decompressed bytes of
/// the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberLimits {
    /// Most compressed bytes read.
    pub compressed: u64,
    /// Most decompressed bytes of the member.
    pub decompressed: u64,
}

/// The first member, read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// SHA-256 of the decompressed bytes.
    pub sha256: [u8; 32],
    /// How many decompressed bytes there were.
    pub bytes: u64,
    /// Whether any byte follows the member (another member, even an empty one, or garbage).
    pub trailing: bool,
}

impl Member {
    /// The hash in lower-case hex, as CloudTrail writes `hashValue`.
    pub fn hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

/// Why the first member could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    /// The source failed to deliver bytes: not the object's fault.
    #[error("reading the object failed: {0}")]
    Source(#[source] io::Error),
    /// The object does not start with the gzip magic bytes (an empty object included).
    #[error("not gzip (the object does not start with the gzip magic bytes)")]
    NotGzip,
    /// The gzip data is corrupt, or ends before the member does.
    #[error("corrupt or truncated gzip data: {0}")]
    Corrupt(#[source] io::Error),
    /// More compressed bytes than the limit.
    #[error("larger than {limit} compressed bytes")]
    CompressedTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The member decompresses to more than the limit.
    #[error("decompresses to more than {limit} bytes")]
    DecompressedTooLarge {
        /// The limit.
        limit: u64,
    },
}

impl MemberError {
    /// Whether the bytes might be fine and reading again could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, MemberError::Source(_))
    }
}

const CHUNK: usize = 128 << 10;

/// Buffers of inflated bytes waiting for the hash.
const IN_FLIGHT: usize = 4;

/// Reads `object`'s first gzip member to its end within `limits`, hashing the decompressed
/// bytes and passing each chunk of them to `keep` (a digest keeps its content; a log keeps
/// nothing).
pub fn read_first_member<R: Read>(
    object: R,
    limits: MemberLimits,
    mut keep: impl FnMut(&[u8]),
) -> Result<Member, MemberError> {
    let mut input = BufReader::with_capacity(CHUNK, Metered::new(object, limits.compressed));
    let failed = |input: &BufReader<Metered<R>>, e: io::Error| match input.get_ref().failure() {
        Some(Failure::Limit) => MemberError::CompressedTooLarge {
            limit: limits.compressed,
        },
        Some(Failure::Source) => MemberError::Source(e),
        None => MemberError::Corrupt(e),
    };
    // Two bytes that are not the magic, or nothing at all, are not gzip; a shorter first
    // read is left to the decoder to judge.
    match input.fill_buf() {
        Ok([]) => return Err(MemberError::NotGzip),
        Ok([first, second, ..]) if [*first, *second] != [0x1f, 0x8b] => {
            return Err(MemberError::NotGzip)
        }
        Ok(_) => {}
        Err(e) => return Err(failed(&input, e)),
    }
    let mut decoder = GzDecoder::new(input);
    let mut bytes = 0u64;
    let (sha256, inflated) = std::thread::scope(|scope| {
        // Inflating and hashing each cost about as much; on a machine with a core to spare
        // they overlap, the hash following a few buffers behind. Buffers go round between
        // the two threads, so the member is never held whole.
        let (full, to_hash) = sync_channel::<(Vec<u8>, usize)>(IN_FLIGHT);
        let (spent, to_fill) = sync_channel::<Vec<u8>>(IN_FLIGHT + 1);
        for _ in 0..=IN_FLIGHT {
            // The receiver is alive and the channel has room for every buffer.
            spent.send(vec![0; CHUNK]).ok();
        }
        let hasher = scope.spawn(move || {
            let mut hash = Context::new(&SHA256);
            for (buffer, n) in to_hash {
                hash.update(&buffer[..n]);
                // The inflating side may have stopped (an error); the buffer is then not needed.
                spent.send(buffer).ok();
            }
            hash.finish()
        });
        let inflated = loop {
            let Ok(mut buffer) = to_fill.recv() else {
                break Err(hashing_stopped());
            };
            let n = match read_retrying(&mut decoder, &mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(e) => break Err(failed(decoder.get_ref(), e)),
            };
            bytes += n as u64;
            if bytes > limits.decompressed {
                break Err(MemberError::DecompressedTooLarge {
                    limit: limits.decompressed,
                });
            }
            keep(&buffer[..n]);
            if full.send((buffer, n)).is_err() {
                break Err(hashing_stopped());
            }
        };
        drop(full);
        let digest = hasher.join().map_err(|_| hashing_stopped());
        (digest, inflated)
    });
    inflated?;
    let sha256 = sha256?;
    if decoder.header().is_none() {
        // The magic bytes, then nothing the decoder could take as a header.
        return Err(MemberError::Corrupt(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the gzip header is incomplete",
        )));
    }
    let mut rest = decoder.into_inner();
    let trailing = match rest.fill_buf() {
        Ok(after) => !after.is_empty(),
        Err(e) => return Err(failed(&rest, e)),
    };
    let mut hash = [0; 32];
    hash.copy_from_slice(sha256.as_ref());
    Ok(Member {
        sha256: hash,
        bytes,
        trailing,
    })
}

/// One read into `buffer`, again while the reader is interrupted (a signal, not a failure).
fn read_retrying(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// The hashing thread ended early, which only a panic in it could cause: reported as a
/// failure to read (a retry), never as a verdict on the object.
fn hashing_stopped() -> MemberError {
    MemberError::Source(io::Error::other("the hashing thread stopped"))
}
