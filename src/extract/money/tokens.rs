//! A small tokenizer for the money patterns: numbers (with Western or Indian digit grouping and
//! a decimal part), words (letter runs) and single symbols, each with its byte span and whether
//! whitespace (or a line break) separates it from the token before. Offsets are never rewritten.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Num,
    Word,
    Sym,
}

#[derive(Debug, Clone, Copy)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// No whitespace between this token and the one before.
    pub glued: bool,
    /// A line break between this token and the one before.
    pub newline: bool,
    /// Index into the lexicon's entries (`u32::MAX` when the token is not in it).
    pub lex: u32,
}

impl Tok {
    #[inline]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// Split `text` into tokens. `lookup` maps a token's lower-cased text to a lexicon entry.
pub fn tokenize(text: &str, lookup: impl FnMut(&str) -> u32) -> Vec<Tok> {
    let mut toks = Vec::with_capacity(text.len() / 5 + 4);
    tokenize_into(text, 0, text.len(), &mut toks, lookup);
    toks
}

/// Tokenize `text[from..to]` (both on char boundaries) onto `toks`, with offsets into `text`.
/// The first token is marked as after a line break: windows never join across their gap.
pub fn tokenize_into(
    text: &str,
    from: usize,
    to: usize,
    toks: &mut Vec<Tok>,
    mut lookup: impl FnMut(&str) -> u32,
) {
    let text = &text[..to];
    let bytes = text.as_bytes();
    let mut pos = from;
    let mut glued = from == 0;
    let mut newline = from > 0;
    let mut lower = String::new();
    while pos < bytes.len() {
        let b = bytes[pos];
        if b.is_ascii_whitespace() {
            glued = false;
            if b == b'\n' {
                newline = true;
            }
            pos += 1;
            continue;
        }
        let start = pos;
        let kind;
        if b.is_ascii_digit() {
            pos = scan_number(bytes, pos);
            kind = Kind::Num;
        } else if b < 0x80 {
            if b.is_ascii_alphabetic() {
                pos = crate::text::ascii_letters_end(bytes, pos + 1);
                // a word may go on with non-ASCII letters
                if bytes.get(pos).is_some_and(|&b| b >= 0x80) {
                    pos = scan_word_rest(text, pos);
                }
                kind = Kind::Word;
            } else {
                pos += 1;
                kind = Kind::Sym;
            }
        } else {
            let Some(c) = text[pos..].chars().next() else {
                break;
            };
            if c.is_whitespace() {
                glued = false;
                pos += c.len_utf8();
                continue;
            }
            if c.is_alphabetic() {
                pos = scan_word_rest(text, pos + c.len_utf8());
                kind = Kind::Word;
            } else {
                pos += c.len_utf8();
                kind = Kind::Sym;
            }
        }
        let s = &text[start..pos];
        let lex = if kind == Kind::Num {
            u32::MAX
        } else if s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
            lower.clear();
            if s.is_ascii() {
                lower.push_str(s);
                lower.make_ascii_lowercase();
            } else {
                lower.extend(s.chars().flat_map(char::to_lowercase));
            }
            lookup(&lower)
        } else {
            lookup(s)
        };
        toks.push(Tok {
            start,
            end: pos,
            kind,
            glued,
            newline,
            lex,
        });
        glued = true;
        newline = false;
    }
}

fn scan_word_rest(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let b = bytes[pos];
        if b < 0x80 {
            if b.is_ascii_alphabetic() {
                pos += 1;
                continue;
            }
            break;
        }
        match text[pos..].chars().next() {
            Some(c) if c.is_alphabetic() || is_mark(c) => pos += c.len_utf8(),
            _ => break,
        }
    }
    pos
}

/// Combining marks that continue a word (Tamil and other Indic vowel signs).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF)
}

/// A number: digits, comma groups (Western 1,234,567 or Indian 12,34,567), a decimal part.
fn scan_number(bytes: &[u8], start: usize) -> usize {
    let mut pos = start;
    while pos < bytes.len() && bytes[pos].is_ascii_digit() {
        pos += 1;
    }
    let first_len = pos - start;
    // comma groups, checked without allocating: Western (all 3) or Indian (2s, then a last 3)
    let mut p = pos;
    let (mut n_groups, mut all3, mut mid2, mut last_len) = (0usize, true, true, 0usize);
    while p + 1 < bytes.len() && bytes[p] == b',' && bytes[p + 1].is_ascii_digit() {
        let gs = p + 1;
        let mut ge = gs;
        while ge < bytes.len() && bytes[ge].is_ascii_digit() {
            ge += 1;
        }
        if n_groups > 0 && last_len != 2 {
            mid2 = false;
        }
        last_len = ge - gs;
        all3 &= last_len == 3;
        n_groups += 1;
        p = ge;
    }
    if n_groups > 0 {
        let western = first_len <= 3 && all3;
        let indian = first_len <= 2 && last_len == 3 && mid2;
        if western || indian {
            pos = p;
        }
    }
    // decimal part
    if pos + 1 < bytes.len() && bytes[pos] == b'.' && bytes[pos + 1].is_ascii_digit() {
        pos += 1;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
    }
    pos
}

/// The value of a number token (commas dropped).
pub fn num_value(s: &str) -> Option<f64> {
    let mut buf = [0u8; 64];
    let mut n = 0;
    for &b in s.as_bytes() {
        if b == b',' {
            continue;
        }
        if n >= buf.len() {
            return None;
        }
        buf[n] = b;
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()?.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<String> {
        tokenize(text, |_| u32::MAX)
            .iter()
            .map(|t| t.text(text).to_string())
            .collect()
    }

    #[test]
    fn numbers_keep_western_and_indian_grouping_and_decimals() {
        assert_eq!(toks("$1,234,567.50 x"), ["$", "1,234,567.50", "x"]);
        assert_eq!(toks("₹1,25,000"), ["₹", "1,25,000"]);
        assert_eq!(toks("12,34,567.89 rupees"), ["12,34,567.89", "rupees"]);
        assert_eq!(toks("1,2,3"), ["1", ",", "2", ",", "3"]);
        assert_eq!(
            toks("500 USD,100 times"),
            ["500", "USD", ",", "100", "times"]
        );
        assert_eq!(toks("ends 5."), ["ends", "5", "."]);
    }

    #[test]
    fn letters_after_digits_are_a_glued_word() {
        let text = "USD115 10k$";
        let t = tokenize(text, |_| u32::MAX);
        assert_eq!(t.len(), 5);
        assert!(t[1].glued && t[3].glued && t[4].glued);
        assert!(!t[2].glued);
        assert_eq!(num_value("1,25,000"), Some(125000.0));
    }
}
