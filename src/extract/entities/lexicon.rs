//! Everything the entity stage reads from `rules/`, compiled once: the gazetteer automata, the
//! word lists (first names, common words, titles, heads, context words) and legal suffixes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::annotations::RuleId;
use crate::rules::{RuleError, RuleSet};

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
    Table { file: "gazetteers/hand/aliases.tsv", rule: "gaz.aliases", priority: 2, strong: true },
    Table { file: "gazetteers/hand/organisations.tsv", rule: "gaz.orgs", priority: 2, strong: true },
    Table { file: "gazetteers/hand/norp.tsv", rule: "gaz.norp", priority: 2, strong: true },
    Table { file: "gazetteers/hand/events.tsv", rule: "gaz.events", priority: 2, strong: true },
    Table { file: "gazetteers/countries.tsv", rule: "gaz.countries", priority: 3, strong: true },
    Table { file: "gazetteers/demonyms.tsv", rule: "gaz.demonyms", priority: 3, strong: true },
    Table { file: "gazetteers/continents.tsv", rule: "gaz.continents", priority: 3, strong: true },
    Table { file: "gazetteers/subdivisions.tsv", rule: "gaz.subdivisions", priority: 5, strong: false },
    Table { file: "gazetteers/cities.tsv", rule: "gaz.cities", priority: 5, strong: false },
    Table { file: "gazetteers/companies.tsv", rule: "gaz.companies", priority: 5, strong: false },
];

/// A gazetteer entry (one surface form).
pub(crate) struct Entry {
    pub label: &'static str,
    pub canonical: Box<str>,
    pub kb_id: Option<Box<str>>,
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
    /// Exact-case automaton over every gazetteer name (leftmost-longest).
    pub exact: AhoCorasick,
    /// The same names upper-cased, run only on ALL-CAPS lines.
    pub upper: AhoCorasick,
    pub entries: Vec<Entry>,
    /// Pattern id of `upper` → entry index.
    pub upper_entry: Vec<u32>,
    pub table_rules: Vec<RuleId>,
    pub first_names: HashSet<Box<str>>,
    /// lowercase word → Zipf frequency.
    pub common: HashMap<Box<str>, f32>,
    /// Titles as token sequences (lowercase, without periods).
    pub titles: HashSet<Box<str>>,
    pub max_title_words: usize,
    /// Head words by position: last, before_of, first.
    pub heads: [HashMap<Box<str>, Head>; 3],
    pub person_verbs: HashSet<Box<str>>,
    pub loc_preps: HashSet<Box<str>>,
    pub sports: HashSet<Box<str>>,
    pub non_entities: HashSet<Box<str>>,
    /// Legal suffixes, lowercase, longest first.
    pub legal: Vec<Box<str>>,
    /// Gazetteer names by exact text (for propagation checks).
    pub by_name: HashMap<Box<str>, u32>,
    pub build_ms: f64,
    pub heap_bytes: usize,
}

fn words(rules: &RuleSet, file: &str) -> HashSet<Box<str>> {
    rules
        .lines(file)
        .filter_map(|l| l.fields().first().map(|w| Box::<str>::from(w.trim())))
        .filter(|w| !w.is_empty())
        .collect()
}

impl Lexicon {
    pub fn new(rules: &RuleSet) -> Result<Self, RuleError> {
        let t0 = std::time::Instant::now();
        let mut entries: Vec<Entry> = Vec::new();
        let mut names: Vec<Box<str>> = Vec::new();
        let mut by_name: HashMap<Box<str>, u32> = HashMap::new();

        let first_names: HashSet<Box<str>> = rules
            .lines("gazetteers/first_names.tsv")
            .filter_map(|l| {
                let f = l.fields();
                let freq: u32 = f.get(2).and_then(|s| s.trim().parse().ok()).unwrap_or(0);
                // rare spellings add noise: keep names seen at least moderately often somewhere
                (freq >= 3).then(|| Box::<str>::from(f[0].trim()))
            })
            .collect();

        let mut table_rules = Vec::new();
        for (ti, table) in TABLES.iter().enumerate() {
            table_rules.push(RuleId::from(table.rule));
            if rules.is_disabled(table.rule) {
                continue;
            }
            for line in rules.lines(table.file) {
                let f = line.fields();
                if f.len() < 4 {
                    return Err(line.error("expected name, canonical, id, label"));
                }
                let name = f[0].trim();
                let label = label_of(f[3].trim())
                    .ok_or_else(|| line.error(format!("unknown label {:?}", f[3])))?;
                if name.is_empty() || by_name.contains_key(name) {
                    continue;
                }
                let canonical = if f[1].trim().is_empty() { name } else { f[1].trim() };
                let id = f[2].trim();
                let ambiguous = first_names.contains(name) && !table.strong
                    || (first_names.contains(name) && label == "GPE");
                by_name.insert(name.into(), entries.len() as u32);
                entries.push(Entry {
                    label,
                    canonical: canonical.into(),
                    kb_id: (!id.is_empty()).then(|| id.into()),
                    table: ti as u8,
                    ambiguous,
                });
                names.push(name.into());
            }
        }
        let build = |pats: &[&str]| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(pats)
                .map_err(|e| RuleError {
                    file: "rules/gazetteers".into(),
                    line: 0,
                    message: format!("cannot build automaton: {e}"),
                })
        };
        let pats: Vec<&str> = names.iter().map(|s| &**s).collect();
        let exact = build(&pats)?;
        let mut upper_names: Vec<String> = Vec::new();
        let mut upper_entry: Vec<u32> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (i, n) in names.iter().enumerate() {
            let u = n.to_uppercase();
            // an acronym (`US`, `WHO`) read in a caps line is too ambiguous (`WHO`, `US`, `IT`)
            if n.len() > 1 && n.chars().all(|c| !c.is_lowercase()) && n.len() <= 4 {
                continue;
            }
            if seen.insert(u.clone()) {
                upper_names.push(u);
                upper_entry.push(i as u32);
            }
        }
        let upats: Vec<&str> = upper_names.iter().map(|s| s.as_str()).collect();
        let upper = build(&upats)?;

        let common: HashMap<Box<str>, f32> = rules
            .lines("gazetteers/common_words.tsv")
            .filter_map(|l| {
                let f = l.fields();
                let z: f32 = f.get(1)?.trim().parse().ok()?;
                Some((Box::<str>::from(f[0].trim()), z))
            })
            .collect();

        let mut titles = HashSet::new();
        let mut max_title_words = 1;
        for l in rules.lines("entities/titles.tsv") {
            let t = l.fields()[0].trim().to_lowercase().replace('.', "");
            let t = t.replace('-', " ");
            max_title_words = max_title_words.max(t.split(' ').count());
            titles.insert(Box::<str>::from(t));
        }

        let mut heads: [HashMap<Box<str>, Head>; 3] = Default::default();
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
            heads[w as usize].insert(Box::<str>::from(f[0].trim()), Head { label, rule: Arc::from(rule) });
        }

        let mut person_verbs = HashSet::new();
        let mut loc_preps = HashSet::new();
        let mut sports = HashSet::new();
        for l in rules.lines("entities/context.tsv") {
            let f = l.fields();
            let w: Box<str> = f[0].trim().into();
            match f.get(1).map(|s| s.trim()) {
                Some("person_verb") => person_verbs.insert(w),
                Some("loc_prep") => loc_preps.insert(w),
                Some("sports") => sports.insert(w),
                _ => return Err(l.error("expected word <TAB> person_verb|loc_prep|sports")),
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

        let heap_bytes = exact.memory_usage()
            + upper.memory_usage()
            + names.iter().map(|n| n.len()).sum::<usize>()
            + entries
                .iter()
                .map(|e| {
                    std::mem::size_of::<Entry>()
                        + e.canonical.len()
                        + e.kb_id.as_ref().map_or(0, |k| k.len())
                })
                .sum::<usize>()
            + first_names.iter().map(|n| n.len() + 24).sum::<usize>()
            + common.iter().map(|(n, _)| n.len() + 28).sum::<usize>();
        Ok(Lexicon {
            exact,
            upper,
            entries,
            upper_entry,
            table_rules,
            first_names,
            common,
            titles,
            max_title_words,
            heads,
            person_verbs,
            loc_preps,
            sports,
            non_entities,
            legal,
            by_name,
            build_ms: t0.elapsed().as_secs_f64() * 1000.0,
            heap_bytes,
        })
    }

    /// Zipf frequency of a word's lowercase form (0 when unknown). No allocation for short
    /// ASCII words.
    pub fn zipf(&self, word: &str) -> f32 {
        let mut buf = [0u8; 32];
        if word.len() <= 32 && word.is_ascii() {
            for (i, b) in word.bytes().enumerate() {
                buf[i] = b.to_ascii_lowercase();
            }
            let lw = std::str::from_utf8(&buf[..word.len()]).unwrap_or("");
            return self.common.get(lw).copied().unwrap_or(0.0);
        }
        self.common.get(word.to_lowercase().as_str()).copied().unwrap_or(0.0)
    }

    pub fn head(&self, word: &str, at: HeadWhere) -> Option<&Head> {
        self.heads[at as usize].get(word)
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
        for s in &self.legal {
            let sb = s.as_bytes();
            if sb[0] != first || rest.len() < sb.len() {
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
