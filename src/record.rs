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
