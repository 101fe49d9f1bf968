//! The generator behind all synthetic data, and the identifier shapes AWS uses.
//!
//! The generator is ChaCha8 (`rand_chacha::ChaCha8Rng`), seeded from a `u64` with
//! `SeedableRng::seed_from_u64`, and values are drawn with `rand`'s own sampling
//! (`random_range`, `random_ratio`, `choose`, `choose_weighted`). It is seeded, never drawn
//! from the system, because the committed `events/sample-bucket/` and every fixture built from
//! the generator must come out byte for byte the same on every machine and every build.
//! rand_chacha documents ChaCha's output as portable (the same on every platform, checked
//! against the reference vectors) and stable across its versions, and `rand` keeps its sampling
//! portable and changes values only in a new minor (0.x) release. Should an upgrade still
//! change a value, the byte-for-byte test of the sample bucket (`tests/sample_bucket.rs`) fails
//! and the bucket is regenerated, once and on purpose. Eight rounds are plenty: the data must
//! look varied and be reproducible, not resist prediction.
//!
//! [`Rng`] wraps the generator only for this crate's own helpers (identifier alphabets, UUIDs,
//! per-mille chances, seeds from names), which keep the call sites short.

use rand::seq::IndexedRandom;
use rand::{Rng as _, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded ChaCha8 generator.
#[derive(Debug, Clone)]
pub(crate) struct Rng(ChaCha8Rng);

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A generator seeded from text, so that the same names always yield the same identifiers
    /// (an account's role keeps its `AROA…` id in every record).
    pub(crate) fn from_parts(parts: &[&str]) -> Rng {
        // FNV-1a; the separator keeps ("ab","c") apart from ("a","bc").
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0xff)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        Rng::new(hash)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number in `0..n`; `n` must not be 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        self.0.random_range(lo..=hi)
    }

    /// True with probability `per_mille`/1000 (at most 1000).
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.0.random_ratio(per_mille, 1000)
    }

    /// One element of a non-empty constant table.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.0).expect("a non-empty table")
    }

    /// One element of a constant table, by weight; the weights must not all be zero.
    pub(crate) fn pick_weighted<'a, T>(
        &mut self,
        items: &'a [T],
        weight: impl Fn(&T) -> u32,
    ) -> &'a T {
        items
            .choose_weighted(&mut self.0, weight)
            .expect("a table with some weight")
    }

    /// One of several choices with integer weights; the weights must not all be zero.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        self.pick_weighted(items, |(weight, _)| *weight).1
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| char::from(self.pick(alphabet))).collect()
    }

    /// Upper-case letters and digits, the body of IAM unique ids and access key ids.
    pub(crate) fn upper_alnum(&mut self, n: usize) -> String {
        self.chars(UPPER_ALNUM, n)
    }

    /// Mixed-case letters and digits, like the 16-character suffix of a log file name.
    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.chars(ALNUM, n)
    }

    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.chars(LOWER_HEX, n)
    }

    /// Base64 text without padding, for session tokens and encoded failure messages.
    pub(crate) fn base64(&mut self, n: usize) -> String {
        self.chars(BASE64, n)
    }

    /// A random (version 4) UUID in lower case, as CloudTrail writes eventID and most requestIDs.
    pub(crate) fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.0.random())
            .into_uuid()
            .hyphenated()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_different_seeds_differ() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::new(8);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn from_parts_separates_boundaries() {
        let mut ab_c = Rng::from_parts(&["ab", "c"]);
        let mut a_bc = Rng::from_parts(&["a", "bc"]);
        assert_ne!(ab_c.next_u64(), a_bc.next_u64());
    }

    #[test]
    fn ranges_hold() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(3) < 3, "below");
            let x = r.between(5, 9);
            assert!((5..=9).contains(&x), "between gave {x}");
        }
    }

    #[test]
    fn shapes() {
        let mut r = Rng::new(42);
        type Check = fn(char) -> bool;
        let cases: Vec<(&str, String, usize, Check)> = vec![
            ("upper_alnum", r.upper_alnum(17), 17, |c| {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            }),
            ("alnum", r.alnum(16), 16, |c| c.is_ascii_alphanumeric()),
            ("hex", r.hex(12), 12, |c| {
                c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
            }),
            ("base64", r.base64(40), 40, |c| {
                c.is_ascii_alphanumeric() || c == '+' || c == '/'
            }),
        ];
        for (name, text, len, ok) in cases {
            assert_eq!(text.len(), len, "{name} length");
            assert!(text.chars().all(ok), "{name} alphabet: {text}");
        }
        let uuid = r.uuid();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, vec![8, 4, 4, 4, 12], "uuid groups of {uuid}");
        assert_eq!(&uuid[14..15], "4", "uuid version of {uuid}");
        assert!("89ab".contains(&uuid[19..20]), "uuid variant of {uuid}");
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            assert_eq!(r.weighted(&[(0, 'a'), (5, 'b'), (0, 'c')]), 'b');
        }
    }
}
