//! Dates and times: TIMEX3 mentions (`type`, `value`, `mod`) anchored on the article's date.
//!
//! Stages, per document:
//! 1. **scan**: one leftmost-first pass of the compiled grammar (`rules/dates/patterns.tsv`,
//!    word lists in `rules/dates/lexicon.tsv`) gives raw candidates with their parts;
//! 2. **context checks**: rules may require or forbid a word before/after (`before=`,
//!    `not_before=`, `not_after=`), e.g. a bare `1998` is not a year in `No. 1998`;
//! 3. **anchor**: the article's date from the input, else `--published`, else a dateline
//!    (`rules/dates/dateline.tsv`), else the latest full date in the text that the sentence
//!    does not put in the future (see [`anchor`]);
//! 4. **resolve**: each candidate's kind turns its parts into a value, with calendar
//!    arithmetic by `jiff` ([`resolve`]).

mod anchor;
pub mod grammar;
mod number;
mod resolve;
mod tense;

use jiff::civil::Date;

use super::{Extractor, Options};
use crate::annotations::{Annotations, DateMention, Span};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};
use grammar::{Cand, Grammar, Kind, Lexicon};

pub struct DateExtractor {
    lex: Lexicon,
    grammar: Grammar,
    /// The tense cue classes' words, one lookup per word.
    cue_words: tense::CueWords,
    datelines: Vec<anchor::Dateline>,
    published: Option<Date>,
    day_first: bool,
}

impl DateExtractor {
    pub fn new(rules: &RuleSet, opts: &Options) -> Result<Self, RuleError> {
        let lex = Lexicon::load(rules)?;
        let grammar = Grammar::compile(rules, &lex)?;
        let datelines = anchor::load_datelines(rules)?;
        let cue_words = tense::CueWords::new(&lex);
        let published = match &opts.published {
            Some(s) => Some(parse_iso_date(s).ok_or_else(|| RuleError {
                file: "--published".into(),
                line: 0,
                message: format!("not a YYYY-MM-DD date: {s}"),
            })?),
            None => None,
        };
        Ok(DateExtractor {
            lex,
            grammar,
            cue_words,
            datelines,
            published,
            day_first: opts.day_first,
        })
    }

    /// Raw candidates after the context checks (no values yet).
    fn candidates(&self, doc: &Document, ann: &mut Annotations) -> Vec<Cand> {
        let text = doc.text.as_str();
        let mut out = Vec::new();
        for c in self.grammar.scan(text, doc.body_start) {
            let rule = &self.grammar.rules[c.rule];
            let prev = prev_word(text, c.full.start);
            let next = next_word(text, c.full.end);
            let mut veto: Option<String> = None;
            if let Some(class) = &rule.before
                && !prev.is_some_and(|w| self.lex.has(class, w))
            {
                veto = Some(format!("the word before is not in `{class}`"));
            }
            if let Some(class) = &rule.not_before
                && prev.is_some_and(|w| self.lex.has(class, w))
            {
                veto = Some(format!("the word before is in `{class}`"));
            }
            if let Some(class) = &rule.not_after
                && next.is_some_and(|w| self.lex.has(class, w))
            {
                veto = Some(format!("the word after is in `{class}`"));
            }
            if let Some(reason) = veto {
                ann.dropped(
                    "dates",
                    c.span,
                    || text[c.span.start..c.span.end].to_string(),
                    &rule.id,
                    || reason,
                );
                continue;
            }
            if rule.kind == Kind::Veto {
                ann.dropped(
                    "dates",
                    c.span,
                    || text[c.span.start..c.span.end].to_string(),
                    &rule.id,
                    || "veto: not a date".to_string(),
                );
                continue;
            }
            out.push(c);
        }
        out
    }
}

impl Extractor for DateExtractor {
    fn name(&self) -> &'static str {
        "dates"
    }

    fn build_note(&self) -> Option<String> {
        Some(format!(
            "{} patterns; scan automaton {}, {:.1} MiB",
            self.grammar.rules.len(),
            self.grammar.scan_automaton(),
            self.grammar.scan_bytes() as f64 / (1 << 20) as f64
        ))
    }

    fn extract(&self, doc: &Document, ann: &mut Annotations) {
        let cands = self.candidates(doc, ann);
        let text = doc.text.as_str();
        let mut anchor_date = ann.published.as_deref().and_then(parse_iso_date);
        if anchor_date.is_none() {
            if let Some(d) = self.published {
                anchor_date = Some(d);
                ann.published_source = Some("option");
            } else if let Some(d) = anchor::from_dateline(self, doc, &cands) {
                anchor_date = Some(d);
                ann.published_source = Some("dateline");
            } else if let Some(d) = anchor::from_text(self, doc, ann, &cands) {
                anchor_date = Some(d);
                ann.published_source = Some("text");
            } else {
                ann.published_source = None;
            }
            ann.published = anchor_date.map(|d| fmt_day(d.year() as i32, d.month(), d.day()));
        }
        let mut ctx = resolve::Ctx::new(self, text, anchor_date);
        for c in &cands {
            let rule = &self.grammar.rules[c.rule];
            let sentence = ann.sentence_at(c.span.start);
            let sent_span = ann
                .sentences
                .get(sentence)
                .map(|s| s.span)
                .unwrap_or_else(|| line_span(text, c.span.start));
            match ctx.resolve(c, rule, sentence, sent_span) {
                Some(r) => ann.dates.push(DateMention {
                    span: c.span,
                    sentence,
                    timex_type: r.ty,
                    value: r.value,
                    timex_mod: r.timex_mod,
                    rule: rule.id.clone(),
                }),
                None => ann.dropped(
                    "dates",
                    c.span,
                    || text[c.span.start..c.span.end].to_string(),
                    &rule.id,
                    || "no value (invalid date or unknown part)".to_string(),
                ),
            }
        }
    }
}

/// `YYYY-MM-DD` (a longer string such as `2026-05-20T10:00` is cut to the day).
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let day = s.get(..10)?;
    let b = day.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i16 = day[..4].parse().ok()?;
    let m: i8 = day[5..7].parse().ok()?;
    let d: i8 = day[8..10].parse().ok()?;
    Date::new(y, m, d).ok()
}

pub(crate) fn fmt_day(y: i32, m: i8, d: i8) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The line around `pos` (a fallback sentence when none was segmented).
fn line_span(text: &str, pos: usize) -> Span {
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
    Span::new(start, end)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80
}

/// The word just before byte `pos` (skipping spaces and `-`), if any.
pub(crate) fn prev_word(text: &str, pos: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut end = pos.min(bytes.len());
    while end > 0 && (bytes[end - 1] == b' ' || bytes[end - 1] == b'\t' || bytes[end - 1] == b'-') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_word_byte(bytes[start - 1]) && end - start < 40 {
        start -= 1;
    }
    if start == end {
        return None;
    }
    text.get(start..end)
}

/// The word just after byte `pos` (skipping spaces and `-`), if any.
pub(crate) fn next_word(text: &str, pos: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut start = pos.min(bytes.len());
    while start < bytes.len()
        && (bytes[start] == b' ' || bytes[start] == b'\t' || bytes[start] == b'-')
    {
        start += 1;
    }
    let mut end = start;
    while end < bytes.len() && is_word_byte(bytes[end]) && end - start < 40 {
        end += 1;
    }
    if start == end {
        return None;
    }
    text.get(start..end)
}
