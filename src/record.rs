//! The `newsextract/1` record: serde structs that borrow span texts from the document, built from
//! [`Annotations`] with every byte offset converted to code points once.

use serde::Serialize;

use crate::annotations::{Annotations, Span};
use crate::document::Document;

pub const SCHEMA: &str = "newsextract/1";

#[derive(Serialize)]
pub struct Record<'a> {
    pub schema: &'static str,
    pub doc_id: &'a str,
    pub source: SourceRec<'a>,
    pub lang: Option<&'a str>,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub published_source: Option<&'a str>,
    pub sentences: Vec<SentenceRec<'a>>,
    pub entities: Vec<EntityRec<'a>>,
    pub money: Vec<MoneyRec<'a>>,
    pub dates: Vec<DateRec<'a>>,
    pub citations: Vec<CitationRec<'a>>,
    pub references: Vec<ReferenceRec<'a>>,
    pub targets: Vec<TargetRec<'a>>,
    pub warnings: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct SourceRec<'a> {
    pub path: &'a str,
    pub line: Option<u64>,
    pub bytes: u64,
    pub blake3: &'a str,
    pub encoding: &'a str,
}

#[derive(Serialize)]
pub struct SentenceRec<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub paragraph: usize,
    pub kind: &'static str,
    pub citations: &'a [usize],
}

#[derive(Serialize)]
pub struct EntityRec<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub label: &'static str,
    pub sentence: usize,
    pub norm: &'a str,
    pub kb_id: Option<&'a str>,
    pub rule: &'a str,
}

#[derive(Serialize)]
pub struct MoneyRec<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub sentence: usize,
    pub amount: f64,
    pub currency: Option<&'a str>,
    pub amount_max: Option<f64>,
    pub qualifier: Option<&'static str>,
    pub rule: &'a str,
}

#[derive(Serialize)]
pub struct DateRec<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub sentence: usize,
    #[serde(rename = "type")]
    pub timex_type: &'static str,
    pub value: &'a str,
    #[serde(rename = "mod")]
    pub timex_mod: Option<&'static str>,
    pub rule: &'a str,
}

#[derive(Serialize)]
pub struct CitationRec<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub refs: &'a [u32],
    pub sentence: usize,
}

#[derive(Serialize)]
pub struct ReferenceRec<'a> {
    pub id: u32,
    pub text: &'a str,
    pub url: Option<&'a str>,
    pub title: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TargetRec<'a> {
    pub money: usize,
    pub deadline: Option<usize>,
    pub metric: Option<&'a str>,
    pub cue: &'a str,
    pub sentence: usize,
    pub rule: &'a str,
}

impl<'a> Record<'a> {
    pub fn build(doc: &'a Document, ann: &'a Annotations) -> Record<'a> {
        let text = doc.text.as_str();
        let at = |span: Span| -> (usize, usize, &'a str) {
            (
                doc.char_offset(span.start),
                doc.char_offset(span.end),
                &text[span.start..span.end],
            )
        };
        Record {
            schema: SCHEMA,
            doc_id: &doc.doc_id,
            source: SourceRec {
                path: &doc.source.path,
                line: doc.source.line,
                bytes: doc.source.bytes,
                blake3: &doc.source.blake3,
                encoding: doc.source.encoding,
            },
            lang: ann.lang,
            title: ann.title.as_deref(),
            published: ann.published.as_deref(),
            published_source: ann.published_source,
            sentences: ann
                .sentences
                .iter()
                .map(|s| {
                    let (start, end, text) = at(s.span);
                    SentenceRec {
                        start,
                        end,
                        text,
                        paragraph: s.paragraph,
                        kind: s.kind.as_str(),
                        citations: &s.citations,
                    }
                })
                .collect(),
            entities: ann
                .entities
                .iter()
                .map(|e| {
                    let (start, end, text) = at(e.span);
                    EntityRec {
                        start,
                        end,
                        text,
                        label: e.label,
                        sentence: e.sentence,
                        norm: &e.norm,
                        kb_id: e.kb_id.as_deref(),
                        rule: &e.rule,
                    }
                })
                .collect(),
            money: ann
                .money
                .iter()
                .map(|m| {
                    let (start, end, text) = at(m.span);
                    MoneyRec {
                        start,
                        end,
                        text,
                        sentence: m.sentence,
                        amount: m.amount,
                        currency: m.currency.as_deref(),
                        amount_max: m.amount_max,
                        qualifier: m.qualifier,
                        rule: &m.rule,
                    }
                })
                .collect(),
            dates: ann
                .dates
                .iter()
                .map(|d| {
                    let (start, end, text) = at(d.span);
                    DateRec {
                        start,
                        end,
                        text,
                        sentence: d.sentence,
                        timex_type: d.timex_type.as_str(),
                        value: &d.value,
                        timex_mod: d.timex_mod,
                        rule: &d.rule,
                    }
                })
                .collect(),
            citations: ann
                .citations
                .iter()
                .map(|c| {
                    let (start, end, text) = at(c.span);
                    CitationRec {
                        start,
                        end,
                        text,
                        refs: &c.refs,
                        sentence: c.sentence,
                    }
                })
                .collect(),
            references: ann
                .references
                .iter()
                .map(|r| ReferenceRec {
                    id: r.id,
                    text: &text[r.span.start..r.span.end],
                    url: r.url.map(|s| &text[s.start..s.end]),
                    title: r.title.map(|s| &text[s.start..s.end]),
                })
                .collect(),
            targets: ann
                .targets
                .iter()
                .map(|t| TargetRec {
                    money: t.money,
                    deadline: t.deadline,
                    metric: t.metric.as_deref(),
                    cue: &t.cue,
                    sentence: t.sentence,
                    rule: &t.rule,
                })
                .collect(),
            warnings: doc
                .warnings
                .iter()
                .chain(ann.warnings.iter())
                .map(|s| s.as_str())
                .collect(),
        }
    }
}

/// The `--flat` files, one per mention type, in this order.
pub const FLAT_FILES: [&str; 7] = [
    "sentences",
    "entities",
    "money",
    "dates",
    "citations",
    "references",
    "targets",
];

/// One document's rows for each `--flat` file (JSON lines, `\n`-terminated).
#[derive(Debug, Default)]
pub struct FlatLines(pub [Vec<u8>; 7]);

/// A flat row: the mention's own fields, plus the document and the mention's index in its list
/// (what `sentence`, `money` and `deadline` refer to).
#[derive(Serialize)]
struct FlatRow<'a, T: Serialize> {
    doc_id: &'a str,
    index: usize,
    #[serde(flatten)]
    row: &'a T,
}

impl Record<'_> {
    pub fn write_flat(&self, out: &mut FlatLines) -> serde_json::Result<()> {
        fn rows<T: Serialize>(
            doc_id: &str,
            list: &[T],
            buf: &mut Vec<u8>,
        ) -> serde_json::Result<()> {
            for (index, row) in list.iter().enumerate() {
                serde_json::to_writer(&mut *buf, &FlatRow { doc_id, index, row })?;
                buf.push(b'\n');
            }
            Ok(())
        }
        let [s, e, m, d, c, r, t] = &mut out.0;
        rows(self.doc_id, &self.sentences, s)?;
        rows(self.doc_id, &self.entities, e)?;
        rows(self.doc_id, &self.money, m)?;
        rows(self.doc_id, &self.dates, d)?;
        rows(self.doc_id, &self.citations, c)?;
        rows(self.doc_id, &self.references, r)?;
        rows(self.doc_id, &self.targets, t)
    }
}

/// `"key":` after `sep` (`{`, `,` or nothing), written as one constant.
macro_rules! key {
    ($out:expr, $sep:literal, $key:literal) => {
        $out.extend_from_slice(concat!($sep, "\"", $key, "\":").as_bytes())
    };
}

/// Hand-written JSON for the record line: the same bytes `serde_json::to_writer` gives for the
/// derived `Serialize` (compact, fields in declaration order, `None` as `null`), with a string
/// escaper that copies clean runs eight bytes at a time.
mod json {
    /// Appends `s` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\` with a
    /// backslash, `\b \t \n \f \r` by name, other bytes below 0x20 as `\u00xx` (lower-case hex).
    pub fn str(out: &mut Vec<u8>, s: &str) {
        let bytes = s.as_bytes();
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        if is_clean(bytes) {
            // most strings: one check, one copy
            out.extend_from_slice(bytes);
        } else {
            escape_into(out, bytes);
        }
        out.push(b'"');
    }

    /// Whether no byte of `bytes` needs escaping, eight bytes at a time: the bytes after the
    /// last whole chunk are checked as part of the eight bytes ending the string.
    #[inline]
    fn is_clean(bytes: &[u8]) -> bool {
        let chunk = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("eight bytes"));
        if bytes.len() < 8 {
            // labels, rule ids, short names: two overlapping four-byte reads (copying into a
            // padded buffer and reading it back stalls on store forwarding)
            if bytes.len() < 4 {
                return bytes.iter().all(|&b| ESCAPE[b as usize] == 0);
            }
            let half = |c: &[u8]| u32::from_le_bytes(c.try_into().expect("four bytes")) as u64;
            let w = half(&bytes[..4]) | half(&bytes[bytes.len() - 4..]) << 32;
            return !needs_escape(w);
        }
        bytes.chunks_exact(8).all(|c| !needs_escape(chunk(c)))
            && !needs_escape(chunk(&bytes[bytes.len() - 8..]))
    }

    /// The escaping copy of a string with at least one byte to escape: clean runs are still
    /// stepped over eight bytes at a time (a sentence may quote someone).
    fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            while let Some(chunk) = bytes.get(i..i + 8) {
                let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                if needs_escape(w) {
                    break;
                }
                i += 8;
            }
            // At most eight bytes to the next escape (or the end): find it byte by byte.
            let Some(&b) = bytes.get(i) else { break };
            let escape = ESCAPE[b as usize];
            if escape == 0 {
                i += 1;
                continue;
            }
            out.extend_from_slice(&bytes[start..i]);
            if escape == b'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 0xF) as usize],
                ]);
            } else {
                out.extend_from_slice(&[b'\\', escape]);
            }
            i += 1;
            start = i;
        }
        out.extend_from_slice(&bytes[start..]);
    }

    /// Whether any byte of `w` is below 0x20, `"` or `\` (exact for "any byte"; which byte is
    /// left to the byte-wise scan).
    #[inline]
    fn needs_escape(w: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
        let below = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        (below | zero(w ^ (ONES * b'"' as u64)) | zero(w ^ (ONES * b'\\' as u64))) != 0
    }

    /// Per byte: 0 for none, `u` for `\u00xx`, else the letter after the backslash.
    static ESCAPE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = b'u';
            b += 1;
        }
        t[0x08] = b'b';
        t[0x09] = b't';
        t[0x0A] = b'n';
        t[0x0C] = b'f';
        t[0x0D] = b'r';
        t[b'"' as usize] = b'"';
        t[b'\\' as usize] = b'\\';
        t
    };

    pub fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => str(out, s),
            None => out.extend_from_slice(b"null"),
        }
    }

    pub fn uint(out: &mut Vec<u8>, n: u64) {
        out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    pub fn opt_uint(out: &mut Vec<u8>, n: Option<u64>) {
        match n {
            Some(n) => uint(out, n),
            None => out.extend_from_slice(b"null"),
        }
    }

    /// Floats go through serde_json itself, so their text (and `null` for non-finite) is its own.
    pub fn float<T: serde::Serialize>(out: &mut Vec<u8>, x: &T) {
        serde_json::to_writer(&mut *out, x).expect("writing to a Vec cannot fail");
    }

    pub fn list<T>(out: &mut Vec<u8>, items: &[T], mut each: impl FnMut(&mut Vec<u8>, &T)) {
        out.push(b'[');
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            each(out, item);
        }
        out.push(b']');
    }

    pub fn uints<T: Copy + Into<u64>>(out: &mut Vec<u8>, items: &[T]) {
        list(out, items, |out, &n| uint(out, n.into()));
    }
}

impl Record<'_> {
    /// Appends the record as one compact JSON object, byte for byte what
    /// `serde_json::to_writer(out, self)` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        use json::{float, list, opt_str, opt_uint, str, uint, uints};
        let u = |n: usize| n as u64;
        key!(out, "{", "schema");
        str(out, self.schema);
        key!(out, ",", "doc_id");
        str(out, self.doc_id);
        key!(out, ",", "source");
        {
            let s = &self.source;
            key!(out, "{", "path");
            str(out, s.path);
            key!(out, ",", "line");
            opt_uint(out, s.line);
            key!(out, ",", "bytes");
            uint(out, s.bytes);
            key!(out, ",", "blake3");
            str(out, s.blake3);
            key!(out, ",", "encoding");
            str(out, s.encoding);
            out.push(b'}');
        }
        key!(out, ",", "lang");
        opt_str(out, self.lang);
        key!(out, ",", "title");
        opt_str(out, self.title);
        key!(out, ",", "published");
        opt_str(out, self.published);
        key!(out, ",", "published_source");
        opt_str(out, self.published_source);
        key!(out, ",", "sentences");
        list(out, &self.sentences, |out, s| {
            key!(out, "{", "start");
            uint(out, u(s.start));
            key!(out, ",", "end");
            uint(out, u(s.end));
            key!(out, ",", "text");
            str(out, s.text);
            key!(out, ",", "paragraph");
            uint(out, u(s.paragraph));
            key!(out, ",", "kind");
            str(out, s.kind);
            key!(out, ",", "citations");
            list(out, s.citations, |out, &n| uint(out, u(n)));
            out.push(b'}');
        });
        key!(out, ",", "entities");
        list(out, &self.entities, |out, e| {
            key!(out, "{", "start");
            uint(out, u(e.start));
            key!(out, ",", "end");
            uint(out, u(e.end));
            key!(out, ",", "text");
            str(out, e.text);
            key!(out, ",", "label");
            str(out, e.label);
            key!(out, ",", "sentence");
            uint(out, u(e.sentence));
            key!(out, ",", "norm");
            str(out, e.norm);
            key!(out, ",", "kb_id");
            opt_str(out, e.kb_id);
            key!(out, ",", "rule");
            str(out, e.rule);
            out.push(b'}');
        });
        key!(out, ",", "money");
        list(out, &self.money, |out, m| {
            key!(out, "{", "start");
            uint(out, u(m.start));
            key!(out, ",", "end");
            uint(out, u(m.end));
            key!(out, ",", "text");
            str(out, m.text);
            key!(out, ",", "sentence");
            uint(out, u(m.sentence));
            key!(out, ",", "amount");
            float(out, &m.amount);
            key!(out, ",", "currency");
            opt_str(out, m.currency);
            key!(out, ",", "amount_max");
            float(out, &m.amount_max);
            key!(out, ",", "qualifier");
            opt_str(out, m.qualifier);
            key!(out, ",", "rule");
            str(out, m.rule);
            out.push(b'}');
        });
        key!(out, ",", "dates");
        list(out, &self.dates, |out, d| {
            key!(out, "{", "start");
            uint(out, u(d.start));
            key!(out, ",", "end");
            uint(out, u(d.end));
            key!(out, ",", "text");
            str(out, d.text);
            key!(out, ",", "sentence");
            uint(out, u(d.sentence));
            key!(out, ",", "type");
            str(out, d.timex_type);
            key!(out, ",", "value");
            str(out, d.value);
            key!(out, ",", "mod");
            opt_str(out, d.timex_mod);
            key!(out, ",", "rule");
            str(out, d.rule);
            out.push(b'}');
        });
        key!(out, ",", "citations");
        list(out, &self.citations, |out, c| {
            key!(out, "{", "start");
            uint(out, u(c.start));
            key!(out, ",", "end");
            uint(out, u(c.end));
            key!(out, ",", "text");
            str(out, c.text);
            key!(out, ",", "refs");
            uints(out, c.refs);
            key!(out, ",", "sentence");
            uint(out, u(c.sentence));
            out.push(b'}');
        });
        key!(out, ",", "references");
        list(out, &self.references, |out, r| {
            key!(out, "{", "id");
            uint(out, r.id.into());
            key!(out, ",", "text");
            str(out, r.text);
            key!(out, ",", "url");
            opt_str(out, r.url);
            key!(out, ",", "title");
            opt_str(out, r.title);
            out.push(b'}');
        });
        key!(out, ",", "targets");
        list(out, &self.targets, |out, t| {
            key!(out, "{", "money");
            uint(out, u(t.money));
            key!(out, ",", "deadline");
            opt_uint(out, t.deadline.map(u));
            key!(out, ",", "metric");
            opt_str(out, t.metric);
            key!(out, ",", "cue");
            str(out, t.cue);
            key!(out, ",", "sentence");
            uint(out, u(t.sentence));
            key!(out, ",", "rule");
            str(out, t.rule);
            out.push(b'}');
        });
        key!(out, ",", "warnings");
        list(out, &self.warnings, |out, w| str(out, w));
        out.push(b'}');
    }
}

#[cfg(test)]
mod json_tests {
    use super::json;

    #[test]
    fn strings_escape_as_serde_json_does() {
        let mut all = String::new();
        for c in (0u32..0x80).chain([0xA0, 0xE9, 0x2028, 0x1F600]) {
            all.push(char::from_u32(c).unwrap());
        }
        let mut cases: Vec<String> = vec![String::new(), all.clone(), "plain text run".into()];
        for c in all.chars() {
            for pad in 0..17 {
                let mut s = "é".repeat(pad / 2) + &"a".repeat(pad % 2);
                s.push(c);
                s.push_str(&"x".repeat(pad));
                cases.push(s);
            }
        }
        // one byte to escape (or none: 'é', 0x7f) at every place of strings of 1 to 40 bytes
        for len in 1..=40 {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1}', '\u{1f}', ' ', '\u{7f}'] {
                    let mut s = "y".repeat(at);
                    s.push(c);
                    s.push_str(&"z".repeat(len - at - 1));
                    cases.push(s);
                }
            }
            cases.push("é".repeat(len));
        }
        for s in &cases {
            let mut ours = Vec::new();
            json::str(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }
}
