//! Named entities from gazetteers and rules (no statistical model).
//!
//! One document goes through five steps:
//! 1. **tokens**: alphanumeric runs with flags (capitalised, ALL CAPS line, sentence start);
//! 2. **gazetteer**: the longest name starting at each token, from a byte trie over every name
//!    (exact case), plus its upper-cased twin used only on ALL-CAPS lines and words; matches
//!    must end on word boundaries (so `India's` gives `India` and `India-Italy` gives two names);
//! 3. **phrases**: runs of capitalised words (joined by `of`, `de`, `&`, hyphens, initials) go
//!    through the rule families: titles → PERSON, legal suffixes and head words → ORG/LOC/FAC/
//!    EVENT/LAW, first name + surname → PERSON, `X said` → PERSON, acronyms → ORG;
//! 4. **overlap policy** (`resolve`): longest span first, then the earliest, then the lowest rule
//!    priority number; a candidate overlapping an accepted one is dropped (and traced);
//! 5. **document context**: names the document established (a person's surname, an acronym
//!    defined in parentheses, a phrase a rule found) label their later bare mentions
//!    (`ent.propagate`); a place name that is a known surname becomes PERSON unless it follows
//!    `in/at/from` (`ent.doc_person`); in sports sentences a city or county is a club
//!    (`ent.sports_club`).

mod lexicon;
mod tokens;
mod trie;
mod wordtable;

use std::cmp::Reverse;
use std::sync::Arc;

use super::{Extractor, Options};
use crate::annotations::{Annotations, Entity, RuleId, Span};
use crate::document::Document;
use crate::extract::fx::FxMap;
use crate::rules::{RuleError, RuleSet};
use lexicon::{
    HeadWhere, Lexicon, W_FIRST, W_GAZ, W_GAZ_AMBIG, W_GAZ_NORP_ORG, W_GAZ_STRONG, W_HEAD_LAST,
    W_LPREP, W_NONENT, W_NSTART, W_ORG_AFTER, W_PVERB, W_SPORT, W_TITLE1, W_TITLEW,
};
use tokens::{Tok, tokenize};

/// Rule priorities (lower wins when two candidates have the same span).
mod prio {
    // gazetteer tables: 2 (hand-kept), 3 (countries, demonyms, continents), 5 (cities, ...)
    pub const TITLE: u8 = 0;
    pub const HEAD: u8 = 4;
    pub const PERSON_SAID: u8 = 6;
    pub const FIRST_NAME: u8 = 6;
    pub const INITIALS: u8 = 6;
    pub const AMBIGUOUS_GAZ: u8 = 7;
    pub const NAME_SHAPE: u8 = 8;
    pub const PROPAGATE: u8 = 8;
    pub const ACRONYM: u8 = 9;
    pub const LOC_PREP: u8 = 9;
}

/// A candidate mention before the overlap policy.
#[derive(Debug, Clone)]
struct Cand {
    s: usize,
    e: usize,
    label: &'static str,
    /// Gazetteer entry, if any (its canonical name and id).
    entry: Option<u32>,
    /// Canonical name when not from a gazetteer entry (`None`: the span text).
    norm: Option<Arc<str>>,
    rule: RuleId,
    prio: u8,
}

struct Rules {
    title: RuleId,
    first_name: RuleId,
    said: RuleId,
    initials: RuleId,
    org_context: RuleId,
    age: RuleId,
    name_shape: RuleId,
    loc_prep: RuleId,
    legal: RuleId,
    acronym: RuleId,
    propagate: RuleId,
    doc_person: RuleId,
    sports_club: RuleId,
    definition: RuleId,
}

pub struct EntityExtractor {
    lex: Lexicon,
    ids: Rules,
    enabled: Enabled,
}

struct Enabled {
    title: bool,
    first_name: bool,
    said: bool,
    initials: bool,
    org_context: bool,
    age: bool,
    name_shape: bool,
    loc_prep: bool,
    legal: bool,
    acronym: bool,
    propagate: bool,
    doc_person: bool,
    sports_club: bool,
}

const CONNECTORS: &[&str] = &[
    "of", "de", "la", "du", "da", "von", "van", "der", "den", "del", "al", "bin", "el",
];

impl EntityExtractor {
    pub fn new(rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        let lex = Lexicon::new(rules)?;
        let on = |id: &str| !rules.is_disabled(id);
        Ok(EntityExtractor {
            lex,
            ids: Rules {
                title: RuleId::from("ent.person_title"),
                first_name: RuleId::from("ent.person_first_name"),
                said: RuleId::from("ent.person_said"),
                initials: RuleId::from("ent.person_initials"),
                org_context: RuleId::from("ent.org_context"),
                age: RuleId::from("ent.person_age"),
                name_shape: RuleId::from("ent.person_name_shape"),
                loc_prep: RuleId::from("ent.loc_prep"),
                legal: RuleId::from("ent.org_legal_suffix"),
                acronym: RuleId::from("ent.acronym"),
                propagate: RuleId::from("ent.propagate"),
                doc_person: RuleId::from("ent.doc_person"),
                sports_club: RuleId::from("ent.sports_club"),
                definition: RuleId::from("ent.acronym_definition"),
            },
            enabled: Enabled {
                title: on("ent.person_title"),
                first_name: on("ent.person_first_name"),
                said: on("ent.person_said"),
                initials: on("ent.person_initials"),
                org_context: on("ent.org_context"),
                age: on("ent.person_age"),
                name_shape: on("ent.person_name_shape"),
                loc_prep: on("ent.loc_prep"),
                legal: on("ent.org_legal_suffix"),
                acronym: on("ent.acronym"),
                propagate: on("ent.propagate"),
                doc_person: on("ent.doc_person"),
                sports_club: on("ent.sports_club"),
            },
        })
    }

    /// Build figures: milliseconds to load the tables and build the name tries, an estimate of
    /// their heap size in bytes (tries plus word tables), the two tries alone, and the number of
    /// gazetteer names.
    pub fn build_stats(&self) -> (f64, usize, usize, usize) {
        let l = &self.lex;
        (l.build_ms, l.heap_bytes, l.trie_bytes, l.entries.len())
    }
}

impl Extractor for EntityExtractor {
    fn name(&self) -> &'static str {
        "entities"
    }

    fn rules(&self) -> Vec<crate::extract::RuleInfo> {
        self.lex.infos.clone()
    }

    fn build_note(&self) -> Option<String> {
        let (ms, heap, tries, names) = self.build_stats();
        Some(format!(
            "{names} gazetteer names; tables and name tries built in {ms:.0} ms, {:.1} MiB \
             (tries {:.1} MiB)",
            heap as f64 / (1 << 20) as f64,
            tries as f64 / (1 << 20) as f64
        ))
    }

    fn extract(&self, doc: &Document, ann: &mut Annotations) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> =
                const { std::cell::RefCell::new(Scratch { toks: Vec::new(), caps: Vec::new(), starts: Vec::new() }) };
        }
        SCRATCH.with(|cell| {
            let mut scratch = cell.take();
            self.extract_with(doc, ann, &mut scratch);
            // keep the buffers for the next document unless one huge document grew them
            if scratch.toks.capacity() < 1 << 20 {
                cell.replace(scratch);
            }
        });
    }
}

/// Per-thread buffers reused from one document to the next.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    /// Indexes of the capitalised tokens (`Tok::cap`).
    caps: Vec<u32>,
    /// Indexes of the tokens a gazetteer name may start at (see `Lexicon::annotate`).
    starts: Vec<u32>,
}

impl EntityExtractor {
    fn extract_with(&self, doc: &Document, ann: &mut Annotations, scratch: &mut Scratch) {
        let text = doc.text.as_str();
        let Scratch { toks, caps, starts } = scratch;
        tokenize(
            text,
            doc.body_start,
            ann,
            &self.lex.lname_filter,
            toks,
            caps,
            starts,
        );
        if toks.is_empty() {
            return;
        }
        self.lex.annotate(text, toks, starts);
        let toks: &[Tok] = toks;
        let mut cands: Vec<Cand> = Vec::with_capacity(toks.len() / 8 + 8);
        self.gazetteer(text, toks, starts, &mut cands);
        self.phrases(text, toks, caps, &mut cands);
        let mut accepted = resolve(cands, ann, text);
        self.document_context(text, toks, caps, &mut accepted);
        accepted.sort_by_key(|c| (c.s, c.e));
        ann.entities.reserve(accepted.len());
        for c in accepted {
            let (norm, kb) = match c.entry {
                Some(i) => {
                    let names = self.lex.shared(i);
                    (names.canonical.clone(), names.kb_id.clone())
                }
                None => (c.norm.unwrap_or_else(|| Arc::from(&text[c.s..c.e])), None),
            };
            ann.entities.push(Entity {
                span: Span::new(c.s, c.e),
                label: c.label,
                sentence: ann.sentence_at(c.s),
                norm,
                kb_id: kb,
                rule: c.rule,
            });
        }
    }
}

fn is_word_byte_after(text: &str, pos: usize) -> bool {
    text[pos..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric())
}

/// Lowercase name particles that may sit inside a person's name (`van`, `de`, `al`).
fn is_particle(text: &str, t: &Tok) -> bool {
    t.lower()
        && matches!(
            t.text(text),
            "de" | "la" | "du" | "da" | "von" | "van" | "der" | "den" | "del" | "al" | "bin" | "el"
        )
}

/// Index of the token starting at byte `s` (binary search).
fn tok_at(toks: &[Tok], s: usize) -> Option<usize> {
    toks.binary_search_by_key(&s, |t| t.s).ok()
}

impl EntityExtractor {
    fn gazetteer(&self, text: &str, toks: &[Tok], starts: &[u32], cands: &mut Vec<Cand>) {
        let lex = &self.lex;
        // The longest name the text starts with at each token start (a trie walk that stops at
        // the first byte no name continues with): every name starts a word. Equivalent to an
        // unanchored leftmost-longest scan with word boundaries, at a fraction of the cost.
        // A hit must end on a word boundary, so it starts with the whole token: only tokens
        // that are the first word of some name are looked up (`name_start`).
        let bytes = text.as_bytes();
        let mut next_free = 0usize;
        // most tokens are lowercase words that start no name: only the tokens of `starts` can
        // start one (the upper-cased trie below needs a capitalised or capital token)
        for &ti in starts {
            let ti = ti as usize;
            let t = &toks[ti];
            if t.s < next_free {
                continue;
            }
            let caps = t.caps_line() || (t.upper() && !t.digits() && t.e - t.s >= 3);
            let mut hit = false;
            let found = if t.cased() && !t.has(W_NSTART) {
                // no longer name starts with this word: the longest name the text starts with
                // here and that ends on a word boundary is the word itself, if it is a name (a
                // shorter one would end inside the word)
                t.has(W_GAZ).then_some((t.e - t.s, t.gaz))
            } else if lex.name_start(text, t) {
                lex.exact.longest_prefix(&bytes[t.s..])
            } else {
                None
            };
            if let Some((len, ei)) = found
                && !is_word_byte_after(text, t.s + len)
            {
                let end = t.s + len;
                let name = &text[t.s..end];
                // an acronym that is also a word (`WHO`, `US`) in a caps headline is the word
                let skip = t.caps_line()
                    && !name.contains('.')
                    && !name.bytes().any(|b| b.is_ascii_lowercase())
                    && lex.zipf(name) >= 4.0;
                if !skip {
                    self.push_gaz(toks, ti, t.s, end, ei, cands);
                    next_free = end;
                    hit = true;
                }
            }
            // ALL-CAPS lines and ALL-CAPS words elsewhere (`Leeds 3 NORWICH 2`): the
            // upper-cased trie (for capitalised or capital words only)
            if !hit
                && caps
                && t.cased()
                && let Some((len, ei)) = lex.upper.longest_prefix(&bytes[t.s..])
                && !is_word_byte_after(text, t.s + len)
                // outside caps lines a short caps word is more likely an acronym (`IPO`)
                && (t.caps_line() || len >= 5)
            {
                self.push_gaz(toks, ti, t.s, t.s + len, ei, cands);
                next_free = t.s + len;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_gaz(
        &self,
        toks: &[Tok],
        ti: usize,
        s: usize,
        e: usize,
        ei: u32,
        cands: &mut Vec<Cand>,
    ) {
        let lex = &self.lex;
        let entry = &lex.entries[ei as usize];
        let table = &lexicon::TABLES[entry.table as usize];
        let t = &toks[ti];
        // token ends are increasing: the name is this one word when it ends where the token does
        let single = t.e == e;
        // a weak single word at the start of a sentence that is an everyday word is not a name
        // (the build already leaves out most such names; this catches the rest)
        if !table.strong && single && t.sent_start() && !t.caps_line() && t.zipf >= 5.0 {
            return;
        }
        let prio = if entry.ambiguous {
            prio::AMBIGUOUS_GAZ
        } else {
            table.priority
        };
        cands.push(Cand {
            s,
            e,
            label: entry.label,
            entry: Some(ei),
            norm: None,
            rule: lex.table_rules[entry.table as usize].clone(),
            prio,
        });
    }

    /// Capitalised phrases through the rule families.
    fn phrases(&self, text: &str, toks: &[Tok], caps: &[u32], cands: &mut Vec<Cand>) {
        // a phrase starts at a capitalised token (`caps`) after the previous phrase
        let mut i = 0;
        for &ci in caps {
            if (ci as usize) < i {
                continue;
            }
            i = ci as usize;
            if toks[i].caps_line() {
                continue;
            }
            // build the phrase [i, j) and its connector positions
            let mut j = i + 1;
            let mut has_of = false;
            loop {
                if j >= toks.len() {
                    break;
                }
                let prev = toks[j - 1];
                let gap = &text[prev.e..toks[j].s];
                let nt = toks[j];
                if nt.cap() && !nt.caps_line() {
                    let prev_initial = prev.e - prev.s == 1 && prev.cap();
                    let ok = matches!(gap, " " | "-" | " & " | "&")
                        || (prev_initial && matches!(gap, ". " | "."))
                        || (gap == "'" && prev.e - prev.s == 1 && prev.cap());
                    if ok {
                        j += 1;
                        continue;
                    }
                    break;
                }
                // connector: `of`, `de`, `of the` between capitalised words
                if gap == " " && nt.lower() {
                    let w = nt.text(text);
                    if CONNECTORS.contains(&w) {
                        let mut k = j + 1;
                        if w == "of"
                            && k < toks.len()
                            && toks[k].text(text) == "the"
                            && &text[toks[k - 1].e..toks[k].s] == " "
                        {
                            k += 1;
                        }
                        // `van der`, `de la`: a second particle
                        while is_particle(text, &toks[k - 1])
                            && k < toks.len()
                            && is_particle(text, &toks[k])
                            && &text[toks[k - 1].e..toks[k].s] == " "
                        {
                            k += 1;
                        }
                        if k < toks.len()
                            && toks[k].cap()
                            && !toks[k].caps_line()
                            && &text[toks[k - 1].e..toks[k].s] == " "
                        {
                            has_of |= w == "of";
                            j = k + 1;
                            continue;
                        }
                    }
                }
                break;
            }
            self.classify(text, toks, i, j, has_of, cands);
            i = j;
        }
    }

    fn is_connector(&self, text: &str, t: &Tok) -> bool {
        t.lower() && (CONNECTORS.contains(&t.text(text)) || t.text(text) == "the")
    }

    /// Does a title (one or more words) end at token `k` (inclusive), starting at or after
    /// `lo`? Returns its first token.
    #[inline]
    fn title_ending_at(&self, text: &str, toks: &[Tok], lo: usize, k: usize) -> Option<usize> {
        // quick veto (inlined, most calls end here): the last word must be a title word (the
        // flags of a capitalised word are on the token: `ctx` is called for the others only)
        if k < lo {
            return None;
        }
        let t = &toks[k];
        let title_word = if t.cased() {
            t.has(W_TITLEW)
        } else {
            self.lex.ctx(text, t, W_TITLEW)
        };
        if !title_word {
            return None;
        }
        self.title_ending_at_slow(text, toks, lo, k)
    }

    #[inline(never)]
    fn title_ending_at_slow(&self, text: &str, toks: &[Tok], lo: usize, k: usize) -> Option<usize> {
        // the furthest first word: at most `max_title_words` words, none before `lo`, joined by
        // spaces or hyphens
        let mut a = k;
        while a > lo && k + 1 - a < self.lex.max_title_words {
            let gap = &text[toks[a - 1].e..toks[a].s];
            if gap != " " && gap != "-" {
                break;
            }
            // every word of a title is a title word: a capitalised ASCII word that is none (its
            // flags say so) starts no title that reaches k
            let p = &toks[a - 1];
            if p.cased() && !p.has(W_TITLEW) && p.text(text).is_ascii() {
                break;
            }
            a -= 1;
        }
        // the words a..=k lowercase, joined by spaces: the title of words x..=k is the key's end
        // from word x on
        // (built on the stack when short and ASCII, the usual case: no allocation per call)
        let mut stack = [0u8; 64];
        let mut heap = String::new();
        let span = &text[toks[a].s..toks[k].e];
        let key: &str = if span.len() <= stack.len() && span.is_ascii() {
            let mut n = 0;
            for (x, t) in toks[a..=k].iter().enumerate() {
                if x > 0 {
                    stack[n] = b' ';
                    n += 1;
                }
                let w = t.text(text).as_bytes();
                stack[n..n + w.len()].copy_from_slice(w);
                stack[n..n + w.len()].make_ascii_lowercase();
                n += w.len();
            }
            // ASCII bytes only
            std::str::from_utf8(&stack[..n]).unwrap_or("")
        } else {
            for (x, t) in toks[a..=k].iter().enumerate() {
                if x > 0 {
                    heap.push(' ');
                }
                for c in t.text(text).chars() {
                    if c.is_ascii() {
                        heap.push(c.to_ascii_lowercase());
                    } else {
                        heap.extend(c.to_lowercase());
                    }
                }
            }
            &heap
        };
        // the longest title wins: try the most words first (words hold no spaces)
        let mut off = 0;
        for first in a..=k {
            if self.lex.is_title(&key[off..]) {
                return Some(first);
            }
            off += key[off..].find(' ').map_or(key.len() - off, |p| p + 1);
        }
        None
    }

    fn classify(
        &self,
        text: &str,
        toks: &[Tok],
        a: usize,
        b: usize,
        has_of: bool,
        cands: &mut Vec<Cand>,
    ) {
        let lex = &self.lex;
        let en = &self.enabled;
        let tx = |k: usize| toks[k].text(text);

        // --- legal suffix inside or right after the phrase: `Tata Motors Ltd`, `Stellantis N.V.`
        if en.legal {
            for k in a + 1..=b {
                let pos = if k < b {
                    toks[k].s
                } else {
                    // `Acme, Inc.` / `Acme Inc` just after the phrase
                    let p = toks[b - 1].e;
                    let rest = &text[p..];
                    if let Some(r) = rest.strip_prefix(", ") {
                        p + (rest.len() - r.len())
                    } else if rest.starts_with(' ') {
                        p + 1
                    } else {
                        continue;
                    }
                };
                if k < b && !toks[k].cap() {
                    continue;
                }
                // a suffix is written capitalised (`Ltd`, `N.V.`), not `the company`
                let cap_at = text[pos..].chars().next().is_some_and(|c| c.is_uppercase());
                if cap_at && let Some(len) = lex.legal_suffix_at(text, pos) {
                    let mut s0 = a;
                    if toks[s0].sent_start() && toks[s0].zipf >= 4.5 && s0 + 1 < k {
                        s0 += 1;
                    }
                    let end = pos + len;
                    // a suffix must not be the start of another capitalised word (`Co` of `Coca`)
                    if !is_word_byte_after(text, end) {
                        cands.push(Cand {
                            s: toks[s0].s,
                            e: end,
                            label: "ORG",
                            entry: None,
                            norm: None,
                            rule: self.ids.legal.clone(),
                            prio: prio::HEAD,
                        });
                        break;
                    }
                }
            }
        }

        // --- sentence-initial everyday word or weekday/month is not part of a name
        let mut s0 = a;
        while s0 < b
            && !self.is_connector(text, &toks[s0])
            && (toks[s0].has(W_NONENT)
                || (toks[s0].sent_start()
                    && toks[s0].zipf >= 4.0
                    && !(toks[s0].has(W_FIRST)
                        && s0 + 1 < b
                        && toks[s0 + 1].cap()
                        && toks[s0 + 1].zipf < 4.0)
                    && !toks[s0].has(W_TITLE1)
                    // `British Airways`: a strong name followed by more of the phrase stays
                    && !(toks[s0].has(W_GAZ_STRONG) && s0 + 1 < b)))
        {
            s0 += 1;
        }
        while s0 < b && self.is_connector(text, &toks[s0]) {
            s0 += 1;
        }
        if s0 >= b {
            return;
        }

        // --- titles: `Prime Minister Narendra Modi`, `Mr. Jordan`, `prime minister Modi`
        if en.title {
            self.titles(text, toks, a, b, cands);
        }

        // --- head words over the whole phrase: `Reserve Bank of India`, `Labour Party`
        if b - s0 >= 2 {
            let last = tx(b - 1);
            let mut hit = if toks[b - 1].has(W_HEAD_LAST) {
                lex.head(last, HeadWhere::Last)
            } else {
                None
            };
            if hit.is_none() {
                hit = lex.head(tx(s0), HeadWhere::First);
            }
            if hit.is_none() && has_of {
                for k in s0..b {
                    if k + 1 < b && tx(k + 1) == "of" {
                        hit = lex.head(tx(k), HeadWhere::BeforeOf);
                        if hit.is_some() {
                            break;
                        }
                    }
                }
            }
            if let Some(h) = hit {
                cands.push(Cand {
                    s: toks[s0].s,
                    e: toks[b - 1].e,
                    label: h.label,
                    entry: None,
                    norm: None,
                    rule: h.rule.clone(),
                    prio: prio::HEAD,
                });
            }
        }

        // --- person rules over segments split at `of` / `the` (name particles such as `van`,
        // `de`, `al` stay inside: `Nick van den Berg`)
        let splits = |t: &Tok| self.is_connector(text, t) && !is_particle(text, t);
        let mut k = s0;
        while k < b {
            if self.is_connector(text, &toks[k]) {
                k += 1;
                continue;
            }
            let mut m = k;
            while m < b && !splits(&toks[m]) {
                m += 1;
            }
            // a segment never ends on a particle
            while m > k + 1 && is_particle(text, &toks[m - 1]) {
                m -= 1;
            }
            self.person_segment(text, toks, k, m, cands);
            k = m;
        }

        // --- an unknown rare word after `in`: `in Kordofan`
        if en.loc_prep
            && b - s0 <= 2
            && s0 > 0
            && !(s0..b).any(|k| self.is_connector(text, &toks[k]))
        {
            let prev = &toks[s0 - 1];
            let rare = (s0..b).all(|k| {
                let t = &toks[k];
                !t.upper() && t.zipf < 3.5 && !t.has(W_FIRST | W_NONENT)
            });
            if rare && prev.text(text) == "in" && &text[prev.e..toks[s0].s] == " " {
                cands.push(Cand {
                    s: toks[s0].s,
                    e: toks[b - 1].e,
                    label: "GPE",
                    entry: None,
                    norm: None,
                    rule: self.ids.loc_prep.clone(),
                    prio: prio::LOC_PREP,
                });
            }
        }

        // --- acronyms: `BJP`, `ISRO`
        if en.acronym && b - s0 == 1 {
            let t = &toks[s0];
            let w = tx(s0);
            let n = w.len();
            if t.upper()
                && (2..=6).contains(&n)
                && w.bytes().filter(|c| c.is_ascii_uppercase()).count() >= 2
                && !t.has(W_NONENT)
                && !w.bytes().any(|c| c.is_ascii_digit())
                && t.zipf < 3.5
            {
                cands.push(Cand {
                    s: t.s,
                    e: t.e,
                    label: "ORG",
                    entry: None,
                    norm: None,
                    rule: self.ids.acronym.clone(),
                    prio: prio::ACRONYM,
                });
            }
        }
    }

    fn titles(&self, text: &str, toks: &[Tok], a: usize, b: usize, cands: &mut Vec<Cand>) {
        // title inside the phrase (capitalised) or just before it (`prime minister`, `Mr.`)
        let mut k = a;
        while k < b {
            // the longest title that ends at k
            let title_start = self.title_ending_at(text, toks, a, k);
            if title_start.is_none() {
                k += 1;
                continue;
            }
            // extend to the longest title ending later (`Prime Minister` over `Prime`)
            let mut end = k;
            while end + 1 < b && self.title_ending_at(text, toks, a, end + 1).is_some() {
                end += 1;
            }
            let name_start = end + 1;
            let mut name_end = name_start;
            while name_end < b
                && name_end - name_start < 4
                && !self.is_connector(text, &toks[name_end])
                && self
                    .title_ending_at(text, toks, name_end, name_end)
                    .is_none()
            {
                name_end += 1;
            }
            if name_end > name_start && self.plausible_name(text, toks, name_start, name_end, 4.6) {
                self.push_person(
                    toks,
                    name_start,
                    name_end,
                    self.ids.title.clone(),
                    prio::TITLE,
                    cands,
                );
            }
            k = name_end.max(end + 1);
        }
        // a title before the phrase: `Mr. Modi`, `prime minister Modi`
        if a > 0 {
            let gap = &text[toks[a - 1].e..toks[a].s];
            if matches!(gap, " " | ". ") {
                let tstart = self.title_ending_at(text, toks, a.saturating_sub(4), a - 1);
                if tstart.is_some() && self.lex.ctx(text, &toks[a - 1], W_TITLE1) {
                    let mut m = a;
                    while m < b && m - a < 4 && !self.is_connector(text, &toks[m]) {
                        m += 1;
                    }
                    if self.plausible_name(text, toks, a, m, 4.6) {
                        self.push_person(toks, a, m, self.ids.title.clone(), prio::TITLE, cands);
                    }
                }
            }
        }
    }

    /// A name after a title: no everyday word (`General Electric`) unless it is a first name,
    /// no head word, not a place or group name from a strong table.
    fn plausible_name(&self, text: &str, toks: &[Tok], a: usize, b: usize, max_zipf: f32) -> bool {
        if a >= b {
            return false;
        }
        if is_particle(text, &toks[b - 1]) {
            return false;
        }
        for t in &toks[a..b] {
            if is_particle(text, t) {
                continue;
            }
            if !t.cap() || t.has(W_NONENT | W_HEAD_LAST) {
                return false;
            }
            // an everyday word (`General Electric`), unless a known name (`Kerry Washington`)
            if t.zipf >= max_zipf && !t.has(W_FIRST | W_GAZ) {
                return false;
            }
        }
        if b - a == 1 {
            let t = &toks[a];
            let label = if t.has(W_GAZ) {
                self.lex.entries[t.gaz as usize].label
            } else {
                ""
            };
            if label == "NORP"
                || (t.has(W_GAZ_STRONG) && !t.has(W_GAZ_AMBIG) && matches!(label, "GPE" | "LOC"))
            {
                return false;
            }
        }
        true
    }

    fn push_person(
        &self,
        toks: &[Tok],
        a: usize,
        b: usize,
        rule: RuleId,
        prio: u8,
        cands: &mut Vec<Cand>,
    ) {
        cands.push(Cand {
            s: toks[a].s,
            e: toks[b - 1].e,
            label: "PERSON",
            entry: None,
            norm: None,
            rule,
            prio,
        });
    }

    fn person_segment(&self, text: &str, toks: &[Tok], a: usize, b: usize, cands: &mut Vec<Cand>) {
        let en = &self.enabled;
        let lex = &self.lex;
        let n = b - a;
        // first name + capitalised surname(s)
        if en.first_name && (2..=4).contains(&n) {
            let t = &toks[a];
            let first_ok = t.has(W_FIRST) && t.e - t.s > 1 && !t.has(W_GAZ_NORP_ORG);
            // after a first name that is not itself an everyday word (`Gordon`, not `Will`), a
            // surname may be one (`Gordon Brown`)
            let max_zipf = if t.zipf < 5.0 { 5.5 } else { 4.6 };
            if first_ok && self.plausible_name(text, toks, a + 1, b, max_zipf) {
                self.push_person(
                    toks,
                    a,
                    b,
                    self.ids.first_name.clone(),
                    prio::FIRST_NAME,
                    cands,
                );
            }
        }
        // initials + surname: `R. Pemberton`, `J.R.R. Tolkien`
        if en.initials && n >= 2 {
            let mut k = a;
            while k < b
                && toks[k].e - toks[k].s == 1
                && toks[k].cap()
                && text[toks[k].e..].starts_with('.')
            {
                k += 1;
            }
            // `U.S. Mint`: initials that spell a known name are not a person's
            let known = k > a
                && lex
                    .exact
                    .longest_prefix(&text.as_bytes()[toks[a].s..toks[k - 1].e + 1])
                    .is_some();
            if k > a && k < b && !known && self.plausible_name(text, toks, k, b, 4.6) {
                self.push_person(toks, a, b, self.ids.initials.clone(), prio::INITIALS, cands);
            }
        }
        // two or three rare capitalised words that no list knows: `Ilkka Vanhanen`
        if en.name_shape && (2..=3).contains(&n) {
            let ok = (a..b).all(|k| {
                let t = &toks[k];
                if k > a && is_particle(text, t) {
                    return true;
                }
                t.cap()
                    && !t.upper()
                    && t.e - t.s > 1
                    && (k > a && !t.has(W_GAZ_STRONG) || !t.has(W_GAZ))
                    && !t.has(W_HEAD_LAST | W_NONENT | W_TITLE1)
                    && (t.zipf < 3.0 || t.has(W_FIRST) && t.zipf < 4.5)
            }) && (a == 0 || !text[toks[a - 1].e..toks[a].s].ends_with('-'));
            if ok {
                self.push_person(
                    toks,
                    a,
                    b,
                    self.ids.name_shape.clone(),
                    prio::NAME_SHAPE,
                    cands,
                );
            }
        }
        // `Okonjo, 52, a retired teacher`: a name followed by an age between commas
        if en.age
            && (1..=3).contains(&n)
            && b < toks.len()
            && b + 1 < toks.len()
            && toks[b].digits()
            && toks[b].e - toks[b].s == 2
        {
            let age = &toks[b];
            let gap1 = text[toks[b - 1].e..age.s].trim();
            let gap2 = text[age.e..toks[b + 1].s].trim();
            if gap1 == ","
                && (gap2 == "," || gap2.starts_with(','))
                && age.digits()
                && age.e - age.s == 2
                && !toks[a..b].iter().any(|t| t.has(W_GAZ_STRONG) || t.upper())
                && self.plausible_said(toks, a, b)
            {
                self.push_person(toks, a, b, self.ids.age.clone(), prio::PERSON_SAID, cands);
            }
        }
        // the context flags of the next word when one space away (read by the two rules below)
        let after_flags = if (1..=3).contains(&n) && (en.org_context || en.said) {
            toks.get(b)
                .filter(|t| text[toks[b - 1].e..t.s] == *" ")
                .map_or(0, |t| lex.ctx_flags(text, t))
        } else {
            0
        };
        // `X shares`, `X spokesman`: an organisation
        if en.org_context
            && after_flags & W_ORG_AFTER != 0
            && !toks[a..b]
                .iter()
                .any(|t| t.has(W_GAZ | W_FIRST | W_NONENT) || t.zipf >= 4.0)
        {
            cands.push(Cand {
                s: toks[a].s,
                e: toks[b - 1].e,
                label: "ORG",
                entry: None,
                norm: None,
                rule: self.ids.org_context.clone(),
                prio: prio::PERSON_SAID,
            });
        }
        // `X said` / `said X`
        if en.said && (1..=3).contains(&n) {
            let before = a
                .checked_sub(1)
                .map(|p| &toks[p])
                .filter(|t| text[t.e..toks[a].s] == *" ");
            let verb_after = after_flags & W_PVERB != 0;
            let verb_before =
                before.is_some_and(|t| t.text(text) == "said" || t.text(text) == "says");
            if (verb_after || verb_before) && self.plausible_said(toks, a, b) {
                self.push_person(toks, a, b, self.ids.said.clone(), prio::PERSON_SAID, cands);
            }
        }
    }

    fn plausible_said(&self, toks: &[Tok], a: usize, b: usize) -> bool {
        for t in &toks[a..b] {
            if t.upper() && t.e - t.s > 1 {
                return false;
            }
            if t.has(W_NONENT | W_HEAD_LAST) {
                return false;
            }
            if t.zipf >= 4.6 && !t.has(W_FIRST) {
                return false;
            }
            // `Analysts said` at the start of a sentence: a common noun
            if t.sent_start() && t.zipf >= 3.0 && !t.has(W_FIRST) {
                return false;
            }
            if t.has(W_GAZ) && !t.has(W_GAZ_AMBIG) && b - a == 1 {
                return false;
            }
        }
        true
    }

    /// Step 5: what the document established.
    fn document_context(&self, text: &str, toks: &[Tok], caps: &[u32], accepted: &mut Vec<Cand>) {
        let lex = &self.lex;
        // surface form -> (label, norm)
        let mut known: FxMap<&str, (&'static str, Arc<str>, Option<u32>)> = FxMap::default();
        let mut surnames: FxMap<&str, Arc<str>> = FxMap::default();
        // (`resolve` gave them sorted by start)
        for c in accepted.iter() {
            let span = &text[c.s..c.e];
            let norm = || -> Arc<str> {
                match c.entry {
                    Some(i) => lex.shared(i).canonical.clone(),
                    None => c.norm.clone().unwrap_or_else(|| Arc::from(span)),
                }
            };
            // `European Union (EU)`: the acronym in parentheses after a name
            if let Some(rest) = text[c.e..].strip_prefix(" (")
                && let Some(close) = rest.find(')')
            {
                let acr = &rest[..close];
                if (2..=8).contains(&acr.len())
                    && acr
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b == b'.' || b == b'&')
                {
                    known
                        .entry(acr)
                        .or_insert_with(|| (c.label, norm(), c.entry));
                }
            }
            if c.entry.is_none() && span.contains(' ') {
                let n = norm();
                if c.label == "PERSON"
                    && let Some(last) = span.rsplit(' ').next()
                    && last.len() > 1
                {
                    surnames.entry(last).or_insert_with(|| n.clone());
                }
                known.entry(span).or_insert((c.label, n, None));
            }
        }
        if !self.enabled.propagate && !self.enabled.doc_person && !self.enabled.sports_club {
            return;
        }
        // accepted spans never overlap: sorted by start, their ends are sorted too
        let acc_spans: Vec<(usize, usize)> = {
            let mut v: Vec<(usize, usize)> = accepted.iter().map(|c| (c.s, c.e)).collect();
            v.sort_unstable();
            v
        };
        let covered_acc = |s: usize, e: usize| {
            let pos = acc_spans.partition_point(|&(a, _)| a < e);
            acc_spans[..pos].last().is_some_and(|&(_, b)| b > s)
        };
        // an acronym the document defined takes the definition's label and canonical name
        for c in accepted.iter_mut() {
            if c.rule == self.ids.acronym
                && let Some((label, norm, entry)) = known.get(&text[c.s..c.e])
            {
                c.label = label;
                c.norm = Some(norm.clone());
                c.entry = *entry;
                c.rule = self.ids.definition.clone();
            }
        }
        let mut extra: Vec<Cand> = Vec::new();
        // relabel gazetteer places that are this document's surnames
        if self.enabled.doc_person && !surnames.is_empty() {
            for c in accepted.iter_mut() {
                if c.entry.is_none() || c.label == "PERSON" {
                    continue;
                }
                let span = &text[c.s..c.e];
                if let Some(norm) = surnames.get(span) {
                    let after_prep = tok_at(toks, c.s)
                        .and_then(|i| i.checked_sub(1))
                        .is_some_and(|p| lex.ctx(text, &toks[p], W_LPREP));
                    if !after_prep {
                        c.label = "PERSON";
                        c.norm = Some(norm.clone());
                        c.entry = None;
                        c.rule = self.ids.doc_person.clone();
                    }
                }
            }
        }
        if self.enabled.propagate && (!known.is_empty() || !surnames.is_empty()) {
            // a phrase starting at a token has that token as its first word: tokens that start
            // no known phrase need no lookups
            let first_words: lexicon::FxSet<&str> = known
                .keys()
                .chain(surnames.keys())
                .map(|k| lexicon::first_word(k))
                .collect();
            // a bit per (first byte, length) of those words, to skip most tokens without hashing
            let mut fw_filter = [0u32; 256];
            for w in &first_words {
                match w.as_bytes().first() {
                    Some(&b) if w.len() < 32 => fw_filter[b as usize] |= 1 << w.len(),
                    // an empty or long first word: every token is looked up
                    _ => fw_filter = [u32::MAX; 256],
                }
            }
            let maybe_first = |t: &Tok| {
                let n = t.e - t.s;
                n >= 32 || fw_filter[text.as_bytes()[t.s] as usize] & (1 << n) != 0
            };
            // a known phrase starts at a capitalised token (`caps`) after the previous one
            let mut i = 0;
            for &ci in caps {
                if (ci as usize) < i {
                    continue;
                }
                i = ci as usize;
                let t = &toks[i];
                if !maybe_first(t) || !first_words.contains(t.text(text)) || covered_acc(t.s, t.e) {
                    i += 1;
                    continue;
                }
                // the longest known phrase starting here (up to 4 tokens)
                let mut found: Option<(usize, &'static str, Arc<str>, Option<u32>)> = None;
                for n in 1..=4usize {
                    let j = i + n - 1;
                    if j >= toks.len() || !toks[j].cap() {
                        break;
                    }
                    let s = &text[t.s..toks[j].e];
                    if n == 1
                        && let Some(norm) = surnames.get(s)
                    {
                        found = Some((j, "PERSON", norm.clone(), None));
                    }
                    if let Some((l, norm, entry)) = known.get(s) {
                        found = Some((j, l, norm.clone(), *entry));
                    }
                }
                if let Some((j, label, norm, entry)) = found {
                    let (s, e) = (t.s, toks[j].e);
                    let in_extra = extra.last().is_some_and(|c: &Cand| c.e > s);
                    if !covered_acc(s, e) && !in_extra {
                        extra.push(Cand {
                            s,
                            e,
                            label,
                            entry,
                            norm: Some(norm),
                            rule: if text[s..e].contains(' ') || label == "PERSON" {
                                self.ids.propagate.clone()
                            } else {
                                self.ids.definition.clone()
                            },
                            prio: prio::PROPAGATE,
                        });
                    }
                    i = j + 1;
                } else {
                    i += 1;
                }
            }
        }
        accepted.extend(extra);
        if self.enabled.sports_club {
            self.sports(text, toks, accepted);
        }
    }

    /// In sports sentences, a city or county not after `in/at/from` is a club.
    fn sports(&self, text: &str, toks: &[Tok], accepted: &mut [Cand]) {
        let lex = &self.lex;
        let weak_place = |c: &Cand| {
            c.label == "GPE"
                && c.entry.is_some_and(|i| {
                    let t = lex.entries[i as usize].table as usize;
                    matches!(lexicon::TABLES[t].rule, "gaz.cities" | "gaz.subdivisions")
                })
        };
        if !accepted.iter().any(weak_place) {
            return;
        }
        // sports cues of a line, computed only for lines with a city or county on them
        let doc_sports = toks.iter().take(12).any(|t| lex.ctx(text, t, W_SPORT));
        let newline_before = |k: usize| k == 0 || toks[k].nl();
        let mut line_cache: Vec<(usize, usize, bool)> = Vec::new();
        let mut line_of = |ti: usize| -> (usize, usize, bool) {
            // places come in text order: the line of the previous one is the likely hit
            if let Some(&l) = line_cache
                .iter()
                .rev()
                .take(4)
                .find(|l| l.0 <= ti && ti < l.1)
            {
                return l;
            }
            let mut i = ti;
            while !newline_before(i) {
                i -= 1;
            }
            let mut j = ti + 1;
            while j < toks.len() && !newline_before(j) {
                j += 1;
            }
            let mut sporty = false;
            let mut has_digit = false;
            for k in i..j {
                let t = &toks[k];
                if t.digits() {
                    has_digit = true;
                    // a score: two one-digit numbers joined by a hyphen (`3-1`)
                    if k + 1 < j
                        && t.e - t.s == 1
                        && &text[t.e..toks[k + 1].s] == "-"
                        && toks[k + 1].digits()
                        && toks[k + 1].e - toks[k + 1].s == 1
                        && !text[toks[k + 1].e..].starts_with('-')
                        && !text[..t.s].ends_with('-')
                    {
                        sporty = true;
                    }
                } else if t.lower() && lex.sport_word(text, t) {
                    sporty = true;
                }
            }
            // in a sports report, result tables (lines with numbers) and the lines after the
            // headline (`LEEDS AT NORWICH`) are sports context
            if doc_sports && (has_digit || i > 0) {
                sporty = true;
            }
            line_cache.push((i, j, sporty));
            (i, j, sporty)
        };
        let mut changed: Vec<usize> = Vec::new();
        for (ci, c) in accepted.iter_mut().enumerate() {
            if !weak_place(c) {
                continue;
            }
            let Some(ti) = tok_at(toks, c.s) else {
                continue;
            };
            if !line_of(ti).2 {
                continue;
            }
            let after_prep = ti
                .checked_sub(1)
                .is_some_and(|p| lex.ctx(text, &toks[p], W_LPREP));
            // a dateline (`OSLO 2026-03-02`) stays a place
            let line_start = ti == 0 || toks[ti].nl();
            let next = toks.partition_point(|t| t.s < c.e);
            // a dateline: the place opens its line and a year follows within a few words
            // (`OSLO 2026-03-02`, `TROMSO, Norway 2026-03-02`)
            let dateline = line_start
                && toks[next.min(toks.len())..]
                    .iter()
                    .take(4)
                    .take_while(|n| !n.nl())
                    .any(|n| n.digits() && n.e - n.s == 4);
            // inside parentheses or after a venue (`(at Ibrox, Glasgow)`, `(Norway)`)
            let after = text[c.e..].trim_start_matches(' ');
            let before = text[..c.s].trim_end_matches(' ');
            let in_parens =
                after.starts_with(')') && (before.ends_with('(') || before.ends_with(','));
            // a modifier: `the Oslo side`, `the same Lisbon arena`
            let modifier = ti > 0
                && matches!(
                    toks[ti - 1].text(text),
                    "the" | "same" | "this" | "that" | "a"
                )
                && toks
                    .get(next)
                    .is_some_and(|n| n.lower() && text[c.e..n.s] == *" ");
            // a venue before a colon (`Tromso : Bergen 241`) stays a place
            let venue = text[c.e..].trim_start_matches(' ').starts_with(':');
            if after_prep || dateline || venue || in_parens || modifier {
                continue;
            }
            c.label = "ORG";
            c.rule = self.ids.sports_club.clone();
            c.entry = None;
            c.norm = None;
            changed.push(ci);
        }
        // a club name is the whole capitalised phrase around the place (`Sporting Lisbon`)
        let mut starts: Vec<(usize, usize)> = accepted.iter().map(|c| (c.s, c.e)).collect();
        starts.sort_unstable();
        let free = |s: usize, e: usize| {
            let pos = starts.partition_point(|&(a, _)| a < e);
            starts[..pos].last().is_none_or(|&(_, b)| b <= s)
        };
        for ci in changed {
            let c = &mut accepted[ci];
            let Some(first) = tok_at(toks, c.s) else {
                continue;
            };
            let mut last = toks.partition_point(|t| t.s < c.e) - 1;
            let same_case = |t: &Tok| {
                t.cap()
                    && !t.digits()
                    && !t.caps_line()
                    && !t.upper()
                    && t.zipf < if t.sent_start() { 5.0 } else { 6.0 }
            };
            while last + 1 < toks.len()
                && &text[toks[last].e..toks[last + 1].s] == " "
                && same_case(&toks[last + 1])
                && free(toks[last + 1].s, toks[last + 1].e)
                && !toks[last + 1].has(W_NONENT)
            {
                last += 1;
            }
            let mut f = first;
            while f > 0
                && &text[toks[f - 1].e..toks[f].s] == " "
                && same_case(&toks[f - 1])
                && free(toks[f - 1].s, toks[f - 1].e)
                && !toks[f - 1].has(W_NONENT)
            {
                f -= 1;
            }
            c.s = toks[f].s;
            c.e = toks[last].e;
        }
    }
}

/// The overlap policy: longest span first, then the earliest start, then the lowest priority
/// number; a candidate overlapping one already accepted is dropped. The accepted candidates come
/// back sorted by start (stably: in acceptance order where starts tie).
#[inline(never)]
fn resolve(cands: Vec<Cand>, ann: &mut Annotations, text: &str) -> Vec<Cand> {
    // sort small keys rather than the large candidates; the index last keeps the order stable
    let mut order: Vec<(Reverse<usize>, usize, u8, u32)> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| (Reverse(c.e - c.s), c.s, c.prio, i as u32))
        .collect();
    order.sort_unstable();
    // the bytes of accepted spans, a bit each: a span overlaps an accepted one when it covers one
    // of its bytes (for non-empty spans, which all are but in odd tests: those take the B-tree)
    let bitmap = cands.iter().all(|c| c.s < c.e && c.e <= text.len());
    let mut covered: Vec<u64> = if bitmap {
        vec![0; text.len() / 64 + 1]
    } else {
        Vec::new()
    };
    // accepted spans by start (a B-tree keeps insertion O(log n) on huge documents)
    let mut spans: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    // which candidates are kept (they stay in place: no candidate is moved until the end)
    let mut keep = vec![false; cands.len()];
    for &(.., i) in &order {
        let c = &cands[i as usize];
        // accepted spans never overlap, so their ends are sorted too: only the last one that
        // starts before this candidate ends can reach into it
        let overlaps = if bitmap {
            bits_any(&covered, c.s, c.e)
        } else {
            spans
                .range(..c.e)
                .next_back()
                .is_some_and(|(_, &e)| e > c.s)
        };
        if overlaps {
            ann.dropped(
                "entities",
                Span::new(c.s, c.e),
                || format!("{} {}", c.label, &text[c.s..c.e]),
                &c.rule,
                || "overlaps a longer, earlier or higher-priority mention".to_string(),
            );
            continue;
        }
        if bitmap {
            bits_set(&mut covered, c.s, c.e);
        } else {
            spans.insert(c.s, c.e);
        }
        keep[i as usize] = true;
    }
    let mut accepted = cands;
    let mut k = 0;
    accepted.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    if bitmap {
        // non-empty spans that do not overlap: their starts are distinct, so sorting them by
        // start needs no tie-break
        accepted.sort_unstable_by_key(|c| c.s);
    } else {
        // by start, then in acceptance order (the order of `order`; a stable sort keeps the
        // candidates' own order for full ties, as `order`'s index does)
        accepted.sort_by_key(|c| (c.s, Reverse(c.e - c.s), c.prio));
    }
    accepted
}

/// The bits `s..e` (`s < e`) of a bit set, word by word: `(word index, mask)`.
#[inline]
fn bit_words(s: usize, e: usize) -> impl Iterator<Item = (usize, u64)> {
    let (first, last) = (s / 64, (e - 1) / 64);
    (first..=last).map(move |w| {
        let lo = if w == first { s % 64 } else { 0 };
        let hi = if w == last { (e - 1) % 64 } else { 63 };
        (w, (u64::MAX >> (63 - hi)) & (u64::MAX << lo))
    })
}

fn bits_any(bits: &[u64], s: usize, e: usize) -> bool {
    bit_words(s, e).any(|(w, m)| bits[w] & m != 0)
}

fn bits_set(bits: &mut [u64], s: usize, e: usize) {
    for (w, m) in bit_words(s, e) {
        bits[w] |= m;
    }
}

#[cfg(test)]
mod tests;
