//! A small deterministic pseudo-random generator and the identifier shapes AWS uses.
//!
//! SplitMix64 is enough here: the data must be reproducible byte for byte from a seed and look
//! varied, not resist prediction. Owning the generator (instead of a crate) keeps the committed
//! sample bucket stable across dependency upgrades.

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_HEX: &[u8] = b"0123456789abcdef";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
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
        Rng(hash)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), by multiply-shift rather than modulo to avoid bias.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `per_mille`/1000.
    pub(crate) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// One element of a non-empty constant table.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len() as u64) as usize;
        items[i]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
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

    /// A version-4-shaped UUID in lower case, as CloudTrail writes eventID and most requestIDs.
    pub(crate) fn uuid(&mut self) -> String {
        let variant = self.pick(&['8', '9', 'a', 'b']);
        format!(
            "{}-{}-4{}-{}{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            variant,
            self.hex(3),
            self.hex(12)
        )
    }

    /// One of several choices with integer weights; the weights must not all be zero.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut ticket = self.below(total);
        for (weight, item) in items {
            let weight = u64::from(*weight);
            if ticket < weight {
                return *item;
            }
            ticket -= weight;
        }
        items[items.len() - 1].1
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
        assert_eq!(r.below(0), 0, "below(0)");
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
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            assert_eq!(r.weighted(&[(0, 'a'), (5, 'b'), (0, 'c')]), 'b');
        }
    }
}
