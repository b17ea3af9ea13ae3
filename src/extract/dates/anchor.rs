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
use regex_automata::{Anchored, Input, meta};

use super::grammar::{Cand, Field, Kind};
use super::tense::{Tense, tense};
use super::{DateExtractor, line_span};
use crate::annotations::{Annotations, RuleId};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub const DATELINES: &str = "dates/dateline.tsv";

/// A dateline rule. One that starts with `(?m)^` can only match at a line start, so it is
/// tried anchored at each line start of the head: an unanchored search of the whole head with
/// its counted repetitions (`{1,40}`) costs more than all other date rules together.
pub struct Dateline {
    pub id: RuleId,
    re: meta::Regex,
    at_line_start: bool,
}

pub fn load_datelines(rules: &RuleSet) -> Result<Vec<Dateline>, RuleError> {
    let mut out: Vec<Dateline> = Vec::new();
    for line in rules.lines(DATELINES) {
        let f = line.fields();
        if f.len() != 2 {
            return Err(line.error("expected: id <TAB> regex"));
        }
        if rules.is_disabled(f[0].trim()) {
            continue;
        }
        let re = meta::Regex::new(f[1]).map_err(|e| line.error(e.to_string()))?;
        let d = Dateline {
            id: RuleId::from(f[0].trim()),
            re,
            at_line_start: f[1].starts_with("(?m)^"),
        };
        if let Some(slot) = out.iter_mut().find(|x| x.id == d.id) {
            *slot = d;
        } else {
            out.push(d);
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
        let future = tense(&ex.lex, &ex.cue_words, text, c.span, sent_span) == Tense::Future;
        out.push((date, future));
    }
    out
}

pub fn from_dateline(ex: &DateExtractor, doc: &Document, cands: &[Cand]) -> Option<Date> {
    let (_, body) = doc.body();
    let mut head_end = body.len().min(400);
    while head_end > 0 && !body.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head = &body[..head_end];
    for dl in &ex.datelines {
        // made only for a search that needs them (most heads have no dateline)
        let mut caps = None;
        if dl.at_line_start {
            let starts = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', head.as_bytes()).map(|i| i + 1));
            for ls in starts {
                let input = Input::new(head).range(ls..).anchored(Anchored::Yes);
                // the lazy DFA says no at most line starts; the capture engine runs on a hit
                if dl.re.search(&input).is_none() {
                    continue;
                }
                let caps = caps.get_or_insert_with(|| dl.re.create_captures());
                dl.re.search_captures(&input, caps);
                if caps.is_match() {
                    break;
                }
            }
        } else {
            dl.re.captures(head, caps.insert(dl.re.create_captures()));
        }
        let Some(caps) = caps else { continue };
        let group = |name: &str| {
            caps.get_group_by_name(name)
                .and_then(|s| head.get(s.start..s.end))
        };
        let Some(m) = group("month").and_then(|m| month_number(ex, m)) else {
            continue;
        };
        let Some(d) = group("day").and_then(|d| d.parse::<i8>().ok()) else {
            continue;
        };
        let y = match group("year").and_then(|y| y.parse::<i16>().ok()) {
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
