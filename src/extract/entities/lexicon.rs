//! Everything the entity stage reads from `rules/`, compiled once: the gazetteer name tries, the
//! word lists (first names, common words, titles, heads, context words) and legal suffixes.

use std::sync::{Arc, OnceLock};

use super::trie::Trie;
use super::wordtable::{FoldedKey, InfoTable, MANY, WordTable, folded_key, hash_of, lower_key};

pub(crate) use crate::extract::fx::{FxMap, FxSet};

use crate::annotations::RuleId;
use crate::rules::{RuleError, RuleSet};

// Word flags, set on each token once (see `Lexicon::annotate`).
pub(crate) const W_FIRST: u32 = 1;
pub(crate) const W_NONENT: u32 = 1 << 1;
pub(crate) const W_TITLE1: u32 = 1 << 2;
pub(crate) const W_TITLEW: u32 = 1 << 3;
pub(crate) const W_HEAD_LAST: u32 = 1 << 4;
pub(crate) const W_HEAD_FIRST: u32 = 1 << 5;
pub(crate) const W_HEAD_OF: u32 = 1 << 6;
pub(crate) const W_PVERB: u32 = 1 << 7;
pub(crate) const W_LPREP: u32 = 1 << 8;
pub(crate) const W_SPORT: u32 = 1 << 9;
pub(crate) const W_GAZ: u32 = 1 << 10;
pub(crate) const W_GAZ_STRONG: u32 = 1 << 11;
pub(crate) const W_GAZ_AMBIG: u32 = 1 << 12;
pub(crate) const W_GAZ_NORP_ORG: u32 = 1 << 13;
/// `X shares`, `X spokesman`: the word after an organisation's name.
pub(crate) const W_ORG_AFTER: u32 = 1 << 16;
/// A longer gazetteer name starts with this exact word (`New` of `New York`, `Indo` of
/// `Indo-Pacific`): a trie lookup is worth trying. A word that is a name but starts no longer
/// one (`W_GAZ` alone) is its own longest name there, found without the trie.
pub(crate) const W_NSTART: u32 = 1 << 14;

/// Bits of `Lexicon::cased_bits` (a power of two).
const CASED_BITS: usize = 1 << 20;

/// The bit of `Lexicon::cased_bits` for a lowercase word's hash.
#[inline]
fn cased_bit(h: u64) -> usize {
    (h >> (64 - CASED_BITS.trailing_zeros())) as usize
}

/// Least `max_frequency` (nam_dict scale) for a first name to count.
const MIN_FIRST_NAME_FREQ: u32 = 2;

/// What the word lists say about a lowercase word.
#[derive(Clone, Copy, Default)]
pub(crate) struct Lower {
    /// Zipf frequency (0 when not a common word).
    pub zipf: f32,
    /// Title and context flags.
    pub flags: u32,
}

/// What the word lists say about an exact-case word.
#[derive(Clone, Copy)]
pub(crate) struct Cased {
    /// `W_FIRST`, `W_NONENT`, head and gazetteer flags.
    pub flags: u32,
    /// Gazetteer entry of the word alone, or `u32::MAX`.
    pub gaz: u32,
    /// First-name frequency (nam_dict scale), 0 when not a kept first name.
    pub first_freq: u32,
}

impl Default for Cased {
    fn default() -> Self {
        Cased {
            flags: 0,
            gaz: u32::MAX,
            first_freq: 0,
        }
    }
}

/// One gazetteer table: its file, rule id and priority (lower wins a tie of equal spans).
pub(crate) struct Table {
    pub file: &'static str,
    pub rule: &'static str,
    pub priority: u8,
    /// Strong tables are trusted at the start of a sentence and in any context.
    pub strong: bool,
}

/// Gazetteer tables in precedence order: when two tables list the same name, the first wins.
pub(crate) const TABLES: &[Table] = &[
    Table {
        file: "gazetteers/hand/aliases.tsv",
        rule: "gaz.aliases",
        priority: 2,
        strong: true,
    },
    Table {
        file: "gazetteers/hand/organisations.tsv",
        rule: "gaz.orgs",
        priority: 2,
        strong: true,
    },
    Table {
        file: "gazetteers/hand/norp.tsv",
        rule: "gaz.norp",
        priority: 2,
        strong: true,
    },
    Table {
        file: "gazetteers/hand/events.tsv",
        rule: "gaz.events",
        priority: 2,
        strong: true,
    },
    Table {
        file: "gazetteers/countries.tsv",
        rule: "gaz.countries",
        priority: 3,
        strong: true,
    },
    Table {
        file: "gazetteers/demonyms.tsv",
        rule: "gaz.demonyms",
        priority: 3,
        strong: true,
    },
    Table {
        file: "gazetteers/continents.tsv",
        rule: "gaz.continents",
        priority: 3,
        strong: true,
    },
    Table {
        file: "gazetteers/subdivisions.tsv",
        rule: "gaz.subdivisions",
        priority: 5,
        strong: false,
    },
    Table {
        file: "gazetteers/cities.tsv",
        rule: "gaz.cities",
        priority: 5,
        strong: false,
    },
    Table {
        file: "gazetteers/companies.tsv",
        rule: "gaz.companies",
        priority: 5,
        strong: false,
    },
];

/// An entry's canonical name and id as shared strings.
pub(crate) struct SharedNames {
    pub canonical: Arc<str>,
    pub kb_id: Option<Arc<str>>,
}

/// A gazetteer entry (one surface form).
pub(crate) struct Entry {
    pub label: &'static str,
    /// Canonical name: a byte range of `Lexicon::strings`.
    canonical: (u32, u32),
    /// Knowledge-base id (a range of `Lexicon::strings`, empty when none).
    kb_id: (u32, u32),
    pub table: u8,
    /// The name is also a first name (`Jordan`, `Georgia`): person context can override it.
    pub ambiguous: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum HeadWhere {
    Last,
    BeforeOf,
    First,
}

pub(crate) struct Head {
    pub label: &'static str,
    pub rule: RuleId,
}

pub(crate) fn label_of(s: &str) -> Option<&'static str> {
    Some(match s {
        "PERSON" => "PERSON",
        "ORG" => "ORG",
        "GPE" => "GPE",
        "LOC" => "LOC",
        "NORP" => "NORP",
        "FAC" => "FAC",
        "EVENT" => "EVENT",
        "LAW" => "LAW",
        "PRODUCT" => "PRODUCT",
        _ => return None,
    })
}

pub(crate) struct Lexicon {
    /// Exact-case trie over every gazetteer name (value: entry index).
    pub exact: Trie,
    /// The same names upper-cased, looked up only on ALL-CAPS lines and words.
    pub upper: Trie,
    pub entries: Vec<Entry>,
    /// Canonical names and ids of `entries`, end to end.
    strings: String,
    /// Each entry's canonical name and id as shared strings, made on first use: a mention
    /// then costs a reference count, not an allocation.
    shared: Vec<OnceLock<SharedNames>>,
    pub table_rules: Vec<RuleId>,
    /// Titles as token sequences (lowercase, without periods).
    pub titles: FxSet<Box<str>>,
    pub max_title_words: usize,
    /// Head words by position: last, before_of, first.
    pub heads: [FxMap<Box<str>, Head>; 3],
    /// Legal suffixes, lowercase, longest first.
    pub legal: Vec<Box<str>>,
    /// Indexes into `legal` by lowercase first byte.
    pub legal_by_byte: Vec<Vec<u32>>,
    /// The same by lowercase (first byte, second byte): the suffixes starting with those two
    /// bytes and the one-byte suffix of the first, in `legal` order.
    legal_by_pair: FxMap<u16, Box<[u32]>>,
    /// A bit per (first byte, lowercase second byte) that some legal suffix starts with: most
    /// capitalised words need no comparison at all.
    legal_pairs: Vec<u64>,
    /// Lowercase word → Zipf frequency and flags (common words, titles, context words).
    pub lower: WordTable<Lower>,
    /// Exact-case word → flags and gazetteer entry (first names, heads, non-entities, names).
    pub cased: WordTable<Cased>,
    /// `lower` and `cased` in one table for the short ASCII words (read by `annotate`).
    info: InfoTable,
    /// The title and context flags alone, for lowercase tokens (small, stays in cache).
    pub ctx_info: WordTable<u32>,
    /// Per first byte, a bit per word length (< 32) present in `ctx_info`: most lowercase
    /// tokens need no lookup at all.
    pub ctx_filter: Vec<u32>,
    /// The same filter for the sports words alone (the sports rule scans whole lines).
    pub sport_filter: Vec<u32>,
    /// The same filter for the first words of names that do not start with a capital.
    pub lname_filter: Box<[u32; 256]>,
    /// A bit per hash of the lowercase form of each `cased` word.
    cased_bits: Vec<u64>,
    pub build_ms: f64,
    /// Rule ids, kinds, sources and entry counts for `rules list`.
    pub infos: Vec<crate::extract::RuleInfo>,
    /// Heap bytes of the two tries alone.
    pub trie_bytes: usize,
    pub heap_bytes: usize,
}

/// The first alphanumeric run of a name (`U.S.` → `U`, `Indo-Pacific` → `Indo`).
pub(crate) fn first_word(name: &str) -> &str {
    let end = name
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(name.len());
    &name[..end]
}

/// Field `k` of a tab-separated line.
fn field(text: &str, k: usize) -> Option<&str> {
    text.split('\t').nth(k)
}

fn words(rules: &RuleSet, file: &str) -> FxSet<Box<str>> {
    rules
        .lines(file)
        .filter_map(|l| l.fields().first().map(|w| Box::<str>::from(w.trim())))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Lexicon {
    pub fn new(rules: &RuleSet) -> Result<Self, RuleError> {
        let t0 = std::time::Instant::now();

        // common words first: the first-name and city rules below ask for their frequency
        // The loops below parse a file first, then look its words up with the slots of the
        // word `AHEAD` places on already requested (`prefetch`): the tables are larger than
        // the caches, and the misses of several lookups then overlap.
        const AHEAD: usize = 16;
        let mut lower: WordTable<Lower> = WordTable::with_capacity(40_000);
        let common: Vec<(&str, f32)> = rules
            .lines("gazetteers/common_words.tsv")
            .filter_map(|l| {
                let z = field(l.text, 1)?.trim().parse::<f32>().ok()?;
                Some((field(l.text, 0).unwrap_or("").trim(), z))
            })
            .collect();
        for (i, &(w, z)) in common.iter().enumerate() {
            if let Some(&(a, _)) = common.get(i + AHEAD) {
                lower.prefetch(a);
            }
            lower.entry(w).zipf = z;
        }
        let n_common = lower.len();
        let zipf_of =
            |lower: &WordTable<Lower>, w: &str| lower.get_lower(w).map_or(0.0, |l| l.zipf);
        let mut cased: WordTable<Cased> = WordTable::with_capacity(76_000);
        let mut n_first = 0usize;
        // rare spellings add noise: keep names seen at least moderately often somewhere
        let firsts: Vec<(&str, u32)> = rules
            .lines("gazetteers/first_names.tsv")
            .filter_map(|l| {
                let freq: u32 = field(l.text, 2)
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(0);
                (freq >= MIN_FIRST_NAME_FREQ).then(|| (field(l.text, 0).unwrap_or("").trim(), freq))
            })
            .collect();
        for (i, &(name, freq)) in firsts.iter().enumerate() {
            if let Some(&(a, _)) = firsts.get(i + AHEAD) {
                lower.prefetch_lower(a);
                cased.prefetch(a);
            }
            // `The`, `Will`, `And` are in the name list but are words first
            let word = zipf_of(&lower, name) >= 6.0;
            let c = cased.entry(name);
            n_first += (c.first_freq == 0) as usize;
            c.first_freq = freq;
            if !word {
                c.flags |= W_FIRST;
            }
        }

        // every line of every table, in precedence order: (name, canonical, id, label, table)
        #[derive(Clone, Copy)]
        struct Line<'r> {
            name: &'r str,
            canonical: &'r str,
            id: &'r str,
            label: &'static str,
            table: u8,
            ambiguous: bool,
        }
        let mut raw: Vec<(Line, u64)> = Vec::with_capacity(64 * 1024);
        let mut table_rules = Vec::new();
        for (ti, table) in TABLES.iter().enumerate() {
            table_rules.push(RuleId::from(table.rule));
            if rules.is_disabled(table.rule) {
                continue;
            }
            for line in rules.lines(table.file) {
                let mut f = [""; 5];
                let mut nf = 0;
                for (k, x) in line.text.split('\t').enumerate() {
                    if k < f.len() {
                        f[k] = x;
                    }
                    nf += 1;
                }
                if nf < 4 {
                    return Err(line.error("expected name, canonical, id, label"));
                }
                let name = f[0].trim();
                let label = label_of(f[3].trim())
                    .ok_or_else(|| line.error(format!("unknown label {:?}", f[3])))?;
                if name.is_empty() {
                    continue;
                }
                let canonical = if f[1].trim().is_empty() {
                    name
                } else {
                    f[1].trim()
                };
                let pop: u64 = if table.rule == "gaz.cities" {
                    f[4].trim().parse().unwrap_or(0)
                } else {
                    0
                };
                raw.push((
                    Line {
                        name,
                        canonical,
                        id: f[2].trim(),
                        label,
                        table: ti as u8,
                        ambiguous: false,
                    },
                    pop,
                ));
            }
        }
        let mut lines: Vec<Line> = Vec::with_capacity(raw.len());
        for i in 0..raw.len() {
            if let Some((a, _)) = raw.get(i + AHEAD) {
                cased.prefetch(a.name);
                if a.name != a.canonical {
                    lower.prefetch_lower(a.name);
                }
            }
            let (mut l, pop) = raw[i];
            let table = &TABLES[l.table as usize];
            let freq = cased.get(l.name).map_or(0, |c| c.first_freq);
            // a name that is also a common first name: `Jordan`, `Georgia` (not `France`)
            l.ambiguous = freq > 0 && (!table.strong || (l.label == "GPE" && freq >= 8));
            if table.rule == "gaz.cities" {
                let alternate = l.name != l.canonical;
                // alternate spellings that are words or first names (`Soul` for Seoul) and
                // small towns named like people (`Anna`, `Graham`) do more harm than good
                let drop = if alternate {
                    freq > 0 || zipf_of(&lower, l.name) >= 3.5
                } else {
                    freq > 0 && pop < 100_000
                };
                if drop {
                    continue;
                }
            }
            lines.push(l);
        }
        // when two lines list the same name, the first wins: sort by name, keep the first of
        // each run (the sorted order is also what the trie is built from)
        let mut order: Vec<(&str, u32)> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name, i as u32))
            .collect();
        order.sort_unstable();
        let mut keep = vec![false; lines.len()];
        for (k, &(name, i)) in order.iter().enumerate() {
            keep[i as usize] = k == 0 || order[k - 1].0 != name;
        }
        // entry index of each kept line, in table order
        let mut entry_of = vec![u32::MAX; lines.len()];
        let mut entries: Vec<Entry> = Vec::with_capacity(lines.len());
        let mut names: Vec<&str> = Vec::with_capacity(lines.len());
        let mut strings = String::with_capacity(lines.len() * 24);
        let mut push_str = |s: &str| {
            let a = strings.len() as u32;
            strings.push_str(s);
            (a, strings.len() as u32)
        };
        for (i, l) in lines.iter().enumerate() {
            if !keep[i] {
                continue;
            }
            entry_of[i] = entries.len() as u32;
            entries.push(Entry {
                label: l.label,
                canonical: push_str(l.canonical),
                kb_id: push_str(l.id),
                table: l.table,
                ambiguous: l.ambiguous,
            });
            names.push(l.name);
        }
        let exact_items: Vec<(&[u8], u32)> = order
            .iter()
            .filter(|&&(_, i)| keep[i as usize])
            .map(|&(name, i)| (name.as_bytes(), entry_of[i as usize]))
            .collect();
        let names = &names;
        let build_upper = move || {
            // upper-cased names end to end, then sorted; the first entry of each spelling wins
            let mut arena: Vec<u8> = Vec::with_capacity(names.iter().map(|n| n.len()).sum());
            let mut spans: Vec<(u32, u32, u32)> = Vec::with_capacity(names.len());
            for (i, n) in names.iter().enumerate() {
                // an acronym (`US`, `WHO`) read in a caps line is too ambiguous (`WHO`, `US`, `IT`)
                if n.len() > 1 && n.chars().all(|c| !c.is_lowercase()) && n.len() <= 4 {
                    continue;
                }
                let a = arena.len() as u32;
                if n.is_ascii() {
                    arena.extend(n.bytes().map(|b| b.to_ascii_uppercase()));
                } else {
                    let mut buf = [0u8; 4];
                    for u in n.chars().flat_map(char::to_uppercase) {
                        arena.extend_from_slice(u.encode_utf8(&mut buf).as_bytes());
                    }
                }
                spans.push((a, arena.len() as u32, i as u32));
            }
            let key = |s: &(u32, u32, u32)| &arena[s.0 as usize..s.1 as usize];
            spans.sort_unstable_by(|a, b| key(a).cmp(key(b)).then(a.2.cmp(&b.2)));
            spans.dedup_by(|b, a| key(a) == key(b));
            Trie::build(spans.iter().map(|s| (key(s), s.2)).collect())
        };
        std::thread::scope(|s| -> Result<Self, RuleError> {
            let hx = s.spawn(move || Trie::build(exact_items));
            let hu = s.spawn(build_upper);

            let mut titles: FxSet<Box<str>> = FxSet::default();
            let mut title_words: FxSet<Box<str>> = FxSet::default();
            let mut max_title_words = 1;
            for l in rules.lines("entities/titles.tsv") {
                let t = l.fields()[0].trim().to_lowercase().replace('.', "");
                let t = t.replace('-', " ");
                max_title_words = max_title_words.max(t.split(' ').count());
                for w in t.split(' ') {
                    title_words.insert(Box::<str>::from(w));
                }
                titles.insert(Box::<str>::from(t));
            }

            let mut heads: [FxMap<Box<str>, Head>; 3] = Default::default();
            for l in rules.lines("entities/heads.tsv") {
                let f = l.fields();
                if f.len() < 4 {
                    return Err(l.error("expected word, where, label, rule id"));
                }
                let w = match f[1].trim() {
                    "last" => HeadWhere::Last,
                    "before_of" => HeadWhere::BeforeOf,
                    "first" => HeadWhere::First,
                    other => return Err(l.error(format!("unknown position {other:?}"))),
                };
                let label = label_of(f[2].trim()).ok_or_else(|| l.error("unknown label"))?;
                let rule = f[3].trim();
                if rules.is_disabled(rule) {
                    continue;
                }
                heads[w as usize].insert(
                    Box::<str>::from(f[0].trim()),
                    Head {
                        label,
                        rule: RuleId::from(rule),
                    },
                );
            }

            let mut org_after: FxSet<Box<str>> = FxSet::default();
            let mut person_verbs = FxSet::default();
            let mut loc_preps = FxSet::default();
            let mut sports = FxSet::default();
            for l in rules.lines("entities/context.tsv") {
                let f = l.fields();
                let w: Box<str> = f[0].trim().into();
                match f.get(1).map(|s| s.trim()) {
                    Some("person_verb") => person_verbs.insert(w),
                    Some("loc_prep") => loc_preps.insert(w),
                    Some("sports") => sports.insert(w),
                    Some("org_after") => org_after.insert(w),
                    _ => {
                        return Err(
                            l.error("expected word <TAB> person_verb|loc_prep|sports|org_after")
                        );
                    }
                };
            }
            let non_entities = words(rules, "entities/non_entities.tsv");
            let mut legal: Vec<Box<str>> = rules
                .lines("gazetteers/legal_suffixes.tsv")
                .map(|l| Box::<str>::from(l.fields()[0].trim().to_lowercase()))
                .filter(|s| !s.is_empty())
                .collect();
            legal.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            legal.dedup();
            let mut legal_by_byte: Vec<Vec<u32>> = vec![Vec::new(); 256];
            for (i, l) in legal.iter().enumerate() {
                legal_by_byte[l.as_bytes()[0] as usize].push(i as u32);
            }
            let mut by_pair: FxMap<u16, Vec<u32>> = FxMap::default();
            for (i, l) in legal.iter().enumerate() {
                let b = l.as_bytes();
                match b.get(1) {
                    Some(&b1) => {
                        let k = (b[0] as u16) << 8 | b1.to_ascii_lowercase() as u16;
                        by_pair.entry(k).or_default().push(i as u32);
                    }
                    None => {
                        for b1 in 0..=255u16 {
                            let k = (b[0] as u16) << 8 | b1;
                            by_pair.entry(k).or_default().push(i as u32);
                        }
                    }
                }
            }
            let legal_by_pair: FxMap<u16, Box<[u32]>> = by_pair
                .into_iter()
                .map(|(k, v)| (k, v.into_boxed_slice()))
                .collect();
            let mut legal_pairs = vec![0u64; 256 * 256 / 64];
            for l in &legal {
                let b = l.as_bytes();
                let seconds = match b.get(1) {
                    Some(&b1) => {
                        b1.to_ascii_lowercase() as usize..b1.to_ascii_lowercase() as usize + 1
                    }
                    None => 0..256,
                };
                for b1 in seconds {
                    let k = (b[0] as usize) << 8 | b1;
                    legal_pairs[k / 64] |= 1 << (k % 64);
                }
            }
            for n in &non_entities {
                cased.entry(n).flags |= W_NONENT;
            }
            for (i, flag) in [(0usize, W_HEAD_LAST), (1, W_HEAD_OF), (2, W_HEAD_FIRST)] {
                for n in heads[i].keys() {
                    cased.entry(n).flags |= flag;
                }
            }
            let mut lname_filter = Box::new([0u32; 256]);
            for (ei, (n, e)) in names.iter().zip(&entries).enumerate() {
                if let Some(a) = names.get(ei + AHEAD) {
                    cased.prefetch(a);
                }
                let w = first_word(n);
                if !w.is_empty() {
                    if w.len() < n.len() {
                        cased.entry(w).flags |= W_NSTART;
                    }
                    // names that start with a lowercase word (`al-Qaeda`, `iPhone`)
                    if !w.chars().next().is_some_and(|c| c.is_uppercase()) && w.len() < 32 {
                        lname_filter[w.as_bytes()[0] as usize] |= 1 << w.len();
                    }
                }
                if n.contains(' ') {
                    continue;
                }
                let mut f = W_GAZ;
                if TABLES[e.table as usize].strong {
                    f |= W_GAZ_STRONG;
                }
                if e.ambiguous {
                    f |= W_GAZ_AMBIG;
                }
                if e.label == "NORP" || e.label == "ORG" {
                    f |= W_GAZ_NORP_ORG;
                }
                let v = cased.entry(n);
                v.flags |= f;
                v.gaz = ei as u32;
            }
            let mut ctx_info: WordTable<u32> = WordTable::with_capacity(1024);
            for (set, flag) in [
                (&titles, W_TITLE1),
                (&title_words, W_TITLEW),
                (&person_verbs, W_PVERB),
                (&loc_preps, W_LPREP),
                (&sports, W_SPORT),
                (&org_after, W_ORG_AFTER),
            ] {
                for n in set.iter() {
                    lower.entry(n).flags |= flag;
                    *ctx_info.entry(n) |= flag;
                }
            }
            let mut ctx_filter = vec![0u32; 256];
            let mut sport_filter = vec![0u32; 256];
            for (k, &f) in ctx_info.iter() {
                if let Some(&b0) = k.as_bytes().first()
                    && k.len() < 32
                {
                    ctx_filter[b0 as usize] |= 1 << k.len();
                    if f & W_SPORT != 0 {
                        sport_filter[b0 as usize] |= 1 << k.len();
                    }
                }
            }
            // both tables in one for the short ASCII words (most capitalised tokens)
            let info_table = {
                let alnum = |k: &str| k.bytes().all(|b| b.is_ascii_alphanumeric());
                let mut t = InfoTable::with_bound(lower.len() + cased.len());
                for (k, l) in lower.iter() {
                    if let Some(f) = folded_key(k.as_bytes())
                        && f.mask == 0
                        && alnum(k)
                    {
                        let info = t.entry(&f);
                        info.zipf = l.zipf;
                        info.lower_flags = l.flags;
                    }
                }
                for (k, c) in cased.iter() {
                    if let Some(f) = folded_key(k.as_bytes())
                        && alnum(k)
                    {
                        let info = t.entry(&f);
                        let taken = info.mask != u16::MAX || info.cased_flags & MANY != 0;
                        if taken || f.mask == u16::MAX || c.flags >= MANY as u32 {
                            info.cased_flags = MANY;
                        } else {
                            info.mask = f.mask;
                            info.cased_flags = c.flags as u16;
                            info.gaz = c.gaz;
                        }
                    }
                }
                t
            };
            // a capitalised token reads the exact-case table only when the bit of its lowercase
            // form is set (a 128 KiB filter that stays in cache; long words are always read)
            let mut cased_bits = vec![0u64; CASED_BITS / 64];
            for (k, _) in cased.iter() {
                let h = match lower_key(k) {
                    Some(key) => Some(key.hash),
                    None => hash_of(&k.to_lowercase()),
                };
                if let Some(h) = h {
                    let b = cased_bit(h);
                    cased_bits[b / 64] |= 1 << (b % 64);
                }
            }
            // the two tries build on their own threads while the word tables above are filled
            let exact = hx.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            let upper = hu.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            let trie_bytes = exact.memory_usage() + upper.memory_usage();
            // what `rules list` shows
            let mut infos: Vec<crate::extract::RuleInfo> = Vec::new();
            let mut info = |id: &str, kind: &str, source: &str, entries: usize| {
                infos.push(crate::extract::RuleInfo {
                    id: id.to_string(),
                    kind: kind.to_string(),
                    source: source.to_string(),
                    entries,
                })
            };
            for (ti, t) in TABLES.iter().enumerate() {
                let n = entries.iter().filter(|e| e.table as usize == ti).count();
                info(t.rule, "gazetteer", &format!("rules/{}", t.file), n);
            }
            let mut head_counts: std::collections::BTreeMap<&str, usize> = Default::default();
            for h in heads.iter().flat_map(|m| m.values()) {
                *head_counts.entry(&h.rule).or_default() += 1;
            }
            for (id, n) in head_counts {
                info(id, "head word", "rules/entities/heads.tsv", n);
            }
            let titles_src = "rules/entities/titles.tsv";
            let ctx_src = "rules/entities/context.tsv";
            let first_src = "rules/gazetteers/first_names.tsv";
            let common_src = "rules/gazetteers/common_words.tsv";
            for (id, kind, src, n) in [
                ("ent.person_title", "phrase", titles_src, titles.len()),
                ("ent.person_first_name", "phrase", first_src, n_first),
                (
                    "ent.person_initials",
                    "phrase",
                    "src/extract/entities/mod.rs",
                    1,
                ),
                ("ent.person_name_shape", "phrase", common_src, n_common),
                ("ent.person_said", "context", ctx_src, person_verbs.len()),
                (
                    "ent.person_age",
                    "context",
                    "src/extract/entities/mod.rs",
                    1,
                ),
                (
                    "ent.org_legal_suffix",
                    "suffix",
                    "rules/gazetteers/legal_suffixes.tsv",
                    legal.len(),
                ),
                ("ent.org_context", "context", ctx_src, org_after.len()),
                (
                    "ent.acronym",
                    "phrase",
                    "rules/entities/non_entities.tsv",
                    non_entities.len(),
                ),
                (
                    "ent.acronym_definition",
                    "document",
                    "src/extract/entities/mod.rs",
                    1,
                ),
                ("ent.loc_prep", "context", "src/extract/entities/mod.rs", 1),
                (
                    "ent.propagate",
                    "document",
                    "src/extract/entities/mod.rs",
                    1,
                ),
                ("ent.doc_person", "document", ctx_src, loc_preps.len()),
                ("ent.sports_club", "context", ctx_src, sports.len()),
            ] {
                info(id, kind, src, n);
            }
            let heap_bytes = exact.memory_usage()
                + entries.len() * std::mem::size_of::<OnceLock<SharedNames>>()
                + upper.memory_usage()
                + entries.capacity() * std::mem::size_of::<Entry>()
                + strings.capacity()
                + lower.memory_usage()
                + cased.memory_usage()
                + ctx_info.memory_usage()
                + info_table.memory_usage();
            let shared = entries.iter().map(|_| Default::default()).collect();
            Ok(Lexicon {
                infos,
                exact,
                upper,
                entries,
                strings,
                shared,
                table_rules,
                titles,
                max_title_words,
                heads,
                legal,
                legal_by_byte,
                legal_by_pair,
                legal_pairs,
                lower,
                cased,
                ctx_info,
                info: info_table,
                ctx_filter,
                sport_filter,
                lname_filter,
                cased_bits,
                trie_bytes,
                build_ms: t0.elapsed().as_secs_f64() * 1000.0,
                heap_bytes,
            })
        })
    }

    /// Zipf frequency of a word's lowercase form (0 when unknown). No allocation for short
    /// ASCII words.
    pub fn zipf(&self, word: &str) -> f32 {
        self.lower.get_lower(word).map_or(0.0, |l| l.zipf)
    }

    pub fn head(&self, word: &str, at: HeadWhere) -> Option<&Head> {
        self.heads[at as usize].get(word)
    }

    /// Does the context table give `flag` to this token? Capitalised tokens carry their flags
    /// from `annotate`; lowercase ones are looked up here, behind a cheap first-byte/length filter.
    #[inline]
    pub(crate) fn ctx(&self, text: &str, t: &super::tokens::Tok, flag: u32) -> bool {
        self.ctx_flags(text, t) & flag != 0
    }

    /// All the flags `ctx` tests, for a token asked about more than one.
    #[inline]
    pub(crate) fn ctx_flags(&self, text: &str, t: &super::tokens::Tok) -> u32 {
        if t.cased() {
            return t.wf;
        }
        let n = t.e - t.s;
        if n >= 32 || self.ctx_filter[text.as_bytes()[t.s] as usize] & (1 << n) == 0 {
            return 0;
        }
        self.ctx_info.get(&text[t.s..t.e]).map_or(0, |&f| f)
    }

    /// Is this lowercase token a sports word? (`ctx(.., W_SPORT)` behind a tighter filter.)
    #[inline]
    pub(crate) fn sport_word(&self, text: &str, t: &super::tokens::Tok) -> bool {
        let n = t.e - t.s;
        n < 32
            && self.sport_filter[text.as_bytes()[t.s] as usize] & (1 << n) != 0
            && self.ctx(text, t, W_SPORT)
    }

    /// Could a gazetteer name start at this token? Capitalised and capital words carry
    /// `W_NSTART` and `W_GAZ` from `annotate`; other words go through a first-byte/length filter.
    #[inline]
    pub(crate) fn name_start(&self, text: &str, t: &super::tokens::Tok) -> bool {
        if t.cased() {
            return t.has(W_NSTART | W_GAZ);
        }
        let n = t.e - t.s;
        n < 32 && self.lname_filter[text.as_bytes()[t.s] as usize] & (1 << n) != 0
    }

    /// Canonical name of a gazetteer entry.
    #[inline]
    pub fn canonical(&self, e: &Entry) -> &str {
        &self.strings[e.canonical.0 as usize..e.canonical.1 as usize]
    }

    /// Knowledge-base id of a gazetteer entry, if any.
    #[inline]
    pub fn kb_id(&self, e: &Entry) -> Option<&str> {
        let (a, b) = e.kb_id;
        (a < b).then(|| &self.strings[a as usize..b as usize])
    }

    /// The capitalised tokens (`caps`) and the tokens a gazetteer name may start at (`starts`:
    /// those, and the lowercase words that start some name, see `name_start`). `tokenize` lists
    /// them as it goes; this is the plain definition it is tested against.
    #[cfg(test)]
    pub(crate) fn list_starts(
        &self,
        text: &str,
        toks: &[super::tokens::Tok],
        caps: &mut Vec<u32>,
        starts: &mut Vec<u32>,
    ) {
        caps.clear();
        starts.clear();
        for (i, t) in toks.iter().enumerate() {
            if t.cased() {
                starts.push(i as u32);
                if t.cap() {
                    caps.push(i as u32);
                }
            } else if self.name_start(text, t) {
                starts.push(i as u32);
            }
        }
    }

    /// Canonical name and knowledge-base id of entry `i`, shared.
    pub fn shared(&self, i: u32) -> &SharedNames {
        let i = i as usize;
        self.shared[i].get_or_init(|| {
            let e = &self.entries[i];
            SharedNames {
                canonical: Arc::from(self.canonical(e)),
                kb_id: self.kb_id(e).map(Arc::from),
            }
        })
    }

    /// Look up the word lists of every capitalised or capital token among `starts` once.
    pub(crate) fn annotate(&self, text: &str, toks: &mut [super::tokens::Tok], starts: &[u32]) {
        // the tables are larger than the caches: the slot of the word a few places ahead is
        // requested before this one is looked up, so their misses overlap; its key is kept for
        // when its turn comes (a ring of the keys of this word and the next `AHEAD`)
        const AHEAD: usize = 4;
        const RING: usize = 8;
        let bytes = text.as_bytes();
        let key_of = |a: &super::tokens::Tok| -> Option<FoldedKey> {
            if a.cased() {
                folded_key(&bytes[a.s..a.e])
            } else {
                None
            }
        };
        let mut ring: [Option<FoldedKey>; RING] = Default::default();
        for (k, &ti) in starts.iter().enumerate().take(AHEAD) {
            ring[k % RING] = key_of(&toks[ti as usize]);
        }
        for (k, &ti) in starts.iter().enumerate() {
            if let Some(&a) = starts.get(k + AHEAD) {
                let key = key_of(&toks[a as usize]);
                match &key {
                    Some(key) => self.info.prefetch(key),
                    None => {
                        let a = &toks[a as usize];
                        if a.cased()
                            && let Some(key) = lower_key(&text[a.s..a.e])
                        {
                            self.lower.prefetch_key(&key);
                        }
                    }
                }
                ring[(k + AHEAD) % RING] = key;
            }
            let folded = ring[k % RING].take();
            let t = &mut toks[ti as usize];
            // lowercase words are looked up lazily, only where a rule asks (`ctx`)
            if !t.cased() {
                continue;
            }
            let w = &text[t.s..t.e];
            if let Some(key) = folded {
                // a short ASCII word: one slot holds what both tables say
                let Some(info) = self.info.get(&key) else {
                    continue;
                };
                t.zipf = info.zipf;
                t.wf |= info.lower_flags;
                if info.cased_flags & MANY != 0 {
                    if let Some(c) = self.cased.get(w) {
                        t.wf |= c.flags;
                        t.gaz = c.gaz;
                    }
                } else if info.mask == key.mask {
                    t.wf |= info.cased_flags as u32;
                    t.gaz = info.gaz;
                }
                continue;
            }
            let (l, h) = match lower_key(w) {
                Some(key) => (self.lower.get_key(&key), Some(key.hash)),
                None => {
                    let lw = w.to_lowercase();
                    (self.lower.get(&lw), hash_of(&lw))
                }
            };
            if let Some(l) = l {
                t.zipf = l.zipf;
                t.wf |= l.flags;
            }
            let maybe_cased = h.is_none_or(|h| {
                let b = cased_bit(h);
                self.cased_bits[b / 64] & (1 << (b % 64)) != 0
            });
            if maybe_cased && let Some(c) = self.cased.get(w) {
                t.wf |= c.flags;
                t.gaz = c.gaz;
            }
        }
    }

    /// Is `text` (a lowercase word or `two words`) a title?
    pub fn is_title(&self, key: &str) -> bool {
        self.titles.contains(key)
    }

    /// Length of a legal suffix (`Ltd`, `N.V.`, `S.p.A.`) starting at `pos`, if one ends on a word
    /// boundary.
    pub fn legal_suffix_at(&self, text: &str, pos: usize) -> Option<usize> {
        let rest = text.as_bytes().get(pos..)?;
        let first = rest.first()?.to_ascii_lowercase();
        let candidates: &[u32] = match rest.get(1) {
            Some(&second) => {
                let k = (first as usize) << 8 | second.to_ascii_lowercase() as usize;
                if self.legal_pairs[k / 64] & (1 << (k % 64)) == 0 {
                    return None;
                }
                self.legal_by_pair.get(&(k as u16)).map_or(&[], |v| v)
            }
            None => &self.legal_by_byte[first as usize],
        };
        for &i in candidates {
            let sb = self.legal[i as usize].as_bytes();
            if rest.len() < sb.len() {
                continue;
            }
            if !rest[..sb.len()].eq_ignore_ascii_case(sb) {
                continue;
            }
            let after = rest.get(sb.len()).copied();
            let ends_ok = match after {
                None => true,
                Some(b) => !(b.is_ascii_alphanumeric() || b >= 0x80),
            };
            // a suffix that ends in a letter must not run into a period-less abbreviation
            if ends_ok {
                return Some(sb.len());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::entities::tokens::Tok;

    /// What the two tables say about a capitalised token (the lookups `annotate` made before the
    /// one-slot table): Zipf frequency, flags, gazetteer entry.
    fn two_tables(lex: &Lexicon, w: &str) -> (f32, u32, u32) {
        let (mut zipf, mut flags, mut gaz) = (0.0, 0, u32::MAX);
        if let Some(l) = lex.lower.get(&w.to_ascii_lowercase()) {
            zipf = l.zipf;
            flags |= l.flags;
        }
        if let Some(c) = lex.cased.get(w) {
            flags |= c.flags;
            gaz = c.gaz;
        }
        (zipf, flags, gaz)
    }

    #[test]
    fn a_word_that_starts_no_longer_name_is_its_own_longest_name() {
        // what `gazetteer` relies on to skip the trie for words without `W_NSTART`
        let lex = Lexicon::new(&RuleSet::builtin()).unwrap();
        let (mut alone, mut longer) = (0, 0);
        for (w, c) in lex.cased.iter() {
            if w.is_empty() || !w.chars().all(char::is_alphanumeric) {
                continue;
            }
            let word_itself = (c.flags & W_GAZ != 0).then_some((w.len(), c.gaz));
            for after in [" Qzx", "-Qzx", ".", "'s", ", ", ""] {
                let hay = format!("{w}{after}");
                // a shorter name ends inside the word: no hit either way
                let hit = lex
                    .exact
                    .longest_prefix(hay.as_bytes())
                    .filter(|&(len, _)| len >= w.len());
                if c.flags & W_NSTART == 0 {
                    assert_eq!(hit, word_itself, "{hay:?}");
                    alone += 1;
                } else if hit.is_some_and(|(len, _)| len > w.len()) {
                    longer += 1;
                }
            }
        }
        assert!(alone > 10_000 && longer > 10, "{alone} {longer}");
    }

    #[test]
    fn the_one_slot_table_agrees_with_the_two_tables() {
        let lex = Lexicon::new(&RuleSet::builtin()).unwrap();
        let mut words: Vec<String> = Vec::new();
        for k in lex
            .cased
            .iter()
            .map(|(k, _)| k)
            .chain(lex.lower.iter().map(|(k, _)| k))
        {
            if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric()) {
                continue;
            }
            let mut cap = k.to_ascii_lowercase();
            cap[..1].make_ascii_uppercase();
            words.extend([k.to_string(), k.to_ascii_uppercase(), cap]);
        }
        assert!(words.len() > 100_000);
        let mut checked = 0;
        for w in &words {
            let mut toks = [Tok::with_case(
                0,
                w.len(),
                w.as_bytes()[0].is_ascii_uppercase(),
                w.bytes().any(|b| b.is_ascii_uppercase())
                    && !w.bytes().any(|b| b.is_ascii_lowercase()),
            )];
            if !toks[0].cased() {
                continue;
            }
            let (mut caps, mut starts) = (Vec::new(), Vec::new());
            lex.list_starts(w, &toks, &mut caps, &mut starts);
            assert_eq!(starts, [0]);
            lex.annotate(w, &mut toks, &starts);
            let t = &toks[0];
            assert_eq!((t.zipf, t.wf, t.gaz), two_tables(&lex, w), "{w}");
            checked += 1;
        }
        assert!(checked > 100_000, "{checked}");
    }
}
