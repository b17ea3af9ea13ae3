//! Citation markers and reference lists.
//!
//! Markers: `[1]`, `[1][2]`, `[19] [18]` (one marker per bracket), `[1, 3]`, `[2-4]`/`[2–4]`
//! (refs 2, 3, 4), `[^5]`, and bracketed editorial notes such as `[citation needed]` (refs `[]`,
//! listed in `rules/citations/empty_markers.txt`). Not markers: `[sic]`, `[...]`, descending
//! ranges such as `[41-23]` (diagram labels), anything in a line drawn with box characters, and
//! the `[n]` that opens a reference line.
//!
//! References: each sentence of kind `reference` (see `segment.rs`) is parsed into `id`, `url` and
//! `title`: `[3] https://… - Title`, `3. Title – Outlet, https://…`, `[^3]: …`.

use std::collections::HashSet;

use super::{Extractor, Options};
use crate::annotations::{Annotations, Citation, Reference, SentenceKind, Span};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

/// Largest number read as a citation (bigger bracketed numbers are years, codes, …).
const MAX_REF: u32 = 9999;
/// Largest range expanded (`[2-4]`); a wider one is not a citation.
const MAX_RANGE: u32 = 200;

/// A marker found at a `[`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub end: usize,
    pub refs: Vec<u32>,
}

/// Parse a numeric citation marker starting at the `[` at byte `pos`.
pub fn marker_at(text: &str, pos: usize) -> Option<Marker> {
    let bytes = text.as_bytes();
    if bytes.get(pos) != Some(&b'[') {
        return None;
    }
    let mut k = pos + 1;
    if bytes.get(k) == Some(&b'^') {
        k += 1;
    }
    let mut refs = Vec::new();
    let mut range_from: Option<u32> = None;
    loop {
        let digits = bytes[k..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 4 {
            return None;
        }
        let n: u32 = text[k..k + digits].parse().ok()?;
        if n == 0 || n > MAX_REF {
            return None;
        }
        k += digits;
        if let Some(lo) = range_from.take() {
            if n <= lo || n - lo > MAX_RANGE {
                return None; // "[41-23]" is a label, not a range of references
            }
            refs.extend(lo + 1..=n);
        } else {
            refs.push(n);
        }
        match bytes.get(k) {
            Some(b']') => {
                return Some(Marker { end: k + 1, refs });
            }
            Some(b',') => {
                k += 1;
                while bytes.get(k) == Some(&b' ') {
                    k += 1;
                }
            }
            Some(b'-') => {
                range_from = Some(n);
                k += 1;
            }
            _ if text[k..].starts_with('–') => {
                range_from = Some(n);
                k += '–'.len_utf8();
            }
            _ => return None,
        }
    }
}

pub struct CitationExtractor {
    empty_markers: HashSet<String>,
}

impl CitationExtractor {
    pub fn new(rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        let empty_markers = rules
            .lines("citations/empty_markers.txt")
            .map(|l| l.text.trim().to_lowercase())
            .collect();
        Ok(CitationExtractor { empty_markers })
    }

    fn empty_marker_at(&self, text: &str, pos: usize) -> Option<usize> {
        let close = text[pos..].find(']')? + pos;
        let inner = &text[pos + 1..close];
        (inner.len() <= 40 && self.empty_markers.contains(&inner.to_lowercase()))
            .then_some(close + 1)
    }
}

impl Extractor for CitationExtractor {
    fn name(&self) -> &'static str {
        "citations"
    }

    fn extract(&self, doc: &Document, ann: &mut Annotations) {
        let text = doc.text.as_str();
        // most documents have no '[' at all: then only reference lines are read
        let any_bracket = memchr::memchr(b'[', text.as_bytes()).is_some();
        for si in 0..ann.sentences.len() {
            let s = &ann.sentences[si];
            let Span { start, end } = s.span;
            if s.kind == SentenceKind::Reference {
                if let Some(r) = parse_reference(text, s.span) {
                    ann.references.push(r);
                }
                continue;
            }
            if !any_bracket {
                continue;
            }
            let sentence = &text[start..end];
            if memchr::memchr(b'[', sentence.as_bytes()).is_none() || has_box_drawing(sentence) {
                continue;
            }
            let mut found = Vec::new();
            for k in memchr::memchr_iter(b'[', sentence.as_bytes()) {
                let pos = start + k;
                if let Some(m) = marker_at(text, pos) {
                    // "[1](https://…)" is a marker; "[x](url)" links are not numeric anyway.
                    found.push(Citation {
                        span: Span::new(pos, m.end),
                        refs: m.refs,
                        sentence: si,
                    });
                } else if let Some(e) = self.empty_marker_at(text, pos) {
                    found.push(Citation {
                        span: Span::new(pos, e),
                        refs: Vec::new(),
                        sentence: si,
                    });
                }
            }
            for c in found {
                let index = ann.citations.len();
                ann.sentences[si].citations.push(index);
                ann.citations.push(c);
            }
        }
        if !ann.references.is_empty() {
            let ids: HashSet<u32> = ann.references.iter().map(|r| r.id).collect();
            let mut missing: Vec<u32> = ann
                .citations
                .iter()
                .flat_map(|c| c.refs.iter().copied())
                .filter(|r| !ids.contains(r))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            if !missing.is_empty() {
                let list: Vec<String> = missing.iter().take(10).map(|n| n.to_string()).collect();
                ann.warnings.push(format!(
                    "{} cited number(s) missing from the reference list: {}{}",
                    missing.len(),
                    list.join(", "),
                    if missing.len() > 10 { ", …" } else { "" }
                ));
            }
        }
    }
}

fn has_box_drawing(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{2500}'..='\u{257F}').contains(&c) || c == '|' && s.contains("──"))
}

/// Parse one reference line: id, URL and title.
pub fn parse_reference(text: &str, span: Span) -> Option<Reference> {
    let line = &text[span.start..span.end];
    let (id, rest_at) = reference_id(line)?;
    let rest = &line[rest_at..];
    let base = span.start + rest_at;
    let url = find_url(rest).map(|(s, e)| Span::new(base + s, base + e));
    // Title: what is left once the id and the URL are gone, without separators.
    let pieces: Vec<(usize, &str)> = match url {
        Some(u) => vec![
            (base, &text[base..u.start]),
            (u.end, &text[u.end..span.end]),
        ],
        None => vec![(base, rest)],
    };
    let title = pieces
        .into_iter()
        .map(|(at, s)| {
            let trimmed_start = s.len() - s.trim_start_matches(is_separator).len();
            let t = s.trim_matches(is_separator);
            (at + trimmed_start, t)
        })
        .filter(|(_, t)| !(t.is_empty() || t.starts_with('[') && t.ends_with(']')))
        .max_by_key(|(_, t)| t.len())
        .map(|(at, t)| Span::new(at, at + t.len()));
    Some(Reference {
        id,
        span,
        url,
        title,
    })
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '–' | '—' | '|' | ',' | ':' | '·' | '•')
}

/// `[3]`, `[^3]:`, `3.`, `3)`, `- [3]` at the start of a reference line → (id, byte after it).
fn reference_id(line: &str) -> Option<(u32, usize)> {
    let lead = line.len()
        - line
            .trim_start_matches(|c: char| c == '-' || c == '*' || c == '•' || c.is_whitespace())
            .len();
    let s = &line[lead..];
    let (digits_at, close): (usize, &[&str]) = if s.starts_with("[^") {
        (2, &["]:", "]"])
    } else if s.starts_with('[') {
        (1, &["]:", "]"])
    } else if s.starts_with('^') {
        (1, &[" "])
    } else {
        (0, &[".", ")", " "])
    };
    let digits = s[digits_at..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let id: u32 = s[digits_at..digits_at + digits].parse().ok()?;
    let after = &s[digits_at + digits..];
    let closer = close.iter().find(|c| after.starts_with(**c))?;
    Some((id, lead + digits_at + digits + closer.len()))
}

/// The first URL in `s` (byte range), without trailing punctuation.
fn find_url(s: &str) -> Option<(usize, usize)> {
    let start = ["https://", "http://", "www."]
        .iter()
        .filter_map(|p| s.find(p))
        .min()?;
    let len = s[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(s.len() - start);
    let url = s[start..start + len].trim_end_matches(['.', ',', ';', ':', ')', ']']);
    // Keep a closing bracket that balances one inside the URL (Wikipedia links).
    let url = if s[start..start + len].ends_with(')') && url.contains('(') && !url.ends_with(')') {
        &s[start..start + url.len() + 1]
    } else {
        url
    };
    Some((start, start + url.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_single_list_range_and_footnote() {
        assert_eq!(marker_at("[1]", 0).unwrap().refs, [1]);
        assert_eq!(marker_at("[1, 3]", 0).unwrap().refs, [1, 3]);
        assert_eq!(marker_at("[2-4]", 0).unwrap().refs, [2, 3, 4]);
        assert_eq!(marker_at("[2–4]", 0).unwrap().refs, [2, 3, 4]);
        assert_eq!(marker_at("[^7]", 0).unwrap().refs, [7]);
        assert_eq!(marker_at("x [12] y", 2).unwrap().end, 6);
    }

    #[test]
    fn not_markers() {
        for s in [
            "[sic]", "[...]", "[41-23]", "[0]", "[12345]", "[1-]", "[a1]", "[1 2]",
        ] {
            assert!(marker_at(s, 0).is_none(), "{s}");
        }
    }

    #[test]
    fn reference_lines_parse_into_id_url_title() {
        let text = "[3] https://example.org/a_(b) - A Title | Outlet";
        let r = parse_reference(text, Span::new(0, text.len())).unwrap();
        assert_eq!(r.id, 3);
        let u = r.url.unwrap();
        assert_eq!(&text[u.start..u.end], "https://example.org/a_(b)");
        let t = r.title.unwrap();
        assert_eq!(&text[t.start..t.end], "A Title | Outlet");

        let text = "12. Budget plans unveiled – Daily Post, https://post.example/b.";
        let r = parse_reference(text, Span::new(0, text.len())).unwrap();
        assert_eq!(r.id, 12);
        let u = r.url.unwrap();
        assert_eq!(&text[u.start..u.end], "https://post.example/b");
        let t = r.title.unwrap();
        assert_eq!(&text[t.start..t.end], "Budget plans unveiled – Daily Post");

        let text = "[9] [ERROR retrieving ref link]";
        let r = parse_reference(text, Span::new(0, text.len())).unwrap();
        assert_eq!((r.id, r.url, r.title), (9, None, None));
    }
}
