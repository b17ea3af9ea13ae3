//! The dates grammar: word lists (`rules/dates/lexicon.tsv`) and patterns
//! (`rules/dates/patterns.tsv`), compiled once into a single multi-pattern regex.
//!
//! Match semantics: leftmost-first across all patterns; at the same start the pattern listed
//! first in `patterns.tsv` wins, so longer and more specific rules are listed before shorter
//! ones. Every pattern names the parts it recognises with capture groups (`year`, `month`,
//! `num`, `unit`, …, see [`Field`]); the group `t`, when present, is the mention's span (context
//! words such as `in`/`on` stay outside it, as TimeML wants).

use std::collections::HashMap;

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::util::primitives::StateID;
use regex_automata::util::wire::AlignAs;
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, Input, meta};
use regex_syntax::hir::{Hir, HirKind};

use crate::annotations::{RuleId, Span};
use crate::rules::{RuleError, RuleSet};

pub const LEXICON: &str = "dates/lexicon.tsv";
pub const PATTERNS: &str = "dates/patterns.tsv";

/// The named parts a pattern can capture. A group name may carry a numeric suffix (`year2`)
/// when a pattern needs the same part in two alternatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The mention span (default: the whole match).
    T,
    Year,
    /// A two-digit year (`'98`, `FY27`).
    Yy,
    Month,
    Day,
    Weekday,
    Num,
    Unit,
    Dir,
    Mod,
    Qual,
    Ord,
    Season,
    Decade,
    Century,
    Hour,
    Min,
    Ampm,
    Pod,
    Tz,
    /// A lexicon word whose value the rule's kind interprets (deictic, ref, setword).
    Word,
    /// Direction after the unit: `ago`, `earlier`, `later`, `from now`.
    Ago,
    /// Numeric date parts whose order depends on `day_first`.
    A,
    B,
}

pub const FIELDS: &[(&str, Field)] = &[
    ("t", Field::T),
    ("year", Field::Year),
    ("yy", Field::Yy),
    ("month", Field::Month),
    ("day", Field::Day),
    ("wd", Field::Weekday),
    ("num", Field::Num),
    ("unit", Field::Unit),
    ("dir", Field::Dir),
    ("mod", Field::Mod),
    ("qual", Field::Qual),
    ("ord", Field::Ord),
    ("season", Field::Season),
    ("decade", Field::Decade),
    ("century", Field::Century),
    ("hour", Field::Hour),
    ("min", Field::Min),
    ("ampm", Field::Ampm),
    ("pod", Field::Pod),
    ("tz", Field::Tz),
    ("word", Field::Word),
    ("ago", Field::Ago),
    ("a", Field::A),
    ("b", Field::B),
];

pub const N_FIELDS: usize = 24;

fn field_index(f: Field) -> usize {
    f as usize
}

/// How a rule's captures become a TIMEX3 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Consumes text so nothing else matches there (money, `No. 10`, scores, versions).
    Veto,
    /// Calendar date from year / month / day / weekday parts (any may be missing).
    Date,
    /// `20/05/2026`: day and month order from the `day_first` option.
    Numeric,
    /// A bare year (`1998`), accepted only where a context check allows it.
    Year,
    /// A month name alone: the year comes from the anchor and the sentence's tense.
    Month,
    /// A weekday: the anchor's week, past or future by tense.
    Weekday,
    /// `today`, `yesterday`, `tonight` (lexicon class `deictic`).
    Deictic,
    /// `now`, `recently`, `soon` (lexicon class `ref`).
    Ref,
    /// `last week`, `next month`, `this year`, `the end of the year`.
    RelUnit,
    /// `two weeks ago`, `a year earlier`, `three days later`.
    Ago,
    /// `in three days` (future offset from the anchor).
    InUnits,
    /// Quarters `Q3 2025`, `the third quarter`, halves `H1 2026`.
    Quarter,
    Half,
    Season,
    Decade,
    Century,
    /// `fiscal 2027`, `FY27`.
    Fiscal,
    /// `the quarter`, `the latest quarter`: the quarter the story reports on.
    RefQuarter,
    /// Clock times with an optional date part.
    Time,
    /// `noon`, `midnight`.
    TimeWord,
    /// `three years`, `18-month`, `5 1/2 hours`, `the past two months`.
    Duration,
    /// `recent weeks` → `PXW`.
    VagueDuration,
    /// `daily`, `annually` (lexicon class `setword`).
    SetWord,
    /// `every year`, `each Thursday`, `every two weeks`.
    SetEvery,
    /// `Thanksgiving`, `Christmas`, `Election Day` (lexicon class `holiday`).
    Holiday,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "veto" => Kind::Veto,
            "date" => Kind::Date,
            "numeric" => Kind::Numeric,
            "year" => Kind::Year,
            "month" => Kind::Month,
            "weekday" => Kind::Weekday,
            "deictic" => Kind::Deictic,
            "ref" => Kind::Ref,
            "rel_unit" => Kind::RelUnit,
            "ago" => Kind::Ago,
            "in_units" => Kind::InUnits,
            "quarter" => Kind::Quarter,
            "half" => Kind::Half,
            "season" => Kind::Season,
            "decade" => Kind::Decade,
            "century" => Kind::Century,
            "fiscal" => Kind::Fiscal,
            "ref_quarter" => Kind::RefQuarter,
            "time" => Kind::Time,
            "time_word" => Kind::TimeWord,
            "duration" => Kind::Duration,
            "vague_duration" => Kind::VagueDuration,
            "set_word" => Kind::SetWord,
            "set_every" => Kind::SetEvery,
            "holiday" => Kind::Holiday,
            _ => return None,
        })
    }
}

/// One rule of `patterns.tsv`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: RuleId,
    pub kind: Kind,
    /// Lexicon class the previous word must belong to (`before=CLASS`).
    pub before: Option<String>,
    /// Lexicon class the previous word must not belong to (`not_before=CLASS`).
    pub not_before: Option<String>,
    /// Lexicon class the next word must not belong to (`not_after=CLASS`).
    pub not_after: Option<String>,
    /// Fixed TIMEX3 mod (`mod=END`).
    pub fixed_mod: Option<&'static str>,
    /// Fixed TIMEX3 type override (`type=DURATION`).
    pub fixed_type: Option<&'static str>,
    /// Fixed value (`value=P2D`).
    pub fixed_value: Option<String>,
    /// Group index of each field in this pattern's captures (`usize::MAX` when absent).
    groups: [Vec<usize>; N_FIELDS],
}

/// The TIMEX3 `mod` values a rule or word list may name.
pub const MODS: &[&str] = &[
    "START",
    "MID",
    "END",
    "APPROX",
    "BEFORE",
    "AFTER",
    "ON_OR_BEFORE",
    "ON_OR_AFTER",
    "LESS_THAN",
    "MORE_THAN",
    "EQUAL_OR_LESS",
    "EQUAL_OR_MORE",
    "EARLY",
    "LATE",
];

pub fn static_mod(s: &str) -> Option<&'static str> {
    MODS.iter().copied().find(|m| *m == s)
}

const TYPES: &[&str] = &["DATE", "TIME", "DURATION", "SET"];

/// Word lists by class: normalised word → value.
#[derive(Debug, Default)]
pub struct Lexicon {
    classes: HashMap<String, Vec<(String, String)>>,
    index: FxMap<String, FxMap<String, String>>,
    /// Per class, the first words of its entries of several words (split at the first space
    /// or `-`): a two-word lookup whose first word is not here cannot succeed.
    firsts: FxMap<String, FxSet<String>>,
}

use crate::extract::fx::{FxMap, FxSet};

/// Whether `s` holds the ASCII byte `a` or `b` (a byte loop: the words are short, and
/// `str::contains` with a char set decodes every char).
fn has_byte(s: &str, a: u8, b: u8) -> bool {
    s.bytes().any(|c| c == a || c == b)
}

/// `words[w]` with every byte `from` of `w` read as `to` (both ASCII): on the stack when short.
fn get_replaced<'a>(
    words: &'a FxMap<String, String>,
    w: &str,
    from: u8,
    to: u8,
) -> Option<&'a str> {
    let mut buf = [0u8; 64];
    let Some(b) = buf.get_mut(..w.len()) else {
        return words
            .get(&w.replace(char::from(from), &char::from(to).to_string()))
            .map(String::as_str);
    };
    for (d, &c) in b.iter_mut().zip(w.as_bytes()) {
        *d = if c == from { to } else { c };
    }
    // an ASCII byte for an ASCII byte keeps the text UTF-8
    let replaced = std::str::from_utf8(b).ok()?;
    words.get(replaced).map(String::as_str)
}

/// [`Lexicon::may_start`] with the class's first words looked up already.
pub fn may_start_in(firsts: Option<&FxSet<String>>, first: &str) -> bool {
    let Some(firsts) = firsts else {
        return false;
    };
    let mut buf = [0u8; 32];
    let Some(b) = buf.get_mut(..first.len()) else {
        return true;
    };
    if !first.is_ascii() {
        return true;
    }
    for (d, c) in b.iter_mut().zip(first.bytes()) {
        *d = c.to_ascii_lowercase();
    }
    // ASCII in, ASCII out: always UTF-8
    std::str::from_utf8(b).is_ok_and(|w| firsts.contains(w))
}

/// Lower case, whitespace runs as one space, a trailing `.` dropped.
pub fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    while out.ends_with('.') {
        out.pop();
    }
    out
}

/// Already in normal form (the common case: a lower-case ASCII word): no allocation needed.
fn is_normal(s: &str) -> bool {
    !s.is_empty()
        && !s.ends_with('.')
        && s.bytes().all(|b| {
            b.is_ascii() && !b.is_ascii_uppercase() && b != b'\t' && b != b'\n' && b != b'\r'
        })
        && !s.as_bytes().windows(2).any(|w| w == b"  ")
        && !s.starts_with(' ')
        && !s.ends_with(' ')
}

/// Whether `get` looks `word` up as it is, and only so: non-empty ASCII lower case letters,
/// digits and `'` (no normalising, no `-`/space variants).
pub fn is_plain_word(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'\'')
}

impl Lexicon {
    pub fn load(rules: &RuleSet) -> Result<Self, RuleError> {
        let mut lex = Lexicon::default();
        for line in rules.lines(LEXICON) {
            let f = line.fields();
            if f.len() != 3 || f.iter().any(|x| x.trim().is_empty()) {
                return Err(line.error("expected: class <TAB> word <TAB> value"));
            }
            let class = f[0].trim().to_string();
            let word = normalise(f[1]);
            let value = f[2].trim().to_string();
            lex.index
                .entry(class.clone())
                .or_default()
                .insert(word.clone(), value.clone());
            if let Some(i) = word.find([' ', '-']) {
                lex.firsts
                    .entry(class.clone())
                    .or_default()
                    .insert(word[..i].to_string());
            }
            let list = lex.classes.entry(class).or_default();
            if let Some(slot) = list.iter_mut().find(|(w, _)| *w == word) {
                slot.1 = value;
            } else {
                list.push((word, value));
            }
        }
        Ok(lex)
    }

    /// The value of a word in a class (the word is normalised first; a `-` also matches a
    /// space).
    pub fn get(&self, class: &str, word: &str) -> Option<&str> {
        let words = self.index.get(class)?;
        let normalised;
        let w: &str = if is_normal(word) {
            if let Some(v) = words.get(word) {
                return Some(v.as_str());
            }
            if !has_byte(word, b'-', b' ') {
                return None;
            }
            if has_byte(word, b'\x0b', b'\x0c') {
                normalised = normalise(word);
                if let Some(v) = words.get(&normalised) {
                    return Some(v.as_str());
                }
                &normalised
            } else {
                // normalising would not change it: looked up already
                word
            }
        } else if word.len() <= 32 && word.bytes().all(|b| b.is_ascii_graphic() && b != b'-') {
            // A single ASCII word with capitals or a trailing dot ("Friday", "Sept."): lower
            // case on the stack.
            let mut buf = [0u8; 32];
            let w = word.trim_end_matches('.').as_bytes();
            for (d, b) in buf.iter_mut().zip(w) {
                *d = b.to_ascii_lowercase();
            }
            let lower = std::str::from_utf8(&buf[..w.len()]).ok()?;
            return words.get(lower).map(|v| v.as_str());
        } else {
            normalised = normalise(word);
            if let Some(v) = words.get(&normalised) {
                return Some(v.as_str());
            }
            &normalised
        };
        if w.as_bytes().contains(&b'-')
            && let Some(v) = get_replaced(words, w, b'-', b' ')
        {
            return Some(v);
        }
        if w.as_bytes().contains(&b' ')
            && let Some(v) = get_replaced(words, w, b' ', b'-')
        {
            return Some(v);
        }
        None
    }

    pub fn has(&self, class: &str, word: &str) -> bool {
        self.get(class, word).is_some()
    }

    /// False when no entry of several words in `class` can start with the single word
    /// `first`: then `has(class, "first …")` is false. Only decided for an ASCII word (true
    /// otherwise), whose lower case is the one `normalise` gives.
    pub fn may_start(&self, class: &str, first: &str) -> bool {
        may_start_in(self.firsts_of(class), first)
    }

    /// The first words of `class`'s entries of several words, for [`may_start_in`] (one
    /// class lookup for many words).
    pub fn firsts_of(&self, class: &str) -> Option<&FxSet<String>> {
        self.firsts.get(class)
    }

    /// A class's words (normalised) and values, for callers that look up many words of one
    /// class: a plain lookup equals [`Lexicon::get`] for a word [`is_plain_word`] accepts.
    pub fn words_of(&self, class: &str) -> Option<&FxMap<String, String>> {
        self.index.get(class)
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.classes.contains_key(class)
    }

    /// A regex alternation of a class's words, longest first; `capitalised` gives the
    /// `Capitalised` and `UPPER` forms only, matched case-sensitively.
    fn alternation(&self, class: &str, capitalised: bool) -> Option<String> {
        let words = self.classes.get(class)?;
        let mut forms: Vec<String> = Vec::new();
        for (w, _) in words {
            if capitalised {
                let mut c = w.chars();
                if let Some(first) = c.next() {
                    forms.push(first.to_uppercase().collect::<String>() + c.as_str());
                }
                // Title Case for multi-word entries ("New Year's Day")
                let title: Vec<String> = w
                    .split(' ')
                    .map(|part| {
                        let mut pc = part.chars();
                        match pc.next() {
                            Some(f) => f.to_uppercase().collect::<String>() + pc.as_str(),
                            None => String::new(),
                        }
                    })
                    .collect();
                forms.push(title.join(" "));
                forms.push(w.to_uppercase());
            } else {
                forms.push(w.clone());
            }
        }
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        forms.dedup();
        let atoms: Vec<Vec<String>> = forms
            .iter()
            .map(|w| {
                w.chars()
                    .map(|c| match c {
                        ' ' => r"\s+".to_string(),
                        '-' => r"[-\s]?".to_string(),
                        c if regex_syntax_meta(c) => format!("\\{c}"),
                        c => c.to_string(),
                    })
                    .collect()
            })
            .collect();
        let alt = trie_regex(&atoms);
        if capitalised {
            Some(format!("(?-i:{alt})"))
        } else {
            Some(format!("(?:{alt})"))
        }
    }
}

/// The alternation of `words` (each a sequence of regex atoms, longest word first) with
/// common prefixes factored out: `sept(?:ember)?` rather than `september|sept`. Leftmost-first
/// preference is kept (at each branch the longer continuation comes first, stopping last),
/// and the automata get smaller: the capture search no longer tries every word of a class in
/// turn at each position, and the DFA's states hold fewer NFA states.
fn trie_regex(words: &[Vec<String>]) -> String {
    #[derive(Default)]
    struct Node {
        children: Vec<(String, Node)>,
        end: bool,
        longest: usize,
    }
    let mut root = Node::default();
    for w in words {
        let mut node = &mut root;
        node.longest = node.longest.max(w.len());
        for (i, atom) in w.iter().enumerate() {
            let k = match node.children.iter().position(|(a, _)| a == atom) {
                Some(k) => k,
                None => {
                    node.children.push((atom.clone(), Node::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[k].1;
            node.longest = node.longest.max(w.len() - i - 1);
        }
        node.end = true;
    }
    fn emit(node: &Node, out: &mut String) {
        let mut kids: Vec<&(String, Node)> = node.children.iter().collect();
        // stable: equal lengths keep the input order
        kids.sort_by_key(|k| std::cmp::Reverse(k.1.longest));
        let group = kids.len() > 1 || (node.end && !kids.is_empty());
        if group {
            out.push_str("(?:");
        }
        for (i, (atom, child)) in kids.iter().enumerate() {
            if i > 0 {
                out.push('|');
            }
            out.push_str(atom);
            emit(child, out);
        }
        if group {
            out.push(')');
            if node.end {
                out.push('?');
            }
        }
    }
    let mut out = String::new();
    emit(&root, &mut out);
    out
}

fn regex_syntax_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    )
}

/// The compiled grammar.
pub struct Grammar {
    pub rules: Vec<Rule>,
    /// All rules in one automaton: finds where a rule matches and which.
    /// Built on first use when `starts` handles the scan (it is then needed only for
    /// benchmarks and when the scan's DFA gives up): it is the slowest part of start-up.
    regex: std::sync::OnceLock<Option<meta::Regex>>,
    sources: Vec<String>,
    /// Each rule alone: reads the parts of a match `regex` found (an anchored search of one
    /// pattern over a short span).
    singles: Vec<meta::Regex>,
    /// For a rule whose only group is the whole match (`\b(?P<year>…)\b`), that group's
    /// field: its part is the match found, with no capture search.
    whole: Vec<Option<usize>>,
    /// Each thread's capture slots, one per rule, made on first use and kept across documents,
    /// and its memo of capture searches.
    caps: Pool<CapsState, CapsFn>,
    /// The same patterns as an anchored dense DFA, run only where a match can start.
    starts: Option<Starts>,
}

/// The parts a capture search found (full match, then each field), as offsets into its
/// window; `None`: no match.
type MemoParts = Option<([u32; 2], [Option<[u32; 2]>; N_FIELDS])>;

/// Most entries stay useful for a few documents; a full memo starts over.
const MEMO_CAP: usize = 1024;

/// A thread's capture state.
struct CapsState {
    /// One per rule, made on first use.
    caps: Vec<Option<Captures>>,
    /// The result of a capture search by its inputs (the key built by `memo_key`): news
    /// repeats its date phrases ("last year", "on Monday"), and a search costs thousands of
    /// instructions.
    memo: FxMap<Vec<u8>, MemoParts>,
    key: Vec<u8>,
}

/// The inputs of a capture search, all its result depends on: the rule, the window's bytes
/// and where the match starts and ends in it.
fn memo_key(key: &mut Vec<u8>, rule: usize, window: &[u8], start: usize, end: usize) {
    key.clear();
    key.extend_from_slice(&(rule as u32).to_le_bytes());
    key.extend_from_slice(&(start as u32).to_le_bytes());
    key.extend_from_slice(&(end as u32).to_le_bytes());
    key.extend_from_slice(window);
}

/// A span of a memo entry (offsets into the window at `lo`) in the text.
fn window_span(lo: usize, o: [u32; 2]) -> Span {
    Span::new(lo + o[0] as usize, lo + o[1] as usize)
}

type CapsFn =
    Box<dyn Fn() -> CapsState + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// Finds the same matches as `regex.find_iter` (leftmost-first, non-overlapping) with
/// anchored searches of a dense DFA at the positions where a match can start. An unanchored
/// automaton over the whole grammar tracks every pattern at every recent start (far more
/// states); the anchored one is small enough to be built whole (about 8,000 states), so no
/// search ever pays for determinising a state, as a lazy DFA's first searches on new text do.
/// `first`, `second` and `third` say, for the byte before a position (256: start of text) and
/// the first three bytes at it, whether the DFA survives them: where it dies no match starts,
/// so the tables are exact, not a heuristic. Most words die on their third byte (`to `, `and`,
/// `has`), so most positions are rejected without a search.
struct Starts {
    dfa: ScanDfa,
    /// The start state of each row of `first`.
    row_start: Vec<StateID>,
    /// Row of `first` for each look-behind byte (index 256: start of text).
    ctx: Box<[u8; 257]>,
    /// 0: the DFA dies on this first byte; 1: search; `k` ≥ 2: look up the next byte in
    /// `second[k]` (the state after the first byte dies on the others). One row per
    /// distinct start state (regex-automata has six kinds of look-behind), at most
    /// [`MAX_ROWS`]: a fixed size lets the scan index it without a bounds check.
    first: Box<[[u16; 256]; MAX_ROWS]>,
    /// `first` and `second` together, per pair of bytes (`b0 | b1 << 8`): bit `r` says the
    /// DFA survives `b0 b1` from look-behind row `r`. With `sel`, one lookup per position
    /// tells exactly whether a match can start there as far as its first two bytes go (most
    /// positions die there: a letter inside a word, a space before a lowercase word).
    pair: Box<[u8; 1 << 16]>,
    /// `1 << ctx[b]`: the row bit the byte `b` selects for the next position.
    sel: Box<[u8; 256]>,
    /// The same for the second byte: 0: dies; 1: search; `k` ≥ 2: search only if the third
    /// byte's bit is set in `third[k]`. Rows 0 and 1 of both tables stand for the codes 0
    /// (nothing survives) and 1 (everything does), so a position is checked without branches
    /// on its codes.
    second: Vec<[u16; 256]>,
    third: Vec<[u64; 4]>,
    /// Where the filter let a position through, the search starts from the state after its
    /// first two bytes (the filter looked at them already): `after1[row][b0]` is 1 + the
    /// index in `after2` of the state after `b0` (0: none, e.g. a match after one byte),
    /// `after2[i][b1]` the state after `b1`.
    after1: Box<[[u16; 256]; MAX_ROWS]>,
    after2: Vec<[StateID; 256]>,
}

const MAX_ROWS: usize = 8;

/// The NFA size limit of every automaton built from the patterns.
const NFA_SIZE_LIMIT: usize = 200 << 20;

/// The scan's dense DFA: the one compiled with the binary when the grammar is the one it was
/// compiled from (the built-in patterns), else one determinised now (a user's rules: about
/// 0.15 s of start-up).
enum ScanDfa {
    Embedded(dense::DFA<&'static [u32]>),
    Built(dense::DFA<Vec<u32>>),
}

/// `scan.dfa`, written by `cargo run --release --example build_dates_dfa`: [`SCAN_MAGIC`],
/// the [`scan_key`] of the patterns it was compiled from, then the DFA in regex-automata's
/// little-endian format (it needs 4-byte alignment, which the header keeps).
static EMBEDDED_SCAN: &AlignAs<[u8], u32> = &AlignAs {
    _align: [],
    bytes: *include_bytes!("scan.dfa"),
};
const SCAN_MAGIC: &[u8; 8] = b"NXSCAN01";
const SCAN_HEADER: usize = 8 + 32;

/// Says what the scan DFA recognises: the engines' settings and every pattern, in order
/// (the patterns as parsed, so a change anywhere in how they are made shows).
fn scan_key(hirs: &[Hir]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"leftmost-first, anchored, no captures, unicode word boundary: quit\n");
    let mut s = String::new();
    for hir in hirs {
        s.clear();
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{hir}\n"));
        h.update(s.as_bytes());
    }
    *h.finalize().as_bytes()
}

/// The scan DFA for `hirs`, determinised whole; `minimize` makes it smaller and takes ten
/// times longer (done once, for the file compiled with the binary). `None`: too large.
fn build_scan_dfa(hirs: &[Hir], minimize: bool) -> Option<dense::DFA<Vec<u32>>> {
    const LIMIT: usize = 256 << 20;
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_many_from_hir(hirs)
        .ok()?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .unicode_word_boundary(true)
                // special states are then only dead, quit and match: one test per byte
                .accelerate(false)
                .minimize(minimize)
                .dfa_size_limit(Some(LIMIT))
                .determinize_size_limit(Some(LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

impl ScanDfa {
    fn new(hirs: &[Hir]) -> Option<ScanDfa> {
        let file = &EMBEDDED_SCAN.bytes;
        if file.len() > SCAN_HEADER
            && file[..8] == SCAN_MAGIC[..]
            && file[8..SCAN_HEADER] == scan_key(hirs)
            && let Ok((dfa, _)) = dense::DFA::from_bytes(&file[SCAN_HEADER..])
        {
            return Some(ScanDfa::Embedded(dfa));
        }
        build_scan_dfa(hirs, false).map(ScanDfa::Built)
    }

    fn get(&self) -> dense::DFA<&[u32]> {
        match self {
            ScanDfa::Embedded(d) => d.as_ref(),
            ScanDfa::Built(d) => d.as_ref(),
        }
    }
}

/// The contents of `scan.dfa` for the patterns of `rules` (see [`EMBEDDED_SCAN`]).
pub fn scan_dfa_file(rules: &RuleSet) -> Result<Vec<u8>, String> {
    let lex = Lexicon::load(rules).map_err(|e| e.to_string())?;
    let hirs = read_patterns(rules, &lex).map_err(|e| e.to_string())?.hirs;
    let dfa = build_scan_dfa(&hirs, true).ok_or("the scan DFA is too large")?;
    let (bytes, pad) = dfa.to_bytes_little_endian();
    let mut out = Vec::with_capacity(SCAN_HEADER + bytes.len() - pad);
    out.extend_from_slice(SCAN_MAGIC);
    out.extend_from_slice(&scan_key(&hirs));
    out.extend_from_slice(&bytes[pad..]);
    Ok(out)
}

/// Dedupes the filter rows while they are built: equal states share a row, and so do equal
/// rows.
#[derive(Default)]
struct RowBuilder {
    second: Vec<[u16; 256]>,
    third: Vec<[u64; 4]>,
    second_of: HashMap<StateID, u16>,
    third_of: HashMap<StateID, u16>,
    second_rows: HashMap<[u16; 256], u16>,
    third_rows: HashMap<[u64; 4], u16>,
}

impl RowBuilder {
    /// The code of a state after the first byte (see `Starts::first`).
    fn code1(&mut self, dfa: &dense::DFA<&[u32]>, s: StateID) -> Option<u16> {
        if dfa.is_dead_state(s) {
            return Some(0);
        }
        if dfa.is_special_state(s) {
            return Some(1);
        }
        if let Some(&k) = self.second_of.get(&s) {
            return Some(k);
        }
        let mut row = [0u16; 256];
        for (b, v) in row.iter_mut().enumerate() {
            *v = self.code2(dfa, dfa.next_state(s, b as u8))?;
        }
        let k = intern(&mut self.second, &mut self.second_rows, row)?;
        self.second_of.insert(s, k);
        Some(k)
    }

    /// The code of a state after the second byte (see `Starts::second`).
    fn code2(&mut self, dfa: &dense::DFA<&[u32]>, s: StateID) -> Option<u16> {
        if dfa.is_dead_state(s) {
            return Some(0);
        }
        if dfa.is_special_state(s) {
            return Some(1);
        }
        if let Some(&k) = self.third_of.get(&s) {
            return Some(k);
        }
        let mut bits = [0u64; 4];
        for b in 0..=255u8 {
            if !dfa.is_dead_state(dfa.next_state(s, b)) {
                bits[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        let k = intern(&mut self.third, &mut self.third_rows, bits)?;
        self.third_of.insert(s, k);
        Some(k)
    }
}

/// The code of `row` in `rows` (its index + 2: codes 0 and 1 mean dead and tagged), added if new.
fn intern<R: Copy + Eq + std::hash::Hash>(
    rows: &mut Vec<R>,
    codes: &mut HashMap<R, u16>,
    row: R,
) -> Option<u16> {
    if let Some(&k) = codes.get(&row) {
        return Some(k);
    }
    rows.push(row);
    let k = u16::try_from(rows.len() + 1).ok()?;
    codes.insert(row, k);
    Some(k)
}

impl Starts {
    fn build(hirs: &[Hir]) -> Option<Starts> {
        // An empty match could start anywhere: keep the plain search then.
        for hir in hirs {
            if hir.properties().minimum_len().is_none_or(|n| n == 0) {
                return None;
            }
        }
        let scan = ScanDfa::new(hirs)?;
        let dfa = scan.get();
        let mut ctx = Box::new([0u8; 257]);
        let mut first: Vec<[u16; 256]> = Vec::new();
        let mut rows = RowBuilder::default();
        let mut row_start: Vec<StateID> = Vec::new();
        let mut after1: Vec<[u16; 256]> = Vec::new();
        let mut after2: Vec<[StateID; 256]> = Vec::new();
        let mut after2_of: HashMap<StateID, u16> = HashMap::new();
        for prev in 0..=256usize {
            let config = start::Config::new()
                .anchored(Anchored::Yes)
                .look_behind(u8::try_from(prev).ok());
            let start = dfa.start_state(&config).ok()?;
            // one row per distinct start state
            let idx = match row_start.iter().position(|s| *s == start) {
                Some(i) => i,
                None => {
                    let mut row = [1u16; 256];
                    let mut row1 = [0u16; 256];
                    if dfa.is_dead_state(start) {
                        row = [0; 256];
                    } else if !dfa.is_quit_state(start) {
                        for (b, (v, a)) in row.iter_mut().zip(&mut row1).enumerate() {
                            let next = dfa.next_state(start, b as u8);
                            *v = rows.code1(&dfa, next)?;
                            if !dfa.is_special_state(next) {
                                *a = match after2_of.get(&next) {
                                    Some(&k) => k,
                                    None => {
                                        let states: [StateID; 256] = std::array::from_fn(|b1| {
                                            dfa.next_state(next, b1 as u8)
                                        });
                                        after2.push(states);
                                        let k = u16::try_from(after2.len()).ok()?;
                                        after2_of.insert(next, k);
                                        k
                                    }
                                };
                            }
                        }
                    }
                    first.push(row);
                    after1.push(row1);
                    row_start.push(start);
                    first.len() - 1
                }
            };
            ctx[prev] = u8::try_from(idx).ok()?;
        }
        if first.len() > MAX_ROWS {
            return None;
        }
        let mut first_rows = Box::new([[0u16; 256]; MAX_ROWS]);
        first_rows[..first.len()].copy_from_slice(&first);
        let mut after1_rows = Box::new([[0u16; 256]; MAX_ROWS]);
        after1_rows[..after1.len()].copy_from_slice(&after1);
        let second: Vec<[u16; 256]> = [[0; 256], [1; 256]]
            .into_iter()
            .chain(rows.second)
            .collect();
        let mut pair: Box<[u8; 1 << 16]> = vec![0u8; 1 << 16].into_boxed_slice().try_into().ok()?;
        for (b0, b1) in (0..256).flat_map(|b0| (0..256).map(move |b1| (b0, b1))) {
            for (r, row) in first.iter().enumerate() {
                let live = second[usize::from(row[b0])][b1] != 0;
                pair[b0 | b1 << 8] |= u8::from(live) << r;
            }
        }
        let sel = Box::new(std::array::from_fn(|b| 1u8 << ctx[b]));
        Some(Starts {
            dfa: scan,
            row_start,
            ctx,
            first: first_rows,
            pair,
            sel,
            second,
            third: [[0; 4], [u64::MAX; 4]]
                .into_iter()
                .chain(rows.third)
                .collect(),
            after1: after1_rows,
            after2,
        })
    }

    /// The look-behind row of position `i` of `bytes` (the row of `first` its previous byte,
    /// or the start of the text, selects).
    #[inline(always)]
    fn row_at(&self, bytes: &[u8], i: usize) -> usize {
        usize::from(self.ctx[i.checked_sub(1).map_or(256, |p| usize::from(bytes[p]))])
    }

    /// The code of `first` for look-behind row `row` and byte `b`.
    #[inline(always)]
    fn first_code(&self, row: usize, b: u8) -> u16 {
        self.first[row % MAX_ROWS][usize::from(b)]
    }

    /// The positions `i..i + n` where a match can start, as a bit mask (bit `k`: `i + k`),
    /// and `n` (64, or fewer at the end of the text). `row` is the look-behind row of `i`.
    fn starts_mask(&self, bytes: &[u8], i: usize, mut row: usize) -> (u64, usize) {
        let mut mask = 0u64;
        // (an array: its indexes below need no bounds checks)
        if let Some(block) = bytes
            .get(i..i + 66)
            .and_then(|b| <&[u8; 66]>::try_from(b).ok())
        {
            // the first two bytes of all 64 positions, then the third byte where they survive
            // (most positions die on their first two bytes)
            let mut live = [0u8; 64];
            let mut sel = 1u8 << (row % MAX_ROWS);
            for (k, v) in live.iter_mut().enumerate() {
                let (b0, b1) = (block[k], block[k + 1]);
                *v = self.pair[usize::from(b0) | usize::from(b1) << 8] & sel;
                sel = self.sel[usize::from(b0)];
            }
            mask = pack_flags(&live.map(|v| u8::from(v != 0)));
            let mut todo = mask;
            while todo != 0 {
                let k = todo.trailing_zeros() as usize;
                todo &= todo - 1;
                let r = match k.checked_sub(1) {
                    None => row,
                    Some(j) => usize::from(self.ctx[usize::from(block[j])]),
                };
                let code = self.first_code(r, block[k]);
                let w = self.second[usize::from(code)][usize::from(block[k + 1])];
                let b2 = block[k + 2];
                let ok = self.third[usize::from(w)][usize::from(b2 >> 6)] >> (b2 & 63) & 1;
                mask &= !((1 ^ ok) << k);
            }
            return (mask, 64);
        }
        // the end of the text: a search where the tables run out of bytes
        let n = (bytes.len() - i).min(64);
        for k in 0..n {
            let at = i + k;
            let v = self.first_code(row, bytes[at]);
            let ok = match (bytes.get(at + 1), bytes.get(at + 2)) {
                _ if v < 2 => v == 1,
                (None, _) => true,
                (Some(&b1), b2) => {
                    let w = self.second[usize::from(v)][usize::from(b1)];
                    match b2 {
                        _ if w < 2 => w == 1,
                        None => true,
                        Some(&b2) => {
                            self.third[usize::from(w)][usize::from(b2 >> 6)] >> (b2 & 63) & 1 != 0
                        }
                    }
                }
            };
            mask |= u64::from(ok) << k;
            row = self.ctx[usize::from(bytes[at])] as usize;
        }
        (mask, n)
    }

    /// The anchored leftmost-first match at `at` (pattern, end), as `try_search_fwd` finds
    /// it, without its per-call set-up; `Err` when the DFA cannot decide (a quit byte).
    #[inline(always)]
    fn search_at(
        &self,
        dfa: &dense::DFA<&[u32]>,
        row: usize,
        hay: &[u8],
        at: usize,
    ) -> Result<Option<(usize, usize)>, ()> {
        if let Some(&[b0, b1]) = hay.get(at..at + 2) {
            let k = self.after1[row % MAX_ROWS][usize::from(b0)];
            if let Some(states) = self.after2.get(usize::from(k).wrapping_sub(1)) {
                let sid = states[usize::from(b1)];
                // special: dead, or a match after two bytes (rare): the plain walk
                if !dfa.is_special_state(sid) {
                    return walk(dfa, sid, hay, at + 2);
                }
            }
        }
        self.search_from_start(dfa, row, hay, at)
    }

    /// [`Starts::search_at`] from the start state.
    #[inline(never)]
    fn search_from_start(
        &self,
        dfa: &dense::DFA<&[u32]>,
        row: usize,
        hay: &[u8],
        at: usize,
    ) -> Result<Option<(usize, usize)>, ()> {
        let sid = *self.row_start.get(row).ok_or(())?;
        if dfa.is_dead_state(sid) {
            return Ok(None);
        }
        if dfa.is_quit_state(sid) {
            return Err(());
        }
        walk(dfa, sid, hay, at)
    }
}

/// The rest of [`Starts::search_at`]: from the state `sid` reached before `hay[pos]` (no
/// match ended before `pos`).
#[inline(always)]
fn walk(
    dfa: &dense::DFA<&[u32]>,
    mut sid: StateID,
    hay: &[u8],
    mut pos: usize,
) -> Result<Option<(usize, usize)>, ()> {
    let mut mat = None;
    while pos < hay.len() {
        sid = dfa.next_state(sid, hay[pos]);
        if dfa.is_special_state(sid) {
            if dfa.is_match_state(sid) {
                mat = Some((dfa.match_pattern(sid, 0).as_usize(), pos));
            } else if dfa.is_dead_state(sid) {
                return Ok(mat);
            } else if dfa.is_quit_state(sid) {
                return Err(());
            }
        }
        pos += 1;
    }
    sid = dfa.next_eoi_state(sid);
    if dfa.is_match_state(sid) {
        mat = Some((dfa.match_pattern(sid, 0).as_usize(), hay.len()));
    }
    Ok(mat)
}

/// 64 flags (each byte 0 or 1) as a bit mask, bit `k` for `flags[k]`, eight at a time.
fn pack_flags(flags: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (j, chunk) in flags.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        mask |= u64::from(crate::text::byte_flags_to_bits(u64::from_le_bytes(b))) << (8 * j);
    }
    mask
}

/// A raw match: which rule, the mention span, the full match, and the parts.
#[derive(Debug, Clone)]
pub struct Cand {
    pub rule: usize,
    pub span: Span,
    pub full: Span,
    pub parts: [Option<Span>; N_FIELDS],
}

impl Cand {
    pub fn get(&self, f: Field) -> Option<Span> {
        self.parts[field_index(f)]
    }
    pub fn text<'a>(&self, text: &'a str, f: Field) -> Option<&'a str> {
        self.get(f).and_then(|s| text.get(s.start..s.end))
    }
}

fn expand_macros(
    pattern: &str,
    defines: &HashMap<String, String>,
    lex: &Lexicon,
    depth: usize,
) -> Result<String, String> {
    if depth > 8 {
        return Err("macros nest too deep".into());
    }
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        // `\{` and counted repetitions `{2}`, `{1,2}` are left alone.
        let before = &rest[..open];
        out.push_str(before);
        let after = &rest[open + 1..];
        let close = match after.find('}') {
            Some(c) => c,
            None => {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            }
        };
        let name = &after[..close];
        let escaped = before.ends_with('\\');
        if escaped
            || name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || name.chars().all(|c| c.is_ascii_digit())
        {
            out.push('{');
            rest = after;
            continue;
        }
        if let Some(def) = defines.get(name) {
            out.push_str(&format!(
                "(?:{})",
                expand_macros(def, defines, lex, depth + 1)?
            ));
        } else {
            let lower = name.to_lowercase();
            let capitalised = name.chars().next().is_some_and(|c| c.is_uppercase());
            match lex.alternation(&lower, capitalised) {
                Some(alt) => out.push_str(&alt),
                None => return Err(format!("unknown macro or word class {{{name}}}")),
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whitespace a date may contain: ASCII whitespace and the no-break and thin spaces news text
/// puts between a day and its month.
const SPACE_ITEMS: &str = r"\t-\r \x{A0}\x{2009}\x{202F}";

/// `\d` is an ASCII digit and `\s` the whitespace above: Unicode's classes (hundreds of digit
/// ranges) only add dead UTF-8 paths, and they split the DFA's byte alphabet into more
/// classes, so every state takes more memory.
fn narrow_classes(src: &str) -> String {
    let mut out = String::with_capacity(src.len() + 32);
    let mut in_class = 0usize;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                match (n, in_class > 0) {
                    ('d', false) => out.push_str("[0-9]"),
                    ('d', true) => out.push_str("0-9"),
                    ('s', false) => {
                        out.push('[');
                        out.push_str(SPACE_ITEMS);
                        out.push(']');
                    }
                    ('s', true) => out.push_str(SPACE_ITEMS),
                    _ => {
                        out.push(c);
                        out.push(n);
                    }
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
                // a `]` or `^]` right after the opening bracket is a literal
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The rules of `patterns.tsv` as read: each rule, its regex source, its own regex and its
/// parsed pattern, in priority order.
struct Patterns {
    rules: Vec<Rule>,
    sources: Vec<String>,
    singles: Vec<meta::Regex>,
    hirs: Vec<Hir>,
}

fn read_patterns(rules: &RuleSet, lex: &Lexicon) -> Result<Patterns, RuleError> {
    let mut defines: HashMap<String, String> = HashMap::new();
    let mut compiled: Vec<Rule> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    let mut singles: Vec<meta::Regex> = Vec::new();
    let mut hirs: Vec<Hir> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in rules.lines(PATTERNS) {
        let f = line.fields();
        if f.len() < 3 {
            return Err(line.error(
                "expected: id <TAB> kind <TAB> pattern <TAB> key=value ... (or -), or define <TAB> NAME <TAB> pattern <TAB> -",
            ));
        }
        if f[0] == "define" {
            defines.insert(f[1].trim().to_string(), f[2].to_string());
            continue;
        }
        let id = f[0].trim();
        if rules.is_disabled(id) {
            continue;
        }
        let kind = Kind::parse(f[1].trim())
            .ok_or_else(|| line.error(format!("unknown kind `{}`", f[1].trim())))?;
        let mut rule = Rule {
            id: RuleId::from(id),
            kind,
            before: None,
            not_before: None,
            not_after: None,
            fixed_mod: None,
            fixed_type: None,
            fixed_value: None,
            groups: Default::default(),
        };
        for arg in f
            .iter()
            .skip(3)
            .flat_map(|a| a.split_whitespace())
            .filter(|a| *a != "-")
        {
            let (k, v) = arg
                .split_once('=')
                .ok_or_else(|| line.error(format!("argument `{arg}` is not key=value")))?;
            match k {
                "before" | "not_before" | "not_after" => {
                    if !lex.has_class(v) {
                        return Err(line.error(format!("unknown word class `{v}`")));
                    }
                    let v = Some(v.to_string());
                    match k {
                        "before" => rule.before = v,
                        "not_before" => rule.not_before = v,
                        _ => rule.not_after = v,
                    }
                }
                "mod" => {
                    rule.fixed_mod = Some(
                        static_mod(v)
                            .ok_or_else(|| line.error(format!("unknown TIMEX3 mod `{v}`")))?,
                    )
                }
                "type" => {
                    rule.fixed_type = Some(
                        TYPES
                            .iter()
                            .copied()
                            .find(|t| *t == v)
                            .ok_or_else(|| line.error(format!("unknown TIMEX3 type `{v}`")))?,
                    )
                }
                "value" => rule.fixed_value = Some(v.to_string()),
                _ => return Err(line.error(format!("unknown argument `{k}`"))),
            }
        }
        let expanded = expand_macros(f[2], &defines, lex, 0).map_err(|m| line.error(m))?;
        // once, on the whole expansion: ASCII word boundaries keep the DFA on
        // non-ASCII text, and narrow classes keep its alphabet small
        let source = format!(
            "(?i){}",
            narrow_classes(&expanded.replace(r"\b", r"(?-u:\b)"))
        );
        // Check the pattern on its own so an error names its line.
        let (single, hir) = build_single(&source).map_err(|e| line.error(e))?;
        let info = single.group_info();
        let pid = regex_automata::PatternID::ZERO;
        for gi in 0..info.group_len(pid) {
            if let Some(name) = info.to_name(pid, gi) {
                let base = name.trim_end_matches(|c: char| c.is_ascii_digit());
                let field = FIELDS
                    .iter()
                    .find(|(n, _)| *n == base)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| line.error(format!("unknown group name `{name}`")))?;
                rule.groups[field_index(field)].push(gi);
            }
        }
        if let Some(&prev) = seen.get(id) {
            // A later line with the same id (a user overlay) replaces the earlier rule in
            // its place (so it keeps its priority).
            compiled[prev] = rule;
            sources[prev] = source;
            singles[prev] = single;
            hirs[prev] = hir;
        } else {
            seen.insert(id.to_string(), compiled.len());
            compiled.push(rule);
            sources.push(source);
            singles.push(single);
            hirs.push(hir);
        }
    }
    Ok(Patterns {
        rules: compiled,
        sources,
        singles,
        hirs,
    })
}

impl Grammar {
    pub fn compile(rules: &RuleSet, lex: &Lexicon) -> Result<Self, RuleError> {
        let Patterns {
            rules: compiled,
            sources,
            singles,
            hirs,
        } = read_patterns(rules, lex)?;
        let whole = compiled
            .iter()
            .zip(&hirs)
            .map(|(rule, hir)| whole_match_field(rule, hir))
            .collect();
        let starts = Starts::build(&hirs);
        let n_rules = singles.len();
        let regex = std::sync::OnceLock::new();
        if starts.is_none() {
            // the plain search is the scan: build it now so a bad grammar fails here
            let re = build(&sources).map_err(|e| RuleError {
                file: format!("rules/{PATTERNS}"),
                line: 0,
                message: e,
            })?;
            let _ = regex.set(Some(re));
        }
        Ok(Grammar {
            rules: compiled,
            regex,
            sources,
            singles,
            whole,
            caps: Pool::new(Box::new(move || CapsState {
                caps: vec![None; n_rules],
                memo: FxMap::default(),
                key: Vec::new(),
            })),
            starts,
        })
    }

    /// The whole grammar as one regex (`None` only if it cannot be built).
    fn regex(&self) -> Option<&meta::Regex> {
        self.regex
            .get_or_init(|| build(&self.sources).ok())
            .as_ref()
    }

    /// Calls `f(pattern, start, end)` for every match of the whole grammar in `text[from..]`,
    /// leftmost-first and non-overlapping (exactly `regex.find_iter`).
    fn for_each_match(&self, text: &str, from: usize, mut f: impl FnMut(usize, usize, usize)) {
        let Some(st) = &self.starts else {
            let Some(re) = self.regex() else { return };
            let input = Input::new(text).span(from.min(text.len())..text.len());
            for m in re.find_iter(input) {
                f(m.pattern().as_usize(), m.start(), m.end());
            }
            return;
        };
        let bytes = text.as_bytes();
        let dfa = st.dfa.get();
        let mut i = from;
        while i < bytes.len() {
            // the next positions where a match can start, 64 at a time
            let (mut mask, n) = st.starts_mask(bytes, i, st.row_at(bytes, i));
            let mut next = i + n;
            while mask != 0 {
                let at = i + mask.trailing_zeros() as usize;
                let found = match st.search_at(&dfa, st.row_at(bytes, at), bytes, at) {
                    Ok(found) => found,
                    // the DFA gave up (e.g. a user's Unicode `\B` on non-ASCII): the full engine
                    Err(()) => {
                        let input = Input::new(text)
                            .span(at..bytes.len())
                            .anchored(Anchored::Yes);
                        self.regex()
                            .and_then(|re| re.search(&input))
                            .map(|m| (m.pattern().as_usize(), m.end()))
                    }
                };
                match found {
                    Some((pid, end)) => {
                        f(pid, at, end);
                        // go on after the match
                        let after = end.max(at + 1);
                        if after >= i + n {
                            next = after;
                            break;
                        }
                        mask &= u64::MAX << (after - i);
                    }
                    None => mask &= mask - 1,
                }
            }
            i = next;
        }
    }

    /// Which automaton the scan runs: `compiled with the binary` (the built-in patterns),
    /// `built at start-up` (changed patterns) or `none` (the plain search).
    pub fn scan_automaton(&self) -> &'static str {
        match self.starts.as_ref().map(|s| &s.dfa) {
            Some(ScanDfa::Embedded(_)) => "compiled with the binary",
            Some(ScanDfa::Built(_)) => "built at start-up",
            None => "none",
        }
    }

    /// The scan automaton's size in bytes (0: none).
    pub fn scan_bytes(&self) -> usize {
        self.starts
            .as_ref()
            .map_or(0, |s| s.dfa.get().memory_usage())
    }

    /// All raw matches (pattern, start, end) as the scan finds them: for tests.
    pub fn raw_matches(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        self.for_each_match(text, 0, |p, s, e| out.push((p, s, e)));
        out
    }

    /// All raw matches of the plain one-regex search (what the scan must equal): for tests.
    pub fn raw_matches_plain(&self, text: &str) -> Vec<(usize, usize, usize)> {
        self.regex().map_or_else(Vec::new, |re| {
            re.find_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect()
        })
    }

    /// Number of raw matches (no captures): for benchmarks.
    pub fn count_matches(&self, text: &str) -> usize {
        self.regex().map_or(0, |re| re.find_iter(text).count())
    }

    /// Matches per rule id (no captures): for benchmarks.
    pub fn rule_histogram(&self, text: &str, hist: &mut std::collections::BTreeMap<String, usize>) {
        for m in self.regex().into_iter().flat_map(|re| re.find_iter(text)) {
            if let Some(r) = self.rules.get(m.pattern().as_usize()) {
                *hist.entry(r.id.to_string()).or_default() += 1;
            }
        }
    }

    /// All raw matches in `text[from..]`, leftmost-first, non-overlapping. Vetoes come back
    /// without parts (only their span matters); the parts of other matches are read by an
    /// anchored capture search of that one pattern over the match.
    pub fn scan(&self, text: &str, from: usize) -> Vec<Cand> {
        let mut out = Vec::new();
        let mut state = self.caps.get();
        let CapsState { caps, memo, key } = &mut *state;
        self.for_each_match(text, from, |rule_idx, m_start, m_end| {
            let Some(rule) = self.rules.get(rule_idx) else {
                return;
            };
            let mut parts: [Option<Span>; N_FIELDS] = [None; N_FIELDS];
            let mut full = Span::new(m_start, m_end);
            if rule.kind != Kind::Veto
                && let Some(fi) = self.whole.get(rule_idx).copied().flatten()
            {
                parts[fi] = Some(full);
            } else if rule.kind != Kind::Veto {
                let Some(single) = self.singles.get(rule_idx) else {
                    return;
                };
                // A short haystack keeps the capture search on the bounded backtracker; the
                // chars around the match stay visible to `\b`. Every look-around (`\b`, `^`,
                // `$` and their kinds) reads at most one char on either side, so the result
                // depends on these bytes only, which makes them a memo key.
                let lo = floor_char(text, m_start.saturating_sub(1));
                let hi = ceil_char(text, (m_end + 1).min(text.len()));
                let window = &text[lo..hi];
                memo_key(key, rule_idx, window.as_bytes(), m_start - lo, m_end - lo);
                let found = match memo.get(key.as_slice()) {
                    Some(found) => *found,
                    None => {
                        let caps = caps[rule_idx].get_or_insert_with(|| single.create_captures());
                        let anchored = regex_automata::Input::new(window)
                            .range(m_start - lo..m_end - lo)
                            .anchored(regex_automata::Anchored::Yes);
                        single.search_captures(&anchored, caps);
                        let at = |s: regex_automata::Span| [s.start as u32, s.end as u32];
                        let found = caps.get_match().map(|cm| {
                            let mut rel = [None; N_FIELDS];
                            for (fi, groups) in rule.groups.iter().enumerate() {
                                rel[fi] = groups.iter().find_map(|&gi| caps.get_group(gi)).map(at);
                            }
                            (at(cm.span()), rel)
                        });
                        if memo.len() >= MEMO_CAP {
                            memo.clear();
                        }
                        memo.insert(key.clone(), found);
                        found
                    }
                };
                let Some((f, rel)) = found else { return };
                full = window_span(lo, f);
                for (p, r) in parts.iter_mut().zip(rel) {
                    *p = r.map(|o| window_span(lo, o));
                }
            }
            let span = parts[field_index(Field::T)].unwrap_or(full);
            if span.is_empty() {
                return;
            }
            out.push(Cand {
                rule: rule_idx,
                span,
                full,
                parts,
            });
        });
        out
    }
}

/// The field of `rule`'s only group when that group is the whole match: the pattern is the
/// group alone, or the group between zero-width assertions (`\b`).
fn whole_match_field(rule: &Rule, hir: &Hir) -> Option<usize> {
    let only_group = |h: &Hir| matches!(h.kind(), HirKind::Capture(c) if c.sub.properties().explicit_captures_len() == 0);
    let whole = match hir.kind() {
        HirKind::Capture(_) => only_group(hir),
        HirKind::Concat(xs) => {
            xs.iter().filter(|x| only_group(x)).count() == 1
                && xs
                    .iter()
                    .all(|x| only_group(x) || matches!(x.kind(), HirKind::Look(_)))
        }
        _ => false,
    };
    let mut fields = rule
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.is_empty());
    match (whole, fields.next(), fields.next()) {
        (true, Some((fi, g)), None) if g.len() == 1 => Some(fi),
        _ => None,
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// One rule's regex, for reading the parts of a known match, and its parsed pattern for the
/// other automata: no lazy DFA (it would be rebuilt for every rule; the anchored captures
/// search runs the bounded backtracker directly).
fn build_single(pattern: &str) -> Result<(meta::Regex, Hir), String> {
    // a pattern that does not parse: the builder's error message
    let Ok(hir) = syntax::parse(pattern) else {
        return Err(single_builder()
            .build(pattern)
            .err()
            .map_or_else(|| format!("cannot parse `{pattern}`"), |e| e.to_string()));
    };
    let single = single_builder()
        .build_from_hir(&hir)
        .map_err(|e| e.to_string())?;
    Ok((single, hir))
}

fn single_builder() -> meta::Builder {
    let mut b = meta::Regex::builder();
    b.configure(
        meta::Config::new()
            .nfa_size_limit(Some(NFA_SIZE_LIMIT))
            .hybrid(false)
            .dfa(false)
            .auto_prefilter(false),
    )
    .syntax(syntax::Config::new().utf8(true));
    b
}

fn build<P: AsRef<str>>(patterns: &[P]) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .hybrid_cache_capacity(64 * (1 << 20)),
        )
        .syntax(syntax::Config::new().utf8(true))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{
        Grammar, Lexicon, is_normal, is_plain_word, narrow_classes, normalise, pack_flags,
        trie_regex,
    };

    fn builtin_grammar() -> Grammar {
        let rules = crate::rules::RuleSet::builtin();
        let lex = Lexicon::load(&rules).expect("lexicon");
        Grammar::compile(&rules, &lex).expect("grammar")
    }

    #[test]
    fn searches_from_the_state_after_two_bytes_equal_searches_from_the_start() {
        let g = builtin_grammar();
        let st = g.starts.as_ref().expect("the scan uses the anchored DFA");
        let text = "On Monday, 3 March 2025, the firm said that in the third quarter of \
                    last year profits rose 5% to $2.1bn; two weeks ago, at 10:30 a.m. \
                    on Sept. 5th, it was 1998's best. Daily, every year, since the 1990s.";
        let hay = text.as_bytes();
        let dfa = st.dfa.get();
        let mut fast = 0;
        for at in 0..hay.len() {
            let row = st.row_at(hay, at);
            let plain = st.search_from_start(&dfa, row, hay, at);
            assert_eq!(st.search_at(&dfa, row, hay, at), plain, "at {at}");
            let k = st.after1[row][usize::from(hay[at])];
            fast += usize::from(k != 0 && plain.is_ok_and(|m| m.is_some()));
        }
        // the two-byte start is taken, and where matches are found
        assert!(fast > 10, "{fast}");
    }

    #[test]
    fn starts_mask_is_the_three_byte_check_of_every_position() {
        let g = builtin_grammar();
        let st = g.starts.as_ref().expect("the scan uses the anchored DFA");
        let text = "On Monday, 3 March 2025, the firm said that in the third quarter of \
                    last year profits rose 5% to $2.1bn; two weeks ago, at 10:30 a.m. \
                    on Sept. 5th, it was 1998's best. Daily, every year, since the 1990s, \
                    mid-2020 and the late '90s — early in the week (Jan 3rd) ÉTÉ 2021.";
        let hay = text.as_bytes();
        // the tables read one byte at a time, as the tail of the text is
        let naive = |at: usize| {
            let v = st.first_code(st.row_at(hay, at), hay[at]);
            let w = st.second[usize::from(v)][usize::from(hay[at + 1])];
            let b2 = hay[at + 2];
            st.third[usize::from(w)][usize::from(b2 >> 6)] >> (b2 & 63) & 1 == 1
        };
        let mut found = 0;
        for i in 0..hay.len() - 66 {
            let (mask, n) = st.starts_mask(hay, i, st.row_at(hay, i));
            assert_eq!(n, 64);
            for k in 0..64 {
                assert_eq!(mask >> k & 1 == 1, naive(i + k), "at {}", i + k);
            }
            found += mask.count_ones();
        }
        assert!(found > 100, "{found}");
    }

    #[test]
    fn pack_flags_sets_bit_k_for_flag_k() {
        let mut flags = [0u8; 64];
        assert_eq!(pack_flags(&flags), 0);
        flags = [1; 64];
        assert_eq!(pack_flags(&flags), u64::MAX);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for (k, f) in flags.iter_mut().enumerate() {
                *f = (seed >> k & 1) as u8;
            }
            assert_eq!(pack_flags(&flags), seed);
        }
    }

    /// `Lexicon::get` as it was before the lookups were made cheaper: the new one must
    /// answer the same.
    fn get_reference<'a>(lex: &'a Lexicon, class: &str, word: &str) -> Option<&'a str> {
        let words = lex.index.get(class)?;
        if is_normal(word) {
            if let Some(v) = words.get(word) {
                return Some(v.as_str());
            }
            if !word.contains(['-', ' ']) {
                return None;
            }
        } else if word.len() <= 32
            && word.bytes().all(|b| b.is_ascii_graphic())
            && !word.contains('-')
        {
            let lower = word.trim_end_matches('.').to_ascii_lowercase();
            return words.get(&lower).map(|v| v.as_str());
        }
        let w = normalise(word);
        if let Some(v) = words.get(&w) {
            return Some(v.as_str());
        }
        if w.contains('-')
            && let Some(v) = words.get(&w.replace('-', " "))
        {
            return Some(v.as_str());
        }
        if w.contains(' ')
            && let Some(v) = words.get(&w.replace(' ', "-"))
        {
            return Some(v.as_str());
        }
        None
    }

    #[test]
    fn lexicon_lookups_normalise_and_read_hyphens_as_spaces() {
        let rules = crate::rules::RuleSet::builtin();
        let lex = Lexicon::load(&rules).expect("lexicon");
        let long = "a ".repeat(40) + "few";
        let words = [
            "a few",
            "A Few",
            "a-few",
            "A-FEW",
            "a  few",
            "a\tfew",
            "a\x0cfew",
            "a few.",
            "a-couple-of",
            "couple of",
            "friday",
            "Friday",
            "Fri.",
            "sept.",
            "twenty-one",
            "twenty one",
            "year",
            "Years",
            "said the",
            "Said The",
            "xyzzy",
            "",
            ".",
            long.as_str(),
            "é",
            "Ünter-den",
        ];
        for class in [
            "vague",
            "weekday",
            "wd_abbr",
            "mon_abbr",
            "numword",
            "unit",
            "future_cue",
        ] {
            for w in words {
                assert_eq!(
                    lex.get(class, w),
                    get_reference(&lex, class, w),
                    "{class} {w:?}"
                );
            }
        }
        assert!(lex.has("vague", "A-Few"));
    }

    #[test]
    fn a_plain_word_is_found_in_its_class_words_as_get_finds_it() {
        let rules = crate::rules::RuleSet::builtin();
        let lex = Lexicon::load(&rules).expect("lexicon");
        let probes = [
            "said", "will", "planned", "it's", "2019", "xyzzy", "o'clock",
        ];
        for (class, list) in &lex.classes {
            let words = lex.words_of(class).expect("indexed class");
            let listed = list.iter().map(|(w, _)| w.as_str());
            for w in listed.chain(probes).filter(|w| is_plain_word(w)) {
                assert_eq!(
                    words.get(w).map(String::as_str),
                    lex.get(class, w),
                    "{class} {w:?}"
                );
            }
        }
        assert!(lex.words_of("no such class").is_none());
        for w in ["Said", "said.", "a few", "a-few", "né", "", "x\u{2019}s"] {
            assert!(!is_plain_word(w), "{w:?}");
        }
        assert!(is_plain_word("it's") && is_plain_word("2019"));
    }

    #[test]
    fn may_start_is_false_only_when_no_two_word_lookup_can_succeed() {
        let rules = crate::rules::RuleSet::builtin();
        let lex = Lexicon::load(&rules).expect("lexicon");
        for (class, words) in &lex.classes {
            let mut firsts: Vec<String> = vec!["xyzzy".into(), "Said".into(), "IS".into()];
            let mut seconds: Vec<String> = vec!["the".into(), "to".into(), "Week".into()];
            for (w, _) in words {
                if let Some((a, b)) = w.split_once([' ', '-']) {
                    firsts.push(a.to_string());
                    firsts.push(a.to_uppercase());
                    seconds.push(b.to_string());
                }
            }
            for a in &firsts {
                for b in &seconds {
                    for sep in [" ", "-"] {
                        let pair = format!("{a}{sep}{b}");
                        if lex.has(class, &pair) {
                            assert!(lex.may_start(class, a), "{class} {pair}");
                        }
                    }
                }
            }
        }
        assert!(lex.may_start("future_cue", "going") || !lex.has("future_cue", "going to"));
        assert!(!lex.may_start("future_cue", "xyzzy"));
        assert!(lex.may_start("future_cue", "é"));
    }

    #[test]
    fn digit_and_space_classes_are_narrowed_inside_and_outside_brackets() {
        assert_eq!(narrow_classes(r"\d{4}"), "[0-9]{4}");
        assert_eq!(narrow_classes(r"[\d,.]"), "[0-9,.]");
        assert_eq!(
            narrow_classes(r"a\sb[\s-]"),
            r"a[\t-\r \x{A0}\x{2009}\x{202F}]b[\t-\r \x{A0}\x{2009}\x{202F}-]"
        );
        // escapes other than \d and \s, and a literal `]` first in a class, are kept
        assert_eq!(narrow_classes(r"\.\b[]x]\d"), r"\.\b[]x][0-9]");
        let re = regex::Regex::new(&narrow_classes(r"^\d+\s[\s\d]+$")).unwrap();
        assert!(re.is_match("20\u{a0}05"));
        assert!(re.is_match("20\u{202f}5 5"));
        assert!(!re.is_match("٢٠ 05")); // Arabic-Indic digits are not read as numbers
    }

    fn atoms(words: &[&str]) -> Vec<Vec<String>> {
        let mut w: Vec<&str> = words.to_vec();
        w.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        w.iter()
            .map(|w| w.chars().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn the_trie_factors_prefixes_and_prefers_the_longer_word() {
        let words = ["sep", "sept", "september", "two", "twelve", "twenty", "ten"];
        let re = trie_regex(&atoms(&words));
        assert_eq!(re, "(?:sep(?:t(?:ember)?)?|t(?:w(?:e(?:lve|nty)|o)|en))");
        // leftmost-first picks the same word as the flat, longest-first alternation
        let flat = atoms(&words)
            .iter()
            .map(|w| w.concat())
            .collect::<Vec<_>>()
            .join("|");
        let trie = regex::Regex::new(&format!("(?i)(?:{re})")).unwrap();
        let flat = regex::Regex::new(&format!("(?i)(?:{flat})")).unwrap();
        for hay in [
            "september",
            "Sept. 3",
            "sep",
            "twelve",
            "twentyone",
            "tent",
            "SEPTEMBER",
        ] {
            assert_eq!(
                trie.find(hay).map(|m| m.as_str()),
                flat.find(hay).map(|m| m.as_str()),
                "{hay}"
            );
        }
    }
}
