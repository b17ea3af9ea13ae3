//! A light tokenizer for the entity rules: runs of alphanumeric characters with byte spans and
//! a few flags. Everything between two tokens is their gap (spaces, punctuation).

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

/// The class bits of the non-ASCII character at `i` and its length; 0 for a character that is
/// not alphanumeric.
#[inline(never)]
fn class_of_char(text: &str, i: usize) -> (u8, usize) {
    let ch = text[i..].chars().next().unwrap_or(' ');
    let k = if !ch.is_alphanumeric() {
        0
    } else if ch.is_uppercase() {
        C_ALNUM | C_UPPER
    } else if ch.is_lowercase() {
        C_ALNUM | C_LOWER
    } else {
        C_ALNUM
    };
    (k, ch.len_utf8())
}

/// Tokenize `text` from byte `from`; sentence starts come from `ann.sentences` (and line starts).
pub(crate) fn tokenize(text: &str, from: usize, ann: &Annotations, out: &mut Vec<Tok>) {
    out.clear();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let starts = &ann.sentences;
    // the next sentence start not yet given to a token
    let mut next_sent = 0usize;
    let mut next_start = starts.first().map_or(usize::MAX, |s| s.span.start);
    let mut line_start = true;
    // the line being read: its first token, whether every token is a number or in capitals, and
    // whether one is a word of two or more characters (see `mark_caps_line`)
    let mut line_first = 0usize;
    let mut line_caps = true;
    let mut line_word = false;
    let mut i = from;
    while i < n {
        let b = bytes[i];
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
        // a token: `or` collects the classes of its characters, `and` keeps `C_DIGIT` while all
        // are ASCII digits
        let s = i;
        let first = k;
        let mut or = k;
        let mut and = if len == 1 { k } else { 0 };
        i += len;
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
        let digits = and & C_DIGIT != 0;
        let upper = or & (C_UPPER | C_LOWER) == C_UPPER;
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
            while next_sent < starts.len() && starts[next_sent].span.start <= s {
                next_sent += 1;
            }
            next_start = starts.get(next_sent).map_or(usize::MAX, |x| x.span.start);
        }
        out.push(Tok {
            s,
            e: i,
            cap: first & C_UPPER != 0,
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
