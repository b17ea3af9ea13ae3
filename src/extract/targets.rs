//! Monetary targets: a money mention that is a goal or commitment ("set a target for bilateral
//! trade to reach €20 billion by 2029"), linked to its deadline (a date or duration of the same
//! sentence) and the quantity meant to reach it (`metric`).
//!
//! Reads `ann.money`, `ann.dates` and `ann.sentences` only. Rules: `rules/targets/cues.tsv`
//! (cue words and their kind) and `rules/targets/patterns.tsv` (veto, forecast, deadline and
//! metric word lists). Rule ids: `target.cue_deadline` (a cue and a deadline),
//! `target.cue` (a target noun or commitment verb without a deadline).

use std::borrow::Cow;

use super::fx::{FxMap, FxSet};
use super::{Extractor, Options};
use crate::annotations::{Annotations, RuleId, Span, Target, TimexType};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CueKind {
    Noun,
    Commit,
    Reach,
    Raise,
}

pub struct TargetExtractor {
    cues: FxMap<Box<str>, (Box<str>, CueKind)>,
    lists: FxMap<String, FxSet<Box<str>>>,
    rule_deadline: Option<RuleId>,
    rule_cue: Option<RuleId>,
}

/// A word or a single symbol of a sentence, with its byte span and lower-cased text (borrowed
/// from the text when it is lower case already, as most words are).
#[derive(Debug, Clone)]
struct Word<'a> {
    span: Span,
    lower: Cow<'a, str>,
    alpha: bool,
}

/// The char at byte `i` of `s` and its length, without decoding ASCII.
#[inline]
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    let b = *s.as_bytes().get(i)?;
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let c = s[i..].chars().next()?;
    Some((c, c.len_utf8()))
}

fn words(text: &str, span: Span) -> Vec<Word<'_>> {
    let s = &text[span.start..span.end];
    // about a word per 6 bytes in English: one allocation for most sentences
    let mut out = Vec::with_capacity(s.len() / 5 + 1);
    let mut i = 0;
    while let Some((c, clen)) = char_at(s, i) {
        if c.is_whitespace() {
            i += clen;
            continue;
        }
        let mut end = i + clen;
        let alpha = c.is_alphanumeric();
        if alpha {
            // a run of ASCII letters and digits at once (what the loop below would take one
            // char at a time); the loop then handles joiners and non-ASCII letters
            let bytes = s.as_bytes();
            while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                end += 1;
            }
            while let Some((d, dlen)) = char_at(s, end) {
                let joiner = matches!(d, '\'' | '’' | '-')
                    && char_at(s, end + dlen).is_some_and(|(n, _)| n.is_alphanumeric());
                if d.is_alphanumeric() || joiner {
                    end += dlen;
                } else {
                    break;
                }
            }
        }
        let w = &s[i..end];
        let lower = if w.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
            Cow::Owned(w.to_lowercase())
        } else {
            Cow::Borrowed(w)
        };
        out.push(Word {
            span: Span::new(span.start + i, span.start + end),
            lower,
            alpha: alpha
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-')),
        });
        i = end;
    }
    out
}

impl TargetExtractor {
    pub fn new(rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        let mut cues = FxMap::default();
        for line in rules.lines("targets/cues.tsv") {
            let f = line.fields();
            if f.len() < 3 {
                return Err(line.error("expected form, cue, kind"));
            }
            let kind = match f[2].trim() {
                "noun" => CueKind::Noun,
                "commit" => CueKind::Commit,
                "reach" => CueKind::Reach,
                "raise" => CueKind::Raise,
                k => return Err(line.error(format!("unknown cue kind {k:?}"))),
            };
            cues.insert(
                Box::from(f[0].trim().to_lowercase()),
                (Box::from(f[1].trim()), kind),
            );
        }
        let mut lists: FxMap<String, FxSet<Box<str>>> = FxMap::default();
        for line in rules.lines("targets/patterns.tsv") {
            let f = line.fields();
            if f.len() != 2 {
                return Err(line.error("expected a list id, a tab, then words separated by spaces"));
            }
            let id = f[0].trim().to_string();
            let set = lists.entry(id).or_default();
            for w in f[1].split_whitespace() {
                {
                    set.insert(Box::from(w.to_lowercase()));
                }
            }
        }
        let id = |s: &str| (!rules.is_disabled(s)).then(|| RuleId::from(s));
        Ok(TargetExtractor {
            cues,
            lists,
            rule_deadline: id("target.cue_deadline"),
            rule_cue: id("target.cue"),
        })
    }

    fn is(&self, list: &str, w: &Word) -> bool {
        self.lists.get(list).is_some_and(|s| s.contains(&*w.lower))
    }

    /// The words of a metric phrase, read backwards from `end` (exclusive) down to `floor`.
    fn metric_back(&self, ws: &[Word], floor: usize, end: usize) -> Option<(usize, usize)> {
        let mut start = end;
        while start > floor && end - start < 4 {
            let w = &ws[start - 1];
            if !w.alpha || self.is("metric_stop", w) || self.cues.contains_key(&*w.lower) {
                break;
            }
            start -= 1;
        }
        (start < end).then_some((start, end))
    }

    /// The words between `from` and `to` (exclusive), leading stop words dropped.
    fn metric_between(&self, ws: &[Word], from: usize, to: usize) -> Option<(usize, usize)> {
        let mut s = from;
        while s < to && self.is("metric_stop", &ws[s]) {
            s += 1;
        }
        let ok = s < to && to - s <= 5 && ws[s..to].iter().all(|w| w.alpha);
        ok.then_some((s, to))
    }

    fn deadline(&self, ann: &Annotations, text: &str, sent: Span, money: Span) -> Option<usize> {
        const NEAR_AFTER: usize = 90;
        const NEAR_BEFORE: usize = 60;
        // the same money converted right after it: "$10bn (£8bn; €9bn)"
        let mut attached = money.end;
        for m in ann.money.iter().filter(|m| m.span.start >= money.end) {
            let between = text.get(attached..m.span.start).unwrap_or("x");
            if between.len() <= 4
                && between
                    .chars()
                    .all(|c| c.is_whitespace() || "(;,/".contains(c))
            {
                attached = m.span.end;
            } else {
                break;
            }
        }
        let mut best: Option<(bool, usize, usize)> = None; // (after money, distance, index)
        for (i, d) in ann.dates.iter().enumerate() {
            if !sent.contains(&d.span) || d.span.overlaps(&money) {
                continue;
            }
            let before = &text[sent.start..d.span.start];
            let prev: Vec<Word> = words(before, Span::new(0, before.len()));
            let own = words(text, d.span);
            let prep = prev
                .iter()
                .rev()
                .take(3)
                .chain(own.first())
                .any(|w| self.is("deadline_prep", w));
            // "by 2029", "over the next five years"; not a rate ("£3,000 a year")
            if !prep || d.timex_type == TimexType::Set {
                continue;
            }
            let after = d.span.start >= money.end;
            let (gap, dist) = if after {
                (
                    Span::new(attached.min(d.span.start), d.span.start),
                    d.span.start - money.end,
                )
            } else {
                (Span::new(d.span.end, money.start), money.start - d.span.end)
            };
            // near the amount, with no other amount in between
            if dist > if after { NEAR_AFTER } else { NEAR_BEFORE }
                || ann
                    .money
                    .iter()
                    .any(|m| gap.contains(&m.span) && !m.span.is_empty())
            {
                continue;
            }
            let better = match best {
                None => true,
                Some((ba, bd, _)) => (after && !ba) || (after == ba && dist < bd),
            };
            if better {
                best = Some((after, dist, i));
            }
        }
        best.map(|b| b.2)
    }
}

impl Extractor for TargetExtractor {
    fn name(&self) -> &'static str {
        "targets"
    }

    fn extract(&self, doc: &Document, ann: &mut Annotations) {
        let text = doc.text.as_str();
        let mut found = Vec::new();
        let mut dropped: Vec<(Span, String, &'static str)> = Vec::new();
        let mut sent_words: Option<(Span, Vec<Word>)> = None;
        for (mi, m) in ann.money.iter().enumerate() {
            // "$1bn (£514m)": the converted amount is the same money, not a second target
            if mi > 0 {
                let p = &ann.money[mi - 1];
                let between = text.get(p.span.end..m.span.start).unwrap_or("");
                if (between.len() <= 4 && between.trim().starts_with('(')) || between.trim() == ";"
                {
                    continue;
                }
            }
            let sent = ann
                .sentences
                .get(m.sentence)
                .map(|s| s.span)
                .filter(|s| s.contains(&m.span))
                .unwrap_or_else(|| Span::new(0, text.len()));
            // several amounts of one sentence share its words
            if sent_words.as_ref().is_none_or(|(s, _)| *s != sent) {
                sent_words = Some((sent, words(text, sent)));
            }
            let ws = sent_words.as_ref().map_or(&[][..], |(_, ws)| ws.as_slice());
            // index of the first word of the money and the first word after it
            let first = ws.partition_point(|w| w.span.start < m.span.start);
            let after = ws.partition_point(|w| w.span.start < m.span.end);
            let window = first.saturating_sub(14);
            // the nearest cues before the money (a strong one: target noun or commitment, and a
            // weak one: reach / raise verb), with no veto or clause break in between
            let mut strong: Option<(usize, &str, CueKind)> = None;
            let mut weak: Option<(usize, &str, CueKind)> = None;
            for k in (window..first).rev() {
                let w = &ws[k];
                // a clause break, a veto word or another amount ends the search
                let other_money = mi > 0 && ann.money[mi - 1].span.contains(&w.span);
                if matches!(&*w.lower, ";" | ":" | ",") || self.is("veto", w) || other_money {
                    break;
                }
                if let Some((c, kind)) = self.cues.get(&*w.lower) {
                    let slot = if matches!(kind, CueKind::Noun | CueKind::Commit) {
                        &mut strong
                    } else {
                        &mut weak
                    };
                    if slot.is_none() {
                        *slot = Some((k, c, *kind));
                    }
                    if strong.is_some() {
                        break;
                    }
                }
            }
            let mut cue = strong.or(weak);
            // "a $500 billion trade target", "$20 billion target"
            let mut noun_after = None;
            if cue.is_none() {
                for (k, w) in ws.iter().enumerate().skip(after).take(3) {
                    if let Some((c, CueKind::Noun)) = self.cues.get(&*w.lower) {
                        noun_after = Some(k);
                        cue = Some((k, c, CueKind::Noun));
                        break;
                    }
                    if !w.alpha || self.is("metric_stop", w) {
                        break;
                    }
                }
            }
            let Some((ck, cue_word, kind)) = cue else {
                continue;
            };
            let prev = first.checked_sub(1).map(|p| &*ws[p].lower);
            let deadline = self.deadline(ann, text, sent, m.span);
            // a forecast or a past figure rather than a goal: "expects sales to reach",
            // "after reaching"
            let forecast = (window..ck).any(|p| self.is("forecast", &ws[p]))
                || (ck.saturating_sub(2)..ck).any(|p| self.is("past_marker", &ws[p]));
            // a base-form verb needs a goal marker ("to reach", "will increase"); -s and -ing
            // forms stand alone
            let marked = {
                let form = &*ws[ck].lower;
                form.ends_with('s')
                    || form.ends_with("ing")
                    || (ck.saturating_sub(3)..ck).any(|p| self.is("reach_marker", &ws[p]))
            };
            let reach_before = (first.saturating_sub(3)..first)
                .any(|p| matches!(self.cues.get(&*ws[p].lower), Some((_, CueKind::Reach))));
            let ok = match kind {
                // "a target of €5bn", "a €5bn target", "target ... to reach €5bn": a deadline
                // is not needed, the noun says it is a goal
                CueKind::Noun => {
                    noun_after.is_some()
                        || reach_before
                        || matches!(prev, Some("of" | "at" | "is" | "be" | "to"))
                }
                // pledges, plans and commitments need a deadline to be targets
                CueKind::Commit => deadline.is_some(),
                CueKind::Reach => {
                    // its object is the amount: "to reach (as much as) €20 billion"
                    let object = ws[ck + 1..first]
                        .iter()
                        .all(|w| self.is("reach_between", w));
                    deadline.is_some() && !forecast && marked && object
                }
                // "raise defence exports to $20bn", "double to $21bn": the verb, a short
                // metric, then "to"
                CueKind::Raise => {
                    deadline.is_some()
                        && prev == Some("to")
                        && !forecast
                        && marked
                        && (ck + 2 == first || self.metric_between(ws, ck + 1, first - 1).is_some())
                }
            };
            if !ok {
                let reason = match kind {
                    CueKind::Noun => "target noun not shaped as a goal",
                    _ if deadline.is_none() => "cue without a deadline",
                    _ if forecast => "a forecast or past figure",
                    _ => "cue not linked to the amount",
                };
                dropped.push((m.span, cue_word.to_string(), reason));
                continue;
            }
            // the metric
            let mut metric = None;
            if let Some(k) = noun_after {
                metric = self.metric_between(ws, after, k);
            } else {
                // a reach verb just before the money ("trade to reach €20 billion"), maybe with
                // "to" / "will" before it: read the metric backwards from there
                let reach_at = (first.saturating_sub(2)..first)
                    .rev()
                    .find(|&p| matches!(self.cues.get(&*ws[p].lower), Some((_, CueKind::Reach))));
                if let Some(r) = reach_at {
                    let mut e = r;
                    while e > 0 && matches!(&*ws[e - 1].lower, "to" | "will" | "would" | "should") {
                        e -= 1;
                    }
                    metric = self.metric_back(ws, window, e);
                } else if let Some((rk, _, CueKind::Raise)) = weak
                    && prev == Some("to")
                {
                    metric = self.metric_between(ws, rk + 1, first - 1);
                } else if kind == CueKind::Noun && prev == Some("of") {
                    metric = self.metric_back(ws, window, ck);
                }
            }
            let metric =
                metric.map(|(s, e)| text[ws[s].span.start..ws[e - 1].span.end].to_string());
            let rule = if deadline.is_some() {
                &self.rule_deadline
            } else {
                &self.rule_cue
            };
            let Some(rule) = rule.clone() else { continue };
            found.push(Target {
                money: mi,
                deadline,
                metric,
                cue: cue_word.to_string(),
                sentence: m.sentence,
                rule,
            });
        }
        ann.targets.extend(found);
        for (span, cue, reason) in dropped {
            ann.dropped(
                "targets",
                span,
                || format!("{} (cue {cue})", &text[span.start..span.end]),
                "target.cue",
                || reason.to_string(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::DateMention;
    use crate::extract::money::MoneyExtractor;
    use crate::segment::Segmenter;

    #[test]
    fn words_take_ascii_runs_joiners_and_non_ascii_letters() {
        let text = "The U.S.-based co-op's 3-4bn naïve CAFÉ2 don’t x' -y 5%, tax-";
        let ws = words(text, Span::new(0, text.len()));
        let got: Vec<(&str, &str, bool)> = ws
            .iter()
            .map(|w| (&text[w.span.start..w.span.end], &*w.lower, w.alpha))
            .collect();
        let want = [
            ("The", "the", true),
            ("U", "u", true),
            (".", ".", false),
            ("S", "s", true),
            (".", ".", false),
            ("-", "-", false),
            ("based", "based", true),
            ("co-op's", "co-op's", true),
            ("3-4bn", "3-4bn", false),
            ("naïve", "naïve", true),
            ("CAFÉ2", "café2", false),
            ("don’t", "don’t", true),
            ("x", "x", true),
            ("'", "'", false),
            ("-", "-", false),
            ("y", "y", true),
            ("5", "5", false),
            ("%", "%", false),
            (",", ",", false),
            ("tax", "tax", true),
            ("-", "-", false),
        ];
        assert_eq!(got, want);
    }

    /// Run segmentation and money, add the given date mentions (text, type), then targets.
    fn targets(text: &str, dates: &[(&str, TimexType, &str)]) -> (Annotations, Vec<String>) {
        let rules = RuleSet::builtin();
        let opts = Options::default();
        let doc = Document::new("t", text);
        let mut ann = Annotations::default();
        Segmenter::new(&rules).unwrap().segment(&doc, &mut ann);
        MoneyExtractor::new(&rules, &opts)
            .unwrap()
            .extract(&doc, &mut ann);
        for (d, ty, value) in dates {
            let start = text.find(d).expect("date text in sentence");
            let span = Span::new(start, start + d.len());
            ann.dates.push(DateMention {
                span,
                sentence: ann.sentence_at(start),
                timex_type: *ty,
                value: value.to_string(),
                timex_mod: None,
                rule: RuleId::from("test"),
            });
        }
        TargetExtractor::new(&rules, &opts)
            .unwrap()
            .extract(&doc, &mut ann);
        let shown = ann
            .targets
            .iter()
            .map(|t| {
                let m = &ann.money[t.money];
                let d = t
                    .deadline
                    .map(|d| &text[ann.dates[d].span.start..ann.dates[d].span.end]);
                format!(
                    "{} | {} | {} | {}",
                    &text[m.span.start..m.span.end],
                    d.unwrap_or("-"),
                    t.metric.as_deref().unwrap_or("-"),
                    t.cue
                )
            })
            .collect();
        (ann, shown)
    }

    const Y2029: (&str, TimexType, &str) = ("2029", TimexType::Date, "2029");

    #[test]
    fn target_noun_with_reach_links_amount_deadline_and_metric() {
        let (_, t) = targets(
            "The two ministers set a target for bilateral trade to reach €20 billion by 2029.",
            &[Y2029],
        );
        assert_eq!(t, ["€20 billion | 2029 | bilateral trade | target"]);
    }

    #[test]
    fn raise_metric_to_amount_by_a_date_is_a_target() {
        let (ann, t) = targets(
            "Seoul wants to raise defence exports to $20bn by 2029, officials said.",
            &[Y2029],
        );
        assert_eq!(t, ["$20bn | 2029 | defence exports | raise"]);
        assert_eq!(ann.targets[0].rule.as_ref(), "target.cue_deadline");
    }

    #[test]
    fn a_duration_can_be_the_deadline() {
        let (_, t) = targets(
            "The group pledged $5 billion in new investment over the next five years.",
            &[("the next five years", TimexType::Duration, "P5Y")],
        );
        assert_eq!(t, ["$5 billion | the next five years | - | pledge"]);
    }

    #[test]
    fn amount_before_a_target_noun_is_a_target() {
        let (_, t) = targets("They agreed a $500 billion trade target by 2029.", &[Y2029]);
        assert_eq!(t, ["$500 billion | 2029 | trade | target"]);
    }

    #[test]
    fn a_target_noun_without_a_date_is_a_target_with_no_deadline() {
        let (ann, t) = targets("The ministry kept its export target of $2 billion.", &[]);
        assert_eq!(t, ["$2 billion | - | export | target"]);
        assert_eq!(ann.targets[0].rule.as_ref(), "target.cue");
    }

    #[test]
    fn a_commitment_needs_a_deadline() {
        let (_, t) = targets("The bank committed $2 billion to the fund.", &[]);
        assert!(t.is_empty(), "{t:?}");
        let (_, t) = targets(
            "The bank committed $2 billion to the fund by 2029.",
            &[Y2029],
        );
        assert_eq!(t, ["$2 billion | 2029 | - | commit"]);
    }

    #[test]
    fn a_converted_amount_in_brackets_is_not_a_second_target() {
        let (_, t) = targets("They pledged $10bn (£8bn) by 2029.", &[Y2029]);
        assert_eq!(t, ["$10bn | 2029 | - | pledge"]);
    }

    #[test]
    fn shooting_targets_for_a_price_are_not_targets() {
        let (_, t) = targets("Visitors shoot at paper targets for $6 a session.", &[]);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn past_revenue_is_not_a_target() {
        let (_, t) = targets(
            "The firm reported revenue of $3.2bn in 2025 and exports reached $1bn by 2024.",
            &[
                ("2025", TimexType::Date, "2025"),
                ("2024", TimexType::Date, "2024"),
            ],
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn price_paid_is_not_a_target() {
        let (_, t) = targets(
            "Under the plan, the state paid $400 million for the stake in 2029.",
            &[Y2029],
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn cost_estimate_is_not_a_target() {
        let (_, t) = targets(
            "The plan is estimated to cost $12 billion by 2029.",
            &[Y2029],
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn forecast_reach_is_not_a_target() {
        let (_, t) = targets("The market is expected to reach $9bn by 2029.", &[Y2029]);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn reach_without_deadline_is_not_a_target() {
        let (_, t) = targets("Sales could reach $3 million.", &[]);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn a_past_hit_with_a_year_is_not_a_target() {
        let (_, t) = targets(
            "The deficit hit a record $600bn in 2029, figures show.",
            &[Y2029],
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn a_cue_for_an_earlier_amount_does_not_reach_a_later_one() {
        let (_, t) = targets(
            "Of the $750m the minister pledged in 2029, only $41m was used.",
            &[Y2029],
        );
        assert!(t.iter().all(|x| !x.starts_with("$41m")), "{t:?}");
    }

    #[test]
    fn a_deadline_belonging_to_another_amount_is_not_taken() {
        let (_, t) = targets(
            "They plan cuts of $35bn in services, while rivals would spend $60bn more by 2029.",
            &[Y2029],
        );
        assert!(t.iter().all(|x| !x.starts_with("$35bn")), "{t:?}");
    }
}
