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

#[cfg(test)]
mod tests {
    use super::*;

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
