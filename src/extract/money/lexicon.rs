//! The money tables (`rules/money/*.tsv`) compiled into one lexicon: every token text that can
//! start a currency alias, be a number word or a magnitude maps to one entry.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher (the rustc "Fx" hash) for short keys looked up per word.
#[derive(Default, Clone, Copy)]
pub struct Fx(u64);

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<Fx>;

/// Index of an ASCII word's (first letter, last letter) pair, case-insensitive.
#[inline]
pub fn sig_index(w: &[u8]) -> Option<usize> {
    let f = (w.first()? | 0x20).wrapping_sub(b'a') as usize;
    let l = (w.last()? | 0x20).wrapping_sub(b'a') as usize;
    (f < 26 && l < 26).then_some(f * 26 + l)
}

/// Index of an ASCII word's (first letter, second letter) pair (the first twice for a single
/// letter), case-insensitive: a second filter after [`sig_index`].
#[inline]
pub fn sig2_index(w: &[u8]) -> Option<usize> {
    let f = (w.first()? | 0x20).wrapping_sub(b'a') as usize;
    let s = (w.get(1).unwrap_or(&w[0]) | 0x20).wrapping_sub(b'a') as usize;
    (f < 26 && s < 26).then_some(f * 26 + s)
}

use super::tokens;
use crate::rules::{RuleError, RuleLine, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Symbol,
    Code,
    Name,
    Minor,
}

#[derive(Debug, Clone)]
pub struct Alias {
    /// Lower-cased token texts.
    pub toks: Vec<Box<str>>,
    /// Token texts as written (for `case`).
    pub raw: Vec<Box<str>>,
    /// The alias as written in its file.
    pub written: Box<str>,
    pub currency: Option<Arc<str>>,
    /// The ambiguous bare dollar (`$`, dollars): a repeated unit after it is the same money.
    pub default_dollar: bool,
    pub kind: UnitKind,
    pub factor: f64,
    pub pre: bool,
    pub post: bool,
    pub case: bool,
    pub glued: bool,
    pub tight: bool,
    pub wordcode: bool,
    pub weight: bool,
    pub singular: bool,
    pub nocap: bool,
    pub compound_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumWord {
    Unit(f64),
    Fraction(f64),
    Article,
}

#[derive(Debug, Clone)]
pub struct Magnitude {
    pub value: f64,
    /// Exact spelling required (`M`, `K`), else any case.
    pub exact: Option<Box<str>>,
    pub glued: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub aliases: Vec<u32>,
    pub num: Option<NumWord>,
    pub mags: Vec<Magnitude>,
}

#[derive(Debug, Default)]
pub struct Lexicon {
    pub map: HashMap<Box<str>, u32, FxBuild>,
    pub entries: Vec<Entry>,
    pub aliases: Vec<Alias>,
    /// (lower-cased tokens, qualifier), longest first.
    pub qualifiers: Vec<(Vec<Box<str>>, &'static str)>,
    pub lists: HashMap<String, HashSet<Box<str>, FxBuild>, FxBuild>,
    /// One trigger per alias (its `$` or its longest token): money is only looked for in
    /// windows around a trigger.
    pub trigger_words: HashSet<Box<[u8]>, FxBuild>,
    pub trigger_chars: HashSet<char, FxBuild>,
    /// Triggers of aliases that need their exact case (ALL, MAD, RM).
    pub trigger_exact: HashSet<Box<[u8]>, FxBuild>,
    pub max_trigger: usize,
    /// For (first letter, last letter) of a trigger word, a bit per length: most words are
    /// rejected without hashing.
    pub trigger_sig: Vec<u32>,
    /// The same for (first letter, second letter): "and" passes the first filter ("aud"), not
    /// this one.
    pub trigger_sig2: Vec<u32>,
    /// The same signature bits for the keys of `map`, for `lookup`.
    pub key_sig: Vec<u32>,
}

fn parse_f64(line: &RuleLine, s: &str) -> Result<f64, RuleError> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| line.error(format!("not a number: {s:?}")))
}

/// The token texts of an alias or phrase, tokenized like document text.
fn split_tokens(s: &str) -> Vec<(Box<str>, bool)> {
    tokens::tokenize(s, |_| u32::MAX)
        .iter()
        .map(|t| (Box::from(t.text(s)), t.glued))
        .collect()
}

impl Lexicon {
    pub fn load(rules: &RuleSet, default_dollar: &str) -> Result<Self, RuleError> {
        let mut lex = Lexicon::default();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut currencies: HashSet<String> = HashSet::new();
        let dollar: Arc<str> = Arc::from(default_dollar.to_uppercase());
        let mut add_alias = |lex: &mut Lexicon, alias: Alias, off: bool| {
            let key = alias.toks.join(" ");
            match by_key.get(&key) {
                Some(&i) if off => {
                    lex.aliases[i].pre = false;
                    lex.aliases[i].post = false;
                }
                Some(&i) => lex.aliases[i] = alias,
                None if off => {}
                None => {
                    by_key.insert(key, lex.aliases.len());
                    lex.aliases.push(alias);
                }
            }
        };
        let base = |text: &str, currency: Option<Arc<str>>, kind: UnitKind| {
            let toks = split_tokens(text);
            Alias {
                written: Box::from(text),
                toks: toks
                    .iter()
                    .map(|(t, _)| Box::from(t.to_lowercase()))
                    .collect(),
                raw: toks.iter().map(|(t, _)| t.clone()).collect(),
                currency,
                default_dollar: false,
                kind,
                factor: 1.0,
                pre: kind == UnitKind::Code,
                post: true,
                case: false,
                glued: false,
                tight: false,
                wordcode: false,
                weight: false,
                singular: false,
                nocap: false,
                compound_only: false,
            }
        };

        // ISO 4217 codes and names
        for line in rules.lines("money/currencies.tsv") {
            let f = line.fields();
            if f.len() < 5 {
                return Err(line.error("expected code, name, plural, minor exponent, status"));
            }
            let code = f[0].trim();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(line.error(format!("not an ISO 4217 code: {code:?}")));
            }
            currencies.insert(code.to_string());
            if f[4].trim() == "not_money" {
                continue;
            }
            let cur: Arc<str> = Arc::from(code);
            add_alias(
                &mut lex,
                base(code, Some(cur.clone()), UnitKind::Code),
                false,
            );
            for name in [f[1], f[2]] {
                let name = name.trim();
                if !name.is_empty() && name.split(' ').count() <= 4 {
                    add_alias(
                        &mut lex,
                        base(name, Some(cur.clone()), UnitKind::Name),
                        false,
                    );
                }
            }
        }

        // hand-kept aliases
        for line in rules.lines("money/aliases.tsv") {
            let f = line.fields();
            if f.len() < 5 {
                return Err(line.error("expected alias, iso, kind, factor, pos[, flags]"));
            }
            let iso = f[1].trim();
            let (currency, default_dollar) = match iso {
                "$" => (Some(dollar.clone()), true),
                "-" => (None, false),
                c if currencies.contains(c) => (Some(Arc::from(c)), false),
                c => return Err(line.error(format!("unknown currency code {c:?}"))),
            };
            let kind = match f[2].trim() {
                "symbol" => UnitKind::Symbol,
                "code" => UnitKind::Code,
                "name" => UnitKind::Name,
                "minor" => UnitKind::Minor,
                k => return Err(line.error(format!("unknown kind {k:?}"))),
            };
            let mut a = base(f[0].trim(), currency, kind);
            if a.toks.is_empty() {
                return Err(line.error("empty alias"));
            }
            a.default_dollar = default_dollar;
            a.factor = parse_f64(&line, f[3])?;
            (a.pre, a.post) = match f[4].trim() {
                "pre" => (true, false),
                "post" => (false, true),
                "both" => (true, true),
                p => return Err(line.error(format!("pos must be pre, post or both, not {p:?}"))),
            };
            let mut off = false;
            for flag in f.get(5).unwrap_or(&"").split(',').map(str::trim) {
                match flag {
                    "" | "-" | "best" => {}
                    "case" => a.case = true,
                    "glued" => a.glued = true,
                    "tight" => a.tight = true,
                    "wordcode" => a.wordcode = true,
                    "weight" => a.weight = true,
                    "singular" => a.singular = true,
                    "nocap" => a.nocap = true,
                    "compound" => a.compound_only = true,
                    "off" => off = true,
                    x => return Err(line.error(format!("unknown flag {x:?}"))),
                }
            }
            add_alias(&mut lex, a, off);
        }
        for i in 0..lex.aliases.len() {
            let a = &lex.aliases[i];
            if a.pre || a.post {
                let first = a.toks[0].clone();
                let e = lex.entry(&first);
                lex.entries[e].aliases.push(i as u32);
            }
        }

        // One trigger per alias, looked for by a single pass over the text: its last ASCII word
        // ("australian dollars" → dollars, "50p" → p), else its first non-ASCII character
        // (€, £, ₹, 元) or "$". Money is only looked for in windows around triggers.
        let single: HashSet<&str> = lex
            .aliases
            .iter()
            .filter(|a| a.toks.len() == 1 && (a.pre || a.post))
            .map(|a| &*a.toks[0])
            .collect();
        let mut words: Vec<(Box<[u8]>, bool)> = Vec::new();
        let mut chars: Vec<char> = Vec::new();
        for a in &lex.aliases {
            if !(a.pre || a.post) || a.compound_only {
                continue;
            }
            // a symbol ($, €, ₹, 元) is the best trigger
            if let Some(c) = a
                .written
                .chars()
                .find(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace() && *c != '.')
            {
                chars.push(c);
                continue;
            }
            let ascii: Vec<usize> = (0..a.toks.len())
                .filter(|&i| a.toks[i].bytes().all(|b| b.is_ascii_alphabetic()))
                .collect();
            // the currency noun, when it is an alias on its own ("australian dollars" →
            // dollars), else the longest word ("convertible mark" → convertible)
            let pick = ascii
                .last()
                .filter(|&&i| single.contains(&*a.toks[i]))
                .or_else(|| ascii.iter().max_by_key(|&&i| a.toks[i].len()))
                .copied();
            let Some(i) = pick else { continue };
            let w: &str = if a.case { &a.raw[i] } else { &a.toks[i] };
            if w.len() == 1 && a.toks.len() > 1 {
                // "l.e.": a lone letter triggers only as written, in either case
                words.push((Box::from(w.to_ascii_lowercase().as_bytes()), true));
                words.push((Box::from(w.to_ascii_uppercase().as_bytes()), true));
            } else {
                words.push((Box::from(w.as_bytes()), a.case));
            }
        }
        lex.trigger_sig = vec![0u32; 26 * 26];
        lex.trigger_sig2 = vec![0u32; 26 * 26];
        for (w, exact) in words {
            if let (Some(i), Some(i2)) = (sig_index(&w), sig2_index(&w))
                && w.len() < 32
            {
                lex.trigger_sig[i] |= 1 << w.len();
                lex.trigger_sig2[i2] |= 1 << w.len();
            }
            lex.max_trigger = lex.max_trigger.max(w.len());
            if exact {
                lex.trigger_exact.insert(w);
            } else {
                lex.trigger_words.insert(w);
            }
        }
        lex.trigger_chars.extend(chars);

        for line in rules.lines("money/magnitudes.tsv") {
            let f = line.fields();
            if f.len() < 2 {
                return Err(line.error("expected word, value[, flags]"));
            }
            let word = f[0].trim();
            let value = parse_f64(&line, f[1])?;
            let flags = f.get(2).copied().unwrap_or("-");
            let exact = flags.contains("case").then(|| Box::from(word));
            let glued = flags.contains("glued");
            let e = lex.entry(&word.to_lowercase());
            lex.entries[e].mags.push(Magnitude {
                value,
                exact,
                glued,
            });
        }

        for line in rules.lines("money/number_words.tsv") {
            let f = line.fields();
            if f.len() < 3 {
                return Err(line.error("expected word, value, kind"));
            }
            let value = parse_f64(&line, f[1])?;
            let nw = match f[2].trim() {
                "unit" => NumWord::Unit(value),
                "fraction" => NumWord::Fraction(value),
                "article" => NumWord::Article,
                k => return Err(line.error(format!("unknown kind {k:?}"))),
            };
            let e = lex.entry(&f[0].trim().to_lowercase());
            lex.entries[e].num = Some(nw);
        }

        for line in rules.lines("money/qualifiers.tsv") {
            let f = line.fields();
            if f.len() < 2 {
                return Err(line.error("expected phrase, qualifier"));
            }
            let q: &'static str = match f[1].trim() {
                "approx" => "approx",
                "min" => "min",
                "max" => "max",
                "between" => "between",
                q => return Err(line.error(format!("unknown qualifier {q:?}"))),
            };
            let toks = split_tokens(&f[0].trim().to_lowercase())
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            lex.qualifiers.push((toks, q));
        }
        lex.qualifiers
            .sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));

        for line in rules.lines("money/patterns.tsv") {
            let f = line.fields();
            if f.len() != 2 {
                return Err(line.error("expected a list id, a tab, then words separated by spaces"));
            }
            let id = f[0].trim().to_string();
            let set = lex.lists.entry(id).or_default();
            for w in f[1].split_whitespace() {
                {
                    set.insert(Box::from(w.to_lowercase()));
                }
            }
        }
        lex.key_sig = vec![0u32; 26 * 26];
        for key in lex.map.keys() {
            if let Some(i) = sig_index(key.as_bytes())
                && key.len() < 32
            {
                lex.key_sig[i] |= 1 << key.len();
            }
        }
        Ok(lex)
    }

    fn entry(&mut self, key: &str) -> usize {
        if let Some(&i) = self.map.get(key) {
            return i as usize;
        }
        self.entries.push(Entry::default());
        let i = self.entries.len() - 1;
        self.map.insert(Box::from(key), i as u32);
        i
    }

    #[inline]
    pub fn lookup(&self, lower: &str) -> u32 {
        // most words are in no entry: rejected by their signature without hashing
        let len = lower.len();
        if len < 32
            && let Some(k) = sig_index(lower.as_bytes())
            && self
                .key_sig
                .get(k)
                .is_some_and(|&bits| bits & (1 << len) == 0)
        {
            return u32::MAX;
        }
        self.map.get(lower).copied().unwrap_or(u32::MAX)
    }

    #[inline]
    pub fn get(&self, id: u32) -> Option<&Entry> {
        self.entries.get(id as usize)
    }

    pub fn in_list(&self, list: &str, lower: &str) -> bool {
        self.lists.get(list).is_some_and(|s| s.contains(lower))
    }
}

/// Does token text `s` equal the lower-cased `lower`?
#[inline]
pub fn eq_lower(s: &str, lower: &str) -> bool {
    if s.is_ascii() {
        s.eq_ignore_ascii_case(lower)
    } else {
        s.to_lowercase() == lower
    }
}
