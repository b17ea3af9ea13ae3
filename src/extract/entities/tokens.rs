//! A light tokenizer for the entity rules: runs of alphanumeric characters with byte spans and
//! a few flags. Everything between two tokens is their gap (spaces, punctuation).

use std::sync::atomic::{AtomicU8, Ordering};

use crate::annotations::Annotations;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tok {
    pub s: usize,
    pub e: usize,
    /// First character is an uppercase letter.
    pub cap: bool,
    /// Every letter is uppercase (and there are at least two letters, or one letter alone).
    pub upper: bool,
    /// First character is a lowercase letter.
    pub lower: bool,
    /// All characters are ASCII digits.
    pub digits: bool,
    /// First token of a sentence (or of a line).
    pub sent_start: bool,
    /// On a line with no lowercase letter (headlines, datelines).
    pub caps_line: bool,
    /// First token of a line.
    pub nl: bool,
    /// Zipf frequency of the lowercase word (0 when rare or unknown).
    pub zipf: f32,
    /// Word-list flags (`W_*` in `lexicon.rs`), looked up once per token.
    pub wf: u32,
    /// Gazetteer entry of this single word, or `u32::MAX`.
    pub gaz: u32,
}

impl Tok {
    #[inline]
    pub fn has(&self, flag: u32) -> bool {
        self.wf & flag != 0
    }
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.s..self.e]
    }
}

// Byte classes: ASCII letters and digits, and the lead or continuation bytes of other characters
// (decoded only there).
const C_ALNUM: u8 = 1;
const C_UPPER: u8 = 2;
const C_LOWER: u8 = 4;
const C_DIGIT: u8 = 8;
const C_HIGH: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            C_HIGH
        } else if c.is_ascii_uppercase() {
            C_ALNUM | C_UPPER
        } else if c.is_ascii_lowercase() {
            C_ALNUM | C_LOWER
        } else if c.is_ascii_digit() {
            C_ALNUM | C_DIGIT
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The class bits of a non-ASCII character (0 when it is not alphanumeric).
fn class_of(ch: char) -> u8 {
    if !ch.is_alphanumeric() {
        0
    } else if ch.is_uppercase() {
        C_ALNUM | C_UPPER
    } else if ch.is_lowercase() {
        C_ALNUM | C_LOWER
    } else {
        C_ALNUM
    }
}

/// Code points below this have their class cached in `SMALL_CLASS` (Latin, Greek, Cyrillic,
/// general punctuation such as ’ “ ” —): the Unicode tables are searched once per character and
/// process, not at every occurrence.
const SMALL: usize = 0x2100;

/// Not computed yet (no class has all bits set).
const UNKNOWN: u8 = u8::MAX;

/// The class of each code point below `SMALL`, filled on first sight (every thread computes the
/// same value, so relaxed loads and stores are enough).
static SMALL_CLASS: [AtomicU8; SMALL] = [const { AtomicU8::new(UNKNOWN) }; SMALL];

/// The class bits of the non-ASCII character at `i` and its length; 0 for a character that is
/// not alphanumeric.
#[inline(never)]
pub(crate) fn class_of_char(text: &str, i: usize) -> (u8, usize) {
    let ch = text[i..].chars().next().unwrap_or(' ');
    let u = ch as usize;
    let k = if u < SMALL {
        let cached = SMALL_CLASS[u].load(Ordering::Relaxed);
        if cached != UNKNOWN {
            cached
        } else {
            let k = class_of(ch);
            SMALL_CLASS[u].store(k, Ordering::Relaxed);
            k
        }
    } else {
        class_of(ch)
    };
    (k, ch.len_utf8())
}

/// Tokenize `text` from byte `from`; sentence starts come from `ann.sentences` (and line starts).
/// Also lists the capitalised tokens (`caps`) and the tokens a gazetteer name may start at
/// (`starts`): capitalised and capital tokens, and the other words whose (first byte, length)
/// bit is set in `name_filter` (see `Lexicon::name_start`).
// (kept out of line: inlined into its one caller it ran slower)
#[inline(never)]
pub(crate) fn tokenize(
    text: &str,
    from: usize,
    ann: &Annotations,
    name_filter: &[u32],
    out: &mut Vec<Tok>,
    caps: &mut Vec<u32>,
    starts: &mut Vec<u32>,
) {
    out.clear();
    caps.clear();
    starts.clear();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let sents = &ann.sentences;
    // the next sentence start not yet given to a token
    let mut next_sent = 0usize;
    let mut next_start = sents.first().map_or(usize::MAX, |s| s.span.start);
    let mut line_start = true;
    // the line being read: its first token, whether every token is a number or in capitals, and
    // whether one is a word of two or more characters (see `mark_caps_line`)
    let mut line_first = 0usize;
    let mut line_caps = true;
    let mut line_word = false;
    let mut i = from;
    while i < n {
        let b = bytes[i];
        // the usual gap: one space
        if b == b' ' {
            i += 1;
            continue;
        }
        let mut k = CLASS[b as usize];
        let mut len = 1;
        if k & C_ALNUM == 0 {
            if k == C_HIGH {
                (k, len) = class_of_char(text, i);
            } else if b == b'\n' {
                line_start = true;
            }
            if k == 0 {
                i += len;
                continue;
            }
        }
        let s = i;
        let first = k;
        i += len;
        let (digits, upper);
        if first == C_ALNUM | C_LOWER && len == 1 {
            // an ASCII lowercase letter first (most words): not digits, not in capitals, only
            // the end is needed
            while i < n {
                let c = CLASS[bytes[i] as usize];
                if c & C_ALNUM != 0 {
                    i += 1;
                    continue;
                }
                if c != C_HIGH {
                    break;
                }
                let (c, len) = class_of_char(text, i);
                if c == 0 {
                    break;
                }
                i += len;
            }
            (digits, upper) = (false, false);
        } else {
            // `or` collects the classes of the token's characters, `and` keeps `C_DIGIT` while
            // all are ASCII digits
            let mut or = k;
            let mut and = if len == 1 { k } else { 0 };
            while i < n {
                let c = CLASS[bytes[i] as usize];
                if c & C_ALNUM != 0 {
                    or |= c;
                    and &= c;
                    i += 1;
                    continue;
                }
                if c != C_HIGH {
                    break;
                }
                let (c, len) = class_of_char(text, i);
                if c == 0 {
                    break;
                }
                or |= c;
                and = 0;
                i += len;
            }
            digits = and & C_DIGIT != 0;
            upper = or & (C_UPPER | C_LOWER) == C_UPPER;
        }
        if line_start {
            mark_caps_line(&mut out[line_first..], line_caps, line_word);
            line_first = out.len();
            line_caps = true;
            line_word = false;
        }
        line_caps &= digits | upper;
        line_word |= !digits & (i - s > 1);
        let mut sent_start = line_start;
        if s >= next_start {
            sent_start = true;
            next_sent += 1;
            while next_sent < sents.len() && sents[next_sent].span.start <= s {
                next_sent += 1;
            }
            next_start = sents.get(next_sent).map_or(usize::MAX, |x| x.span.start);
        }
        let cap = first & C_UPPER != 0;
        let ti = out.len() as u32;
        if cap || upper {
            starts.push(ti);
            if cap {
                caps.push(ti);
            }
        } else if i - s < 32 && name_filter[b as usize] & (1 << (i - s)) != 0 {
            starts.push(ti);
        }
        out.push(Tok {
            s,
            e: i,
            cap,
            upper,
            lower: first & C_LOWER != 0,
            digits,
            sent_start,
            caps_line: false,
            nl: line_start,
            zipf: 0.0,
            wf: 0,
            gaz: u32::MAX,
        });
        line_start = false;
    }
    mark_caps_line(&mut out[line_first..], line_caps, line_word);
}

/// Mark the tokens of one line when it has letters but no lowercase letter: every token is a
/// number or in capitals (`caps`), and one is a word of two or more characters (`word`; a single
/// capital letter on its own line is not a headline in caps).
#[inline]
fn mark_caps_line(line: &mut [Tok], caps: bool, word: bool) {
    if caps && word {
        for t in line {
            t.caps_line = true;
        }
    }
}
