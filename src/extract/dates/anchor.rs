//! The article's own date when the input gives none.
//!
//! Policy, in order:
//! 1. a **dateline** in the first 400 bytes of the body (`rules/dates/dateline.tsv`:
//!    `NEW DELHI, March 3 (Reuters) -`, `Published: 2026-05-20`); a dateline without a year
//!    takes the year of the latest full date in the text, else it is not used;
//! 2. the **text**: among the full calendar dates the text states (day, month and year), the
//!    latest one whose clause is not in the future tense (`will`, `is expected to` …) — an
//!    article is written on or after the days it reports; when every full date is in the
//!    future tense, the earliest of them.

use jiff::civil::Date;

use super::grammar::{Cand, Field, Kind};
use super::tense::{Tense, tense};
use super::{DateExtractor, line_span};
use crate::annotations::{Annotations, RuleId};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub const DATELINES: &str = "dates/dateline.tsv";

pub fn load_datelines(rules: &RuleSet) -> Result<Vec<(RuleId, regex::Regex)>, RuleError> {
    let mut out: Vec<(RuleId, regex::Regex)> = Vec::new();
    for line in rules.lines(DATELINES) {
        let f = line.fields();
        if f.len() != 2 {
            return Err(line.error("expected: id <TAB> regex"));
        }
        if rules.is_disabled(f[0].trim()) {
            continue;
        }
        let re = regex::Regex::new(f[1]).map_err(|e| line.error(e.to_string()))?;
        let id = RuleId::from(f[0].trim());
        if let Some(slot) = out.iter_mut().find(|(i, _)| *i == id) {
            slot.1 = re;
        } else {
            out.push((id, re));
        }
    }
    Ok(out)
}

fn month_number(ex: &DateExtractor, s: &str) -> Option<i8> {
    if let Ok(n) = s.parse::<i8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    ["month", "month_ambig", "mon_abbr"]
        .iter()
        .find_map(|c| ex.lex.get(c, s))
        .and_then(|v| v.parse().ok())
}

/// Full dates stated in the text: (date, is in a future-tense clause).
fn full_dates(
    ex: &DateExtractor,
    doc: &Document,
    ann: &Annotations,
    cands: &[Cand],
) -> Vec<(Date, bool)> {
    let text = doc.text.as_str();
    let mut out = Vec::new();
    for c in cands {
        let rule = &ex.grammar.rules[c.rule];
        if !matches!(rule.kind, Kind::Date | Kind::Numeric) {
            continue;
        }
        // a full date has a year and a day (numeric dates: the first number)
        let day = c.text(text, Field::Day).or(c.text(text, Field::A));
        let (Some(y), Some(d)) = (c.text(text, Field::Year), day) else {
            continue;
        };
        let Ok(y) = y.parse::<i16>() else { continue };
        let date = if rule.kind == Kind::Numeric {
            let (Some(a), Some(b)) = (c.text(text, Field::A), c.text(text, Field::B)) else {
                continue;
            };
            let (Ok(a), Ok(b)) = (a.parse::<i8>(), b.parse::<i8>()) else {
                continue;
            };
            let (day, month) = if ex.day_first { (a, b) } else { (b, a) };
            Date::new(y, month, day).ok()
        } else {
            let Some(m) = c.text(text, Field::Month).and_then(|m| month_number(ex, m)) else {
                continue;
            };
            let digits: String = d.chars().take_while(|ch| ch.is_ascii_digit()).collect();
            let Ok(day) = digits.parse::<i8>() else {
                continue;
            };
            Date::new(y, m, day).ok()
        };
        let Some(date) = date else { continue };
        let sentence = ann.sentence_at(c.span.start);
        let sent_span = ann
            .sentences
            .get(sentence)
            .map(|s| s.span)
            .unwrap_or_else(|| line_span(text, c.span.start));
        let future = tense(&ex.lex, text, c.span, sent_span) == Tense::Future;
        out.push((date, future));
    }
    out
}

pub fn from_dateline(ex: &DateExtractor, doc: &Document, cands: &[Cand]) -> Option<Date> {
    let (start, body) = doc.body();
    let mut head_end = body.len().min(400);
    while head_end > 0 && !body.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head = &body[..head_end];
    let _ = start;
    for (_, re) in &ex.datelines {
        let Some(caps) = re.captures(head) else {
            continue;
        };
        let Some(m) = caps
            .name("month")
            .and_then(|m| month_number(ex, m.as_str()))
        else {
            continue;
        };
        let Some(d) = caps.name("day").and_then(|d| d.as_str().parse::<i8>().ok()) else {
            continue;
        };
        let y = match caps
            .name("year")
            .and_then(|y| y.as_str().parse::<i16>().ok())
        {
            Some(y) => y,
            None => {
                // The year of the latest full date in the text.
                let dummy = Annotations::default();
                let latest = full_dates(ex, doc, &dummy, cands)
                    .into_iter()
                    .map(|(d, _)| d)
                    .max()?;
                latest.year()
            }
        };
        if let Ok(date) = Date::new(y, m, d) {
            return Some(date);
        }
    }
    None
}

pub fn from_text(
    ex: &DateExtractor,
    doc: &Document,
    ann: &Annotations,
    cands: &[Cand],
) -> Option<Date> {
    let dates = full_dates(ex, doc, ann, cands);
    let latest_past = dates.iter().filter(|(_, f)| !f).map(|(d, _)| *d).max();
    latest_past.or_else(|| dates.iter().map(|(d, _)| *d).min())
}
