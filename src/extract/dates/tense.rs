//! Which way an underspecified date points: the nearest tense cue in the mention's clause.
//!
//! News resolves "on Friday", "in August" by tense: "said on Friday" is the Friday before the
//! article, "will meet on Friday" the one after. The clause is the text from the last `.;:!?`
//! (at most 100 bytes back, within the sentence) to the next `.,;:!?` (at most 60 bytes on);
//! the cue nearest to the mention wins. Future cues are the lexicon class `future_cue` (one or
//! two words); past cues `past_cue`, plus words ending in `-ed` not listed in `not_past`.
//! A past form right after `be` is a participle ("would be paid"), and `was`/`were` before an
//! `-ing` word an auxiliary ("were planning to"): neither is a cue.

use super::grammar::{Lexicon, is_plain_word};
use crate::annotations::Span;
use crate::extract::fx::{FxMap, FxSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Past,
    Future,
    Unknown,
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The words of the mention's clause: before it (in text order) and after it.
fn clause_words(
    text: &str,
    span: Span,
    sentence: Span,
    comma_ends: bool,
) -> (Vec<&str>, Vec<&str>) {
    let lo = floor_boundary(
        text,
        span.start
            .saturating_sub(100)
            .max(sentence.start.min(span.start)),
    );
    let hi = ceil_boundary(
        text,
        (span.end + 60)
            .min(sentence.end.max(span.end))
            .min(text.len()),
    );
    let before = &text[lo..span.start];
    // the stops are ASCII: a byte search finds them without decoding chars (a UTF-8
    // continuation byte is never ASCII, so the cuts stay on char boundaries)
    let before = match before
        .bytes()
        .rposition(|b| matches!(b, b'.' | b';' | b':' | b'!' | b'?' | b'\n'))
    {
        Some(i) => &before[i + 1..],
        None => before,
    };
    let after = &text[span.end..hi];
    let stop =
        |b: u8| matches!(b, b'.' | b';' | b':' | b'!' | b'?' | b'\n') || (comma_ends && b == b',');
    let after = match after.bytes().position(stop) {
        Some(i) => &after[..i],
        None => after,
    };
    (split_words(before), split_words(after))
}

/// The words of `s`: runs of alphanumeric chars, `'` and `’`.
fn split_words(s: &str) -> Vec<&str> {
    // (a clause holds a few dozen words: one allocation for most)
    let mut out = Vec::with_capacity(32);
    let mut start = None;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (word, len) = if b.is_ascii() {
            // most chars: no decoding
            (b.is_ascii_alphanumeric() || b == b'\'', 1)
        } else {
            let c = s[i..].chars().next().unwrap_or_default();
            (c.is_alphanumeric() || c == '’', c.len_utf8())
        };
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                out.push(&s[st..i]);
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

/// The words of the cue classes in one map, each with its classes as flags: a word of the
/// clause is looked up once for all of them (most words are in none).
pub struct CueWords {
    flags: FxMap<String, u8>,
}

/// The word starts a two-word `future_cue` (as [`may_start_in`] says).
const FIRST: u8 = 1;
const FUTURE: u8 = 2;
const PAST: u8 = 4;
const NOT_PAST: u8 = 8;
/// Not looked up yet.
const UNKNOWN: u8 = 0x80;

fn if_set(on: bool, flag: u8) -> u8 {
    if on { flag } else { 0 }
}

impl CueWords {
    pub fn new(lex: &Lexicon) -> Self {
        let mut flags: FxMap<String, u8> = FxMap::default();
        for (class, f) in [
            ("future_cue", FUTURE),
            ("past_cue", PAST),
            ("not_past", NOT_PAST),
        ] {
            for w in lex.words_of(class).into_iter().flat_map(|m| m.keys()) {
                *flags.entry(w.clone()).or_default() |= f;
            }
        }
        for w in lex.firsts_of("future_cue").into_iter().flatten() {
            *flags.entry(w.clone()).or_default() |= FIRST;
        }
        CueWords { flags }
    }
}

pub fn tense(lex: &Lexicon, words: &CueWords, text: &str, span: Span, sentence: Span) -> Tense {
    // Words before, nearest first.
    let (words_before, words_after) = clause_words(text, span, sentence, true);
    let n = words_before.len().max(words_after.len());
    // the two-word cues are built here, one buffer for the whole clause
    let mut pair = String::with_capacity(32);
    // the classes and the first words of two-word cues, looked up once per clause
    let cues = Cues::new(lex, words);
    // each word's flags, looked up when first needed
    let mut flags_before = vec![UNKNOWN; words_before.len()];
    let mut flags_after = vec![UNKNOWN; words_after.len()];
    for k in 0..n {
        if k < words_before.len() {
            let i = words_before.len() - 1 - k;
            if let Some(t) = cue(&cues, &words_before, &mut flags_before, i, &mut pair) {
                return t;
            }
        }
        if k < words_after.len()
            && let Some(t) = cue(&cues, &words_after, &mut flags_after, k, &mut pair)
        {
            return t;
        }
    }
    Tense::Unknown
}

/// Whether the mention's clause has a word of the lexicon class `class` (case-insensitive):
/// `had` (class `perfect_past`) makes "had filed by Wednesday" a deadline already past.
pub fn clause_has(lex: &Lexicon, class: &str, text: &str, span: Span, sentence: Span) -> bool {
    // a fronted "Until Thursday, they had …" reads the whole sentence on
    let (before, after) = clause_words(text, span, sentence, false);
    before
        .iter()
        .chain(after.iter())
        .any(|w| lex.has(class, &w.to_lowercase()))
}

/// The cue classes of the lexicon, each looked up once per clause rather than per word.
struct Cues<'a> {
    lex: &'a Lexicon,
    words: &'a CueWords,
    /// the first words of two-word future cues (most words start none: no pair lookups then)
    firsts: Option<&'a FxSet<String>>,
    future: Option<&'a FxMap<String, String>>,
    past: Option<&'a FxMap<String, String>>,
    not_past: Option<&'a FxMap<String, String>>,
}

impl<'a> Cues<'a> {
    fn new(lex: &'a Lexicon, words: &'a CueWords) -> Self {
        Cues {
            lex,
            words,
            firsts: lex.firsts_of("future_cue"),
            future: lex.words_of("future_cue"),
            past: lex.words_of("past_cue"),
            not_past: lex.words_of("not_past"),
        }
    }

    /// `lex.has(class, word)`, where `words` is `class`'s words: a plain word is looked up
    /// directly.
    fn has(&self, words: Option<&FxMap<String, String>>, class: &str, word: &str) -> bool {
        if is_plain_word(word) {
            words.is_some_and(|m| m.contains_key(word))
        } else {
            self.lex.has(class, word)
        }
    }

    /// The flags of the word `w`: [`FIRST`] if `may_start_in(firsts, w)`, and the classes
    /// `has` finds its lower case in.
    fn flags(&self, w: &str) -> u8 {
        let mut buf = [0u8; 32];
        if let Some(b) = buf.get_mut(..w.len())
            && w.is_ascii()
        {
            for (d, c) in b.iter_mut().zip(w.bytes()) {
                *d = c.to_ascii_lowercase();
            }
            // ASCII in, ASCII out: always UTF-8
            let lower = std::str::from_utf8(b).unwrap_or_default();
            if is_plain_word(lower) {
                // a plain word is looked up as it is in each class, as in the map
                return self.words.flags.get(lower).copied().unwrap_or(0);
            }
            let first = self.firsts.is_some_and(|f| f.contains(lower));
            return if_set(first, FIRST) | self.class_flags(lower);
        }
        // long or not ASCII: `may_start_in` says it may start one
        if_set(self.firsts.is_some(), FIRST) | self.class_flags(&w.to_lowercase())
    }

    fn class_flags(&self, lower: &str) -> u8 {
        if_set(self.has(self.future, "future_cue", lower), FUTURE)
            | if_set(self.has(self.past, "past_cue", lower), PAST)
            | if_set(self.has(self.not_past, "not_past", lower), NOT_PAST)
    }
}

/// The tense word `words[i]` gives, if any (`flags`: the words' flags, [`UNKNOWN`] until
/// looked up).
fn cue(
    cues: &Cues,
    words: &[&str],
    flags: &mut [u8],
    i: usize,
    pair: &mut String,
) -> Option<Tense> {
    let mut flag = |j: usize| {
        if flags[j] == UNKNOWN {
            flags[j] = cues.flags(words[j]);
        }
        flags[j]
    };
    let lex = cues.lex;
    let w = words[i];
    let f = flag(i);
    if let Some(next) = words.get(i + 1)
        && f & FIRST != 0
    {
        pair.clear();
        pair.push_str(w);
        pair.push(' ');
        pair.push_str(next);
        if lex.has("future_cue", pair) {
            return Some(Tense::Future);
        }
    }
    if i > 0 && flag(i - 1) & FIRST != 0 {
        pair.clear();
        pair.push_str(words[i - 1]);
        pair.push(' ');
        pair.push_str(w);
        if lex.has("future_cue", pair) {
            return Some(Tense::Future);
        }
    }
    if f & FUTURE != 0 {
        return Some(Tense::Future);
    }
    let owned;
    let lower: &str = if w.bytes().any(|b| b.is_ascii_uppercase()) || !w.is_ascii() {
        owned = w.to_lowercase();
        &owned
    } else {
        w
    };
    if lower.ends_with("'ll") || lower.ends_with("’ll") {
        return Some(Tense::Future);
    }
    // "were planning to": the progressive's verb decides, not the auxiliary
    if (lower == "was" || lower == "were")
        && words
            .get(i + 1)
            .is_some_and(|n| n.len() > 4 && n.ends_with("ing"))
    {
        return None;
    }
    // "would be paid", "to be named": a participle after `be` is no past tense
    let after_be = i > 0 && words[i - 1].eq_ignore_ascii_case("be");
    if f & PAST != 0 {
        return (!after_be).then_some(Tense::Past);
    }
    if lower.len() > 4 && lower.ends_with("ed") && lower.is_ascii() && f & (NOT_PAST | FUTURE) == 0
    {
        return (!after_be).then_some(Tense::Past);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::dates::grammar::may_start_in;

    #[test]
    fn a_word_s_flags_are_its_class_lookups() {
        let rules = crate::rules::RuleSet::builtin();
        let lex = Lexicon::load(&rules).expect("lexicon");
        let words = CueWords::new(&lex);
        let cues = Cues::new(&lex, &words);
        let mut samples: Vec<String> = ["future_cue", "past_cue", "not_past"]
            .iter()
            .flat_map(|c| lex.words_of(c).into_iter().flat_map(|m| m.keys().cloned()))
            .chain(cues.firsts.into_iter().flatten().cloned())
            .collect();
        assert!(samples.len() > 20, "{}", samples.len());
        for w in samples.clone() {
            samples.push(w.to_uppercase());
            samples.push(format!("{w}-x"));
        }
        samples.extend(
            [
                "",
                "the",
                "said",
                "Planned",
                "café",
                "ÉTÉ",
                "x’ll",
                "co-operated",
            ]
            .map(String::from),
        );
        samples.push("a".repeat(40));
        let mut set = 0;
        for w in &samples {
            let lower = w.to_lowercase();
            let has = |class| lex.has(class, &lower);
            let want = if_set(may_start_in(cues.firsts, w), FIRST)
                | if_set(has("future_cue"), FUTURE)
                | if_set(has("past_cue"), PAST)
                | if_set(has("not_past"), NOT_PAST);
            assert_eq!(cues.flags(w), want, "{w:?}");
            set += usize::from(want != 0);
        }
        assert!(set > 20, "{set}");
    }

    #[test]
    fn split_words_matches_the_char_split() {
        let reference = |s: &str| -> Vec<String> {
            s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        };
        for s in [
            "",
            "  ",
            "said on",
            "it's the firm’s plan, (will) be-paid;x",
            "Né à Zürich 2019 ٢٠ café—now",
            "end",
            "'",
            "a\u{2019}b c",
        ] {
            assert_eq!(split_words(s), reference(s), "{s:?}");
        }
    }
}
