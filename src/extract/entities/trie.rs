//! A compact byte trie for anchored longest-prefix lookups: "which is the longest gazetteer name
//! that the text starting here begins with?". That is all the gazetteer needs (every name starts
//! at a token), so the failure links of an Aho-Corasick automaton are not needed; the trie is built
//! from the sorted names in one pass, in a few milliseconds.
//!
//! Layout: nodes of 16 bytes in breadth-first order; the children of a node are consecutive
//! nodes, sorted by byte, each with its byte (four children per cache line: finding the child
//! and reading it is mostly one cache miss). The root's children are found through a 256-entry table. Where only one key
//! remains below a node, the rest of it is stored as a byte string (a "tail") compared at once,
//! instead of one node per byte.

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Node {
    /// The byte leading to this node.
    label: u8,
    /// Index of the first child, or for a tail node the offset of its tail in `tails`.
    first: u32,
    /// Number of children (0 for a tail node).
    count: u16,
    /// Length of the tail (0 for other nodes).
    tail: u16,
    /// Value of the key ending at this node (after its tail), or `NONE`.
    value: u32,
}

pub(crate) struct Trie {
    nodes: Vec<Node>,
    /// Child of the root for each first byte, or `NONE`.
    root: Box<[u32; 256]>,
    /// The tails of tail nodes, end to end.
    tails: Vec<u8>,
}

impl Trie {
    /// Build from `(key, value)` pairs. Keys must be unique and non-empty; their order does not
    /// matter (they are sorted here).
    pub fn build(mut items: Vec<(&[u8], u32)>) -> Trie {
        items.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut t = Trie {
            nodes: Vec::with_capacity(items.len() * 2),
            root: Box::new([NONE; 256]),
            tails: Vec::new(),
        };
        // node 0 is the root itself (never reached by a label)
        t.nodes.push(Node {
            label: 0,
            first: 0,
            count: 0,
            tail: 0,
            value: NONE,
        });
        // breadth first, so the top levels (read by every lookup) sit together in memory
        let mut queue: std::collections::VecDeque<(usize, usize, usize, usize)> =
            std::collections::VecDeque::new();
        if !items.is_empty() {
            queue.push_back((0, items.len(), 0, 0));
        }
        while let Some((lo, hi, depth, node)) = queue.pop_front() {
            let first = t.nodes.len();
            let mut i = lo;
            while i < hi {
                let b = items[i].0[depth];
                let mut j = i + 1;
                while j < hi && items[j].0[depth] == b {
                    j += 1;
                }
                let child = t.nodes.len();
                let key = items[i].0;
                if j == i + 1 && key.len() > depth + 1 && key.len() - depth - 1 <= u16::MAX as usize
                {
                    // the only key below: its rest is the tail
                    let rest = &key[depth + 1..];
                    t.nodes.push(Node {
                        label: b,
                        first: t.tails.len() as u32,
                        count: 0,
                        tail: rest.len() as u16,
                        value: items[i].1,
                    });
                    t.tails.extend_from_slice(rest);
                } else {
                    // sorted: the key that ends at the child comes first in its group
                    let mut k = i;
                    let mut value = NONE;
                    if key.len() == depth + 1 {
                        value = items[k].1;
                        k += 1;
                    }
                    t.nodes.push(Node {
                        label: b,
                        first: 0,
                        count: 0,
                        tail: 0,
                        value,
                    });
                    if k < j {
                        queue.push_back((k, j, depth + 1, child));
                    }
                }
                i = j;
            }
            t.nodes[node].first = first as u32;
            t.nodes[node].count = (t.nodes.len() - first) as u16;
        }
        t.nodes.shrink_to_fit();
        t.tails.shrink_to_fit();
        let (first, count) = (t.nodes[0].first, t.nodes[0].count);
        for c in first..first + count as u32 {
            t.root[t.nodes[c as usize].label as usize] = c;
        }
        t
    }

    /// The longest key that `hay` starts with: its length and value.
    #[inline]
    pub fn longest_prefix(&self, hay: &[u8]) -> Option<(usize, u32)> {
        let (&b0, rest) = hay.split_first()?;
        let mut node = self.root[b0 as usize];
        if node == NONE {
            return None;
        }
        let mut best = None;
        let mut len = 1;
        loop {
            let n = self.nodes[node as usize];
            if n.tail > 0 {
                let tail = &self.tails[n.first as usize..n.first as usize + n.tail as usize];
                return match rest.get(len - 1..) {
                    Some(r) if r.starts_with(tail) => Some((len + tail.len(), n.value)),
                    _ => best,
                };
            }
            if n.value != NONE {
                best = Some((len, n.value));
            }
            if n.count == 0 || len > rest.len() {
                return best;
            }
            let b = rest[len - 1];
            let (first, count) = (n.first as usize, n.count as usize);
            let children = &self.nodes[first..first + count];
            // children are sorted by byte: a binary search where there are many
            let found = if count <= 8 {
                children.iter().position(|c| c.label == b)
            } else {
                children.binary_search_by(|c| c.label.cmp(&b)).ok()
            };
            match found {
                Some(k) => node = (first + k) as u32,
                None => return best,
            }
            len += 1;
        }
    }

    /// Heap bytes.
    pub fn memory_usage(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.tails.capacity() + 256 * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trie(keys: &[&'static str]) -> Trie {
        Trie::build(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.as_bytes(), i as u32))
                .collect(),
        )
    }

    #[test]
    fn longest_prefix_is_the_longest_key_the_text_starts_with() {
        let t = trie(&["New", "New York", "New York City", "Newark", "N", "York"]);
        let f = |s: &str| t.longest_prefix(s.as_bytes());
        assert_eq!(f("New Yorkers"), Some((8, 1)));
        assert_eq!(f("New York City Hall"), Some((13, 2)));
        assert_eq!(f("New Yor"), Some((3, 0)));
        assert_eq!(f("Newa"), Some((3, 0)));
        assert_eq!(f("Newark"), Some((6, 3)));
        assert_eq!(f("Nx"), Some((1, 4)));
        assert_eq!(f("York"), Some((4, 5)));
        assert_eq!(f("Yor"), None);
        assert_eq!(f(""), None);
        assert_eq!(f("x"), None);
    }

    #[test]
    fn agrees_with_a_brute_force_search() {
        let keys = [
            "a", "ab", "abc", "abd", "b", "ba", "bab", "c", "ca", "cab", "é", "éa",
        ];
        let t = trie(&keys);
        let texts = ["", "a", "abcd", "abx", "babab", "cabbage", "éab", "x", "ca"];
        for s in texts {
            let brute = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| s.as_bytes().starts_with(k.as_bytes()))
                .max_by_key(|(_, k)| k.len())
                .map(|(i, k)| (k.len(), i as u32));
            assert_eq!(t.longest_prefix(s.as_bytes()), brute, "{s}");
        }
    }
}
