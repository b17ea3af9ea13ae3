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

// Byte classes for the ASCII fast path.
const C_ALNUM: u8 = 1;
const C_UPPER: u8 = 2;
const C_LOWER: u8 = 4;
const C_DIGIT: u8 = 8;

static CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
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

/// Tokenize `text` from byte `from`; sentence starts come from `ann.sentences` (and line starts).
pub(crate) fn tokenize(text: &str, from: usize, ann: &Annotations, out: &mut Vec<Tok>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = from;
    let mut line_start = true;
    let mut sent_idx = 0usize;
    let sentences = &ann.sentences;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if CLASS[b as usize] & C_ALNUM != 0 {
                let s = i;
                let mut upper_letters = 0usize;
                let mut lower_letters = 0usize;
                let mut all_digits = true;
                while i < bytes.len() {
                    let c = bytes[i];
                    if c < 0x80 {
                        let k = CLASS[c as usize];
                        if k == 0 {
                            break;
                        }
                        upper_letters += (k >> 1 & 1) as usize;
                        lower_letters += (k >> 2 & 1) as usize;
                        all_digits &= k & C_DIGIT != 0;
                        i += 1;
                    } else {
                        let ch = text[i..].chars().next().unwrap_or(' ');
                        if !ch.is_alphanumeric() {
                            break;
                        }
                        if ch.is_uppercase() {
                            upper_letters += 1;
                        } else if ch.is_lowercase() {
                            lower_letters += 1;
                        }
                        all_digits = false;
                        i += ch.len_utf8();
                    }
                }
                push(
                    out,
                    text,
                    s,
                    i,
                    upper_letters,
                    lower_letters,
                    all_digits,
                    &mut line_start,
                );
                continue;
            }
            if b == b'\n' {
                line_start = true;
            }
            i += 1;
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            if ch.is_alphanumeric() {
                let s = i;
                let mut upper_letters = 0usize;
                let mut lower_letters = 0usize;
                while i < bytes.len() {
                    let ch = text[i..].chars().next().unwrap_or(' ');
                    if !ch.is_alphanumeric() {
                        break;
                    }
                    if ch.is_uppercase() {
                        upper_letters += 1;
                    } else if ch.is_lowercase() {
                        lower_letters += 1;
                    }
                    i += ch.len_utf8();
                }
                push(
                    out,
                    text,
                    s,
                    i,
                    upper_letters,
                    lower_letters,
                    false,
                    &mut line_start,
                );
            } else {
                i += ch.len_utf8();
            }
        }
    }
    // sentence starts: the first token at or after each sentence's start
    let mut t = 0usize;
    while sent_idx < sentences.len() && t < out.len() {
        let ss = sentences[sent_idx].span.start;
        while t < out.len() && out[t].s < ss {
            t += 1;
        }
        if t < out.len() {
            out[t].sent_start = true;
        }
        sent_idx += 1;
    }
    mark_caps_lines(out);
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Vec<Tok>,
    text: &str,
    s: usize,
    e: usize,
    upper_letters: usize,
    lower_letters: usize,
    digits: bool,
    line_start: &mut bool,
) {
    let b0 = text.as_bytes()[s];
    let (cap, lower) = if b0 < 0x80 {
        let k = CLASS[b0 as usize];
        (k & C_UPPER != 0, k & C_LOWER != 0)
    } else {
        let first = text[s..].chars().next().unwrap_or(' ');
        (first.is_uppercase(), first.is_lowercase())
    };
    out.push(Tok {
        s,
        e,
        cap,
        upper: upper_letters >= 1 && lower_letters == 0,
        lower,
        digits,
        sent_start: *line_start,
        caps_line: false,
        nl: *line_start,
        zipf: 0.0,
        wf: 0,
        gaz: u32::MAX,
    });
    *line_start = false;
}

/// Mark tokens on lines that have letters but no lowercase letter.
fn mark_caps_lines(toks: &mut [Tok]) {
    let mut i = 0;
    while i < toks.len() {
        // tokens of one line: until a newline in a gap
        let mut j = i + 1;
        while j < toks.len() && !toks[j].nl {
            j += 1;
        }
        let letters: usize = toks[i..j].iter().filter(|t| !t.digits).count();
        let caps = letters >= 1 && toks[i..j].iter().all(|t| t.digits || t.upper);
        // a single capitalised word on its own line is not a headline in caps
        let caps = caps && toks[i..j].iter().any(|t| !t.digits && t.e - t.s > 1);
        if caps {
            for t in &mut toks[i..j] {
                t.caps_line = true;
            }
        }
        i = j;
    }
}
