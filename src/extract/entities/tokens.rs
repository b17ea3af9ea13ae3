//! A light tokenizer for the entity rules: runs of alphanumeric characters with byte spans and
//! a few flags. Everything between two tokens is their gap (spaces, punctuation).

use std::sync::atomic::{AtomicU8, Ordering};

use crate::annotations::Annotations;

/// Token flags (`Tok::f`). `T_CAP` and `T_LOWER` are the `C_UPPER` and `C_LOWER` class bits of
/// the first character and `T_DIGITS` is `C_DIGIT`, so the tokenizer copies them over.
const T_UPPER: u8 = 1;
const T_CAP: u8 = 2;
const T_LOWER: u8 = 4;
const T_DIGITS: u8 = 8;
const T_SENT: u8 = 16;
const T_CAPS_LINE: u8 = 32;
const T_NL: u8 = 64;

/// A token: its byte span, what the word lists say about it (set by `Lexicon::annotate`) and its
/// flags, in one byte (a token is written for every word: the smaller the cheaper).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub s: usize,
    pub e: usize,
    /// Zipf frequency of the lowercase word (0 when rare or unknown).
    pub zipf: f32,
    /// Word-list flags (`W_*` in `lexicon.rs`), looked up once per token.
    pub wf: u32,
    /// Gazetteer entry of this single word, or `u32::MAX`.
    pub gaz: u32,
    /// `T_*` bits.
    f: u8,
}

impl Default for Tok {
    fn default() -> Self {
        Tok::new(0, 0, 0)
    }
}

impl Tok {
    #[inline]
    fn new(s: usize, e: usize, f: u8) -> Tok {
        Tok {
            s,
            e,
            zipf: 0.0,
            wf: 0,
            gaz: u32::MAX,
            f,
        }
    }
    /// A token with only its case flags (for tests of the word tables).
    #[cfg(test)]
    pub fn with_case(s: usize, e: usize, cap: bool, upper: bool) -> Tok {
        Tok::new(
            s,
            e,
            if cap { T_CAP } else { 0 } | if upper { T_UPPER } else { 0 },
        )
    }
    #[inline]
    pub fn has(&self, flag: u32) -> bool {
        self.wf & flag != 0
    }
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.s..self.e]
    }
    /// First character is an uppercase letter.
    #[inline]
    pub fn cap(&self) -> bool {
        self.f & T_CAP != 0
    }
    /// Every letter is uppercase (and there are at least two letters, or one letter alone).
    #[inline]
    pub fn upper(&self) -> bool {
        self.f & T_UPPER != 0
    }
    /// Capitalised or in capitals (`cap() || upper()`).
    #[inline]
    pub fn cased(&self) -> bool {
        self.f & (T_CAP | T_UPPER) != 0
    }
    /// First character is a lowercase letter.
    #[inline]
    pub fn lower(&self) -> bool {
        self.f & T_LOWER != 0
    }
    /// All characters are ASCII digits.
    #[inline]
    pub fn digits(&self) -> bool {
        self.f & T_DIGITS != 0
    }
    /// First token of a sentence (or of a line).
    #[inline]
    pub fn sent_start(&self) -> bool {
        self.f & T_SENT != 0
    }
    /// On a line with no lowercase letter (headlines, datelines).
    #[inline]
    pub fn caps_line(&self) -> bool {
        self.f & T_CAPS_LINE != 0
    }
    /// First token of a line.
    #[inline]
    pub fn nl(&self) -> bool {
        self.f & T_NL != 0
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
    name_filter: &[u32; 256],
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
        let lower_ascii = k == C_ALNUM | C_LOWER && len == 1;
        if lower_ascii && !line_start {
            // a run of words that start with an ASCII lowercase letter, one space apart (most of
            // the text): not digits, not in capitals, not a line start; only their ends are needed
            line_caps = false;
            let (mut s, mut first) = (i, b);
            loop {
                let e = word_end(text, s + 1);
                line_word |= e - s > 1;
                let mut f = T_LOWER;
                if s >= next_start {
                    f |= T_SENT;
                    next_start = next_sentence(sents, &mut next_sent, s);
                }
                let len = e - s;
                if len < 32 && name_filter[first as usize] & (1 << len) != 0 {
                    starts.push(out.len() as u32);
                }
                out.push(Tok::new(s, e, f));
                i = e;
                match bytes.get(e..e + 2) {
                    Some(&[b' ', next]) if next.is_ascii_lowercase() => {
                        (s, first) = (e + 1, next);
                    }
                    _ => break,
                }
            }
            continue;
        }
        let s = i;
        i += len;
        // the flags of the first character (`T_CAP`, `T_LOWER`) and of the whole token
        let mut f;
        if lower_ascii {
            // (at a line start)
            i = word_end(text, i);
            f = T_LOWER;
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
            let upper = or & (C_UPPER | C_LOWER) == C_UPPER;
            f = (k & (C_UPPER | C_LOWER)) | (and & C_DIGIT) | if upper { T_UPPER } else { 0 };
        }
        if line_start {
            mark_caps_line(&mut out[line_first..], line_caps, line_word);
            line_first = out.len();
            line_caps = true;
            line_word = false;
            f |= T_NL | T_SENT;
            line_start = false;
        }
        line_caps &= f & (T_DIGITS | T_UPPER) != 0;
        line_word |= f & T_DIGITS == 0 && i - s > 1;
        if s >= next_start {
            f |= T_SENT;
            next_start = next_sentence(sents, &mut next_sent, s);
        }
        let ti = out.len() as u32;
        if f & (T_CAP | T_UPPER) != 0 {
            starts.push(ti);
            if f & T_CAP != 0 {
                caps.push(ti);
            }
        } else if i - s < 32 && name_filter[b as usize] & (1 << (i - s)) != 0 {
            starts.push(ti);
        }
        out.push(Tok::new(s, i, f));
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
            t.f |= T_CAPS_LINE;
        }
    }
}

/// The token at `s` starts the sentence `next_sent`: move past the sentences that start at or
/// before `s` and return the start of the next one (`usize::MAX` when none is left).
#[inline]
fn next_sentence(sents: &[crate::annotations::Sentence], next_sent: &mut usize, s: usize) -> usize {
    *next_sent += 1;
    while *next_sent < sents.len() && sents[*next_sent].span.start <= s {
        *next_sent += 1;
    }
    sents.get(*next_sent).map_or(usize::MAX, |x| x.span.start)
}

/// The end of the word whose rest starts at `i` (letters and digits, ASCII or not).
#[inline]
fn word_end(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        i = ascii_alnum_end(bytes, i);
        if i < bytes.len() && bytes[i] >= 0x80 {
            let (c, len) = class_of_char(text, i);
            if c != 0 {
                i += len;
                continue;
            }
        }
        return i;
    }
}

/// The high bit of every byte of `w` that is not an ASCII letter or digit.
#[inline]
fn non_alnum(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // high bits cleared so that the additions below never carry across bytes; a byte's high bit
    // is then set when it is >= the bound (letters folded to lower case first)
    let y = w & !HI;
    let x = y | 0x2020_2020_2020_2020;
    let letter = (x + LO * (0x80 - b'a' as u64)) & !(x + LO * (0x80 - b'z' as u64 - 1));
    let digit = (y + LO * (0x80 - b'0' as u64)) & !(y + LO * (0x80 - b'9' as u64 - 1));
    !((letter | digit) & !w) & HI
}

/// The end of the run of ASCII letters and digits at `i`, eight bytes at a time.
#[inline]
pub(crate) fn ascii_alnum_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let non = non_alnum(w);
        if non != 0 {
            return i + (non.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && CLASS[bytes[i] as usize] & C_ALNUM != 0 {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight-bytes-at-a-time scan stops where the byte-by-byte one does: every byte value at
    /// every position of a word, and runs longer than eight bytes.
    #[test]
    fn ascii_alnum_end_agrees_with_the_class_table() {
        let plain = |bytes: &[u8], mut i: usize| {
            while i < bytes.len() && CLASS[bytes[i] as usize] & C_ALNUM != 0 {
                i += 1;
            }
            i
        };
        for b in 0..=255u8 {
            for pos in 0..20 {
                let mut buf = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
                buf[pos] = b;
                for from in 0..3 {
                    assert_eq!(
                        ascii_alnum_end(&buf, from),
                        plain(&buf, from),
                        "{b} at {pos} from {from}"
                    );
                }
            }
        }
    }
}
