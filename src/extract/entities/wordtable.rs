//! A word → value table for the word lists, tuned for one lookup per capitalised token:
//! open addressing with linear probing, keys of up to 16 bytes stored inside the slot (one cache
//! line read per lookup, no pointer to follow), longer keys in an ordinary map. Built without
//! one allocation per word.

use super::lexicon::FxMap;

const INLINE: usize = 16;

#[derive(Clone, Copy, Default)]
struct Slot<V> {
    key: [u8; INLINE],
    /// Key length; 0 marks an empty slot.
    len: u8,
    val: V,
}

pub(crate) struct WordTable<V> {
    slots: Vec<Slot<V>>,
    /// `64 - log2(slots.len())`: the slot of a hash is its top bits.
    shift: u32,
    used: usize,
    /// Keys longer than `INLINE` bytes (and the empty key).
    long: FxMap<Box<str>, V>,
}

#[inline]
fn hash(key: &[u8; INLINE], len: usize) -> u64 {
    let lo = u64::from_le_bytes([
        key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
    ]);
    let hi = u64::from_le_bytes([
        key[8], key[9], key[10], key[11], key[12], key[13], key[14], key[15],
    ]);
    let a = lo.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = (hi ^ len as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    (a ^ b.rotate_left(31)).wrapping_mul(0x1656_67B1_9E37_79F9)
}

/// Ask the CPU to fetch the cache line at `p` (a hint: no effect on results).
#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing the program sees; `p` is a valid
    // reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p as *const T as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// A short key, zero-padded (`None` when empty or too long).
#[inline]
fn inline_key(w: &[u8]) -> Option<[u8; INLINE]> {
    if w.is_empty() || w.len() > INLINE {
        return None;
    }
    let mut k = [0u8; INLINE];
    k[..w.len()].copy_from_slice(w);
    Some(k)
}

/// A short key with its hash (see `lower_key`).
pub(crate) struct Key {
    bytes: [u8; INLINE],
    len: usize,
    pub hash: u64,
}

/// The lowercase key of a short ASCII word (`None` for other words: use `get_lower`).
#[inline]
pub(crate) fn lower_key(w: &str) -> Option<Key> {
    let b = w.as_bytes();
    if b.is_empty() || b.len() > INLINE || !w.is_ascii() {
        return None;
    }
    let mut k = [0u8; INLINE];
    for (d, s) in k.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    Some(Key {
        bytes: k,
        len: b.len(),
        hash: hash(&k, b.len()),
    })
}

/// The hash of a word (`None` when empty or longer than the inline size).
#[inline]
pub(crate) fn hash_of(w: &str) -> Option<u64> {
    inline_key(w.as_bytes()).map(|k| hash(&k, w.len()))
}

impl<V: Copy + Default> WordTable<V> {
    /// A table for about `n` keys (it grows if needed): at most 60% full.
    pub fn with_capacity(n: usize) -> Self {
        let size = (n * 5 / 3).next_power_of_two().max(16);
        WordTable {
            slots: vec![Slot::default(); size],
            shift: 64 - size.trailing_zeros(),
            used: 0,
            long: FxMap::default(),
        }
    }

    #[inline]
    fn find(&self, key: &[u8; INLINE], len: usize) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (hash(key, len) >> self.shift) as usize;
        loop {
            let s = &self.slots[i];
            if s.len == 0 {
                return Err(i);
            }
            if s.len as usize == len && s.key == *key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get_inline(&self, key: &[u8; INLINE], len: usize) -> Option<&V> {
        self.find(key, len).ok().map(|i| &self.slots[i].val)
    }

    /// Start fetching the slot of `w` (for loops over many words: prefetch a few words ahead,
    /// so the cache misses of several lookups overlap).
    #[inline]
    pub fn prefetch(&self, w: &str) {
        if let Some(k) = inline_key(w.as_bytes()) {
            prefetch(&self.slots[(hash(&k, w.len()) >> self.shift) as usize]);
        }
    }

    /// `prefetch` for the lowercase form of `w`.
    #[inline]
    pub fn prefetch_lower(&self, w: &str) {
        if let Some(k) = lower_key(w) {
            self.prefetch_key(&k);
        }
    }

    /// `prefetch` for a key from `lower_key`.
    #[inline]
    pub fn prefetch_key(&self, k: &Key) {
        prefetch(&self.slots[(k.hash >> self.shift) as usize]);
    }

    /// `get` for a key from `lower_key` (its hash computed once).
    #[inline]
    pub fn get_key(&self, key: &Key) -> Option<&V> {
        let mask = self.slots.len() - 1;
        let mut i = (key.hash >> self.shift) as usize;
        loop {
            let s = &self.slots[i];
            if s.len == 0 {
                return None;
            }
            if s.len as usize == key.len && s.key == key.bytes {
                return Some(&s.val);
            }
            i = (i + 1) & mask;
        }
    }

    pub fn get(&self, w: &str) -> Option<&V> {
        match inline_key(w.as_bytes()) {
            Some(k) => self.get_inline(&k, w.len()),
            None => self.long.get(w),
        }
    }

    /// The value of the lowercase form of `w` (ASCII lowercased on the fly; `to_lowercase` for
    /// other words).
    #[inline]
    pub fn get_lower(&self, w: &str) -> Option<&V> {
        match lower_key(w) {
            Some(k) => self.get_key(&k),
            None => self.get(&w.to_lowercase()),
        }
    }

    /// The value of `w`, inserted as `V::default()` if absent.
    pub fn entry(&mut self, w: &str) -> &mut V {
        let Some(k) = inline_key(w.as_bytes()) else {
            return self.long.entry(w.into()).or_default();
        };
        if (self.used + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = match self.find(&k, w.len()) {
            Ok(i) => i,
            Err(i) => {
                self.slots[i] = Slot {
                    key: k,
                    len: w.len() as u8,
                    val: V::default(),
                };
                self.used += 1;
                i
            }
        };
        &mut self.slots[i].val
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        self.shift = 64 - size.trailing_zeros();
        for s in old {
            if s.len != 0
                && let Err(i) = self.find(&s.key, s.len as usize)
            {
                self.slots[i] = s;
            }
        }
    }

    /// Every key and value (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.slots
            .iter()
            .filter(|s| s.len != 0)
            .filter_map(|s| Some((std::str::from_utf8(&s.key[..s.len as usize]).ok()?, &s.val)))
            .chain(self.long.iter().map(|(k, v)| (&**k, v)))
    }

    pub fn len(&self) -> usize {
        self.used + self.long.len()
    }

    /// Heap bytes (the long keys' map estimated).
    pub fn memory_usage(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot<V>>()
            + self
                .long
                .keys()
                .map(|k| k.len() + 16 + std::mem::size_of::<V>())
                .sum::<usize>()
    }
}

/// What `Lexicon::annotate` reads about a capitalised word, under its lowercase form: the
/// lowercase word's entry (Zipf frequency, title and context flags) and the one exact-case
/// spelling that the exact-case table lists for it, if any (which letters are capitals, its flags
/// and gazetteer entry).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct WordInfo {
    pub zipf: f32,
    pub lower_flags: u32,
    /// Flags of the exact-case spelling, or `MANY` (more than one spelling: ask the exact-case
    /// table).
    pub cased_flags: u16,
    /// Bit `i` set when byte `i` of the exact-case spelling is a capital; `u16::MAX` when there is
    /// none (then `cased_flags` is 0 and `gaz` is `u32::MAX`: applying them changes nothing).
    pub mask: u16,
    pub gaz: u32,
}

/// `WordInfo::cased_flags` of a word with several exact-case spellings.
pub(crate) const MANY: u16 = 1 << 15;

impl Default for WordInfo {
    fn default() -> Self {
        WordInfo {
            zipf: 0.0,
            lower_flags: 0,
            cased_flags: 0,
            mask: u16::MAX,
            gaz: u32::MAX,
        }
    }
}

/// One slot: half a cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct InfoSlot {
    /// The lowercase word, zero-padded (all zero: empty slot).
    key: [u8; INLINE],
    info: WordInfo,
}

/// The key of an ASCII alphanumeric word of up to 16 bytes: its lowercase form, hash and
/// capitals.
pub(crate) struct FoldedKey {
    bytes: [u8; INLINE],
    hash: u64,
    /// Bit `i` set when byte `i` is a capital.
    pub mask: u16,
}

/// The folded key of `w`, or `None` when it is empty, longer than 16 bytes or not ASCII
/// alphanumeric (tokens are alphanumeric runs: only the ASCII test matters for them).
/// Eight bytes at a time (this runs once per capitalised token).
#[inline]
pub(crate) fn folded_key(w: &[u8]) -> Option<FoldedKey> {
    if w.is_empty() || w.len() > INLINE {
        return None;
    }
    let mut k = [0u8; INLINE];
    k[..w.len()].copy_from_slice(w);
    let lo = u64::from_le_bytes([k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]]);
    let hi = u64::from_le_bytes([k[8], k[9], k[10], k[11], k[12], k[13], k[14], k[15]]);
    if (lo | hi) & HIGH_BITS != 0 {
        return None;
    }
    let (lo, lo_caps) = fold8(lo);
    let (hi, hi_caps) = fold8(hi);
    k[..8].copy_from_slice(&lo.to_le_bytes());
    k[8..].copy_from_slice(&hi.to_le_bytes());
    Some(FoldedKey {
        bytes: k,
        hash: hash(&k, w.len()),
        mask: lo_caps as u16 | (hi_caps as u16) << 8,
    })
}

/// The top bit of each byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Eight ASCII bytes (top bits clear) lowercased, and a bit per capital (bit `i` for byte `i`).
#[inline]
fn fold8(x: u64) -> (u64, u8) {
    // with the top bits clear no byte sum carries into the next byte: the top bit of a byte of
    // `x + 0x3f..` is set when the byte is >= b'A', of `x + 0x25..` when it is > b'Z'
    let capitals = x.wrapping_add(0x3f3f_3f3f_3f3f_3f3f) & !x.wrapping_add(0x2525_2525_2525_2525);
    let capitals = capitals & HIGH_BITS;
    let mask = crate::text::byte_flags_to_bits(capitals >> 7);
    // a capital's 0x20 bit set: its lowercase letter
    (x | capitals >> 2, mask)
}

/// `folded_key` a byte at a time: what the word-at-a-time version is tested against.
#[cfg(test)]
fn folded_key_bytewise(w: &[u8]) -> Option<FoldedKey> {
    if w.is_empty() || w.len() > INLINE {
        return None;
    }
    let mut k = [0u8; INLINE];
    let mut mask = 0u16;
    let mut high = 0u8;
    for (j, (d, &b)) in k.iter_mut().zip(w).enumerate() {
        high |= b;
        let up = b.is_ascii_uppercase();
        mask |= (up as u16) << j;
        *d = b | ((up as u8) << 5);
    }
    if high >= 0x80 {
        return None;
    }
    Some(FoldedKey {
        bytes: k,
        hash: hash(&k, w.len()),
        mask,
    })
}

/// Lowercase word → `WordInfo`, for the ASCII alphanumeric words of up to 16 bytes: one slot read
/// per capitalised token instead of one in each table.
pub(crate) struct InfoTable {
    slots: Vec<InfoSlot>,
    shift: u32,
}

impl InfoTable {
    /// An empty table for at most `n` keys (at most 8/9 full then; less with fewer keys).
    pub fn with_bound(n: usize) -> InfoTable {
        let size = (n + n / 8 + 1).next_power_of_two().max(16);
        InfoTable {
            slots: vec![InfoSlot::default(); size],
            shift: 64 - size.trailing_zeros(),
        }
    }

    /// The value of `k` (from `folded_key` of a lowercase word), inserted as
    /// `WordInfo::default()` if absent. At most the table's bound of keys may be inserted.
    pub fn entry(&mut self, k: &FoldedKey) -> &mut WordInfo {
        let mask = self.slots.len() - 1;
        let mut i = (k.hash >> self.shift) as usize;
        loop {
            if self.slots[i].key == k.bytes {
                break;
            }
            if self.slots[i].key[0] == 0 {
                self.slots[i] = InfoSlot {
                    key: k.bytes,
                    info: WordInfo::default(),
                };
                break;
            }
            i = (i + 1) & mask;
        }
        &mut self.slots[i].info
    }

    /// Start fetching the slot of `k` (see `WordTable::prefetch`).
    #[inline]
    pub fn prefetch(&self, k: &FoldedKey) {
        prefetch(&self.slots[(k.hash >> self.shift) as usize]);
    }

    #[inline]
    pub fn get(&self, k: &FoldedKey) -> Option<&WordInfo> {
        let mask = self.slots.len() - 1;
        let mut i = (k.hash >> self.shift) as usize;
        loop {
            let s = &self.slots[i];
            if s.key == k.bytes {
                return Some(&s.info);
            }
            if s.key[0] == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    pub fn memory_usage(&self) -> usize {
        self.slots.len() * std::mem::size_of::<InfoSlot>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_keys_word_at_a_time_agree_with_byte_at_a_time() {
        let key = |w: &[u8]| folded_key(w).map(|k| (k.bytes, k.hash, k.mask));
        let bytewise = |w: &[u8]| folded_key_bytewise(w).map(|k| (k.bytes, k.hash, k.mask));
        // every byte at every position, in words of every length (and a few too long)
        let mut checked = 0;
        for len in 0..=18usize {
            for pos in 0..len.max(1) {
                for b in 0..=255u8 {
                    let mut w: Vec<u8> = (0..len).map(|i| b"aZ0mQz9A@[`{"[i % 12]).collect();
                    if len > 0 {
                        w[pos] = b;
                    }
                    assert!(key(&w) == bytewise(&w), "{w:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 40_000);
        let k = folded_key(b"McDonaldSQ").unwrap();
        assert_eq!(&k.bytes[..10], b"mcdonaldsq");
        assert_eq!(k.mask, 0b11_0000_0101);
        assert!(folded_key("Zürich".as_bytes()).is_none());
    }

    #[test]
    fn inserts_finds_and_grows() {
        let mut t: WordTable<u32> = WordTable::with_capacity(2);
        let words: Vec<String> = (0..1000).map(|i| format!("w{i}")).collect();
        for (i, w) in words.iter().enumerate() {
            *t.entry(w) = i as u32;
        }
        *t.entry("a-very-long-word-of-many-bytes") = 7;
        *t.entry("") = 8;
        for (i, w) in words.iter().enumerate() {
            assert_eq!(t.get(w), Some(&(i as u32)));
        }
        assert_eq!(t.get("a-very-long-word-of-many-bytes"), Some(&7));
        assert_eq!(t.get(""), Some(&8));
        assert_eq!(t.get("w1000"), None);
        assert_eq!(t.len(), 1002);
        assert_eq!(t.iter().count(), 1002);
        *t.entry("london") += 1;
        assert_eq!(t.get_lower("London"), Some(&1));
        assert_eq!(t.get_lower("LONDON"), Some(&1));
        *t.entry("zürich") = 3;
        assert_eq!(t.get_lower("ZÜRICH"), Some(&3));
        assert_eq!(t.get("London"), None);
    }
}
