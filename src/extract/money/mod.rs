//! Money amounts: a number (digits with Western or Indian grouping, decimals, number words,
//! magnitudes such as `bn` or `lakh crore`, ranges) next to a currency unit (symbol, ISO code,
//! name or minor unit) before or after it; compound amounts (`3 dollars 50 cents`); qualifiers
//! just before the span (`about`, `more than`, `up to`).
//!
//! How it works: the text is tokenized once (numbers, words, symbols); every token is looked up
//! once in a lexicon built from `rules/money/*.tsv`. Each currency alias occurrence proposes
//! candidates (the amount after it, the amount before it); overlapping candidates are resolved
//! longest first, then earliest (spaCy's policy); adjacent mentions joined by a range connector
//! are merged; then qualifiers are read. Every mention carries the id of the pattern that made
//! it (`money.symbol_magnitude`, `money.amount_code`, ...), which `disabled.txt` can switch off.

mod lexicon;
mod tokens;

use std::sync::Arc;

use super::{Extractor, Options};
use crate::annotations::{Annotations, Money, RuleId, Span};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};
use lexicon::{Alias, Lexicon, NumWord, UnitKind, eq_lower};
use tokens::{Kind, Tok};

/// The patterns, each with its stable rule id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
enum Rule {
    SymbolAmount,
    SymbolMagnitude,
    AmountSymbol,
    CodeAmount,
    AmountCode,
    NameAmount,
    AmountName,
    MinorUnit,
    Compound,
    Range,
}

/// How far before and after a currency trigger the amount patterns look (bytes, widened to
/// whitespace): enough for "three quarters of a billion" or "between 10 and 20 dollars".
const WINDOW_BEFORE: usize = 160;
const WINDOW_AFTER: usize = 120;

const RULE_IDS: [&str; 10] = [
    "money.symbol_amount",
    "money.symbol_magnitude",
    "money.amount_symbol",
    "money.code_amount",
    "money.amount_code",
    "money.name_amount",
    "money.amount_name",
    "money.minor_unit",
    "money.compound",
    "money.range",
];

pub struct MoneyExtractor {
    lex: Lexicon,
    rule_ids: Vec<RuleId>,
    enabled: Vec<bool>,
}

/// A number phrase over tokens `start..end`.
#[derive(Debug, Clone, Copy)]
struct Amount {
    start: usize,
    end: usize,
    value: f64,
    max: Option<f64>,
    /// The last number before its magnitude, and the magnitude (1 when none).
    raw: f64,
    mag: f64,
    /// A whole number with no magnitude and no range.
    int: bool,
    /// Just "a"/"an" (one, only before a singular unit).
    article: bool,
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    alias: u32,
}

#[derive(Debug, Clone)]
struct Cand {
    start: usize,
    end: usize,
    value: f64,
    max: Option<f64>,
    mag: f64,
    currency: Option<Arc<str>>,
    default_dollar: bool,
    rule: Rule,
}

struct Ctx<'a> {
    text: &'a str,
    toks: &'a [Tok],
    units: &'a [Unit],
}

impl MoneyExtractor {
    pub fn new(rules: &RuleSet, opts: &Options) -> Result<Self, RuleError> {
        let lex = Lexicon::load(rules, &opts.default_dollar)?;
        Ok(MoneyExtractor {
            lex,
            rule_ids: RULE_IDS.iter().map(|s| RuleId::from(*s)).collect(),
            enabled: RULE_IDS.iter().map(|s| !rules.is_disabled(s)).collect(),
        })
    }

    fn alias(&self, id: u32) -> &Alias {
        &self.lex.aliases[id as usize]
    }

    fn lower_is(&self, cx: &Ctx, i: usize, word: &str) -> bool {
        cx.toks
            .get(i)
            .is_some_and(|t| t.kind != Kind::Num && eq_lower(t.text(cx.text), word))
    }

    fn in_list(&self, cx: &Ctx, i: usize, list: &str) -> bool {
        let Some(t) = cx.toks.get(i) else {
            return false;
        };
        if t.kind == Kind::Num {
            return false;
        }
        crate::text::with_lower(t.text(cx.text), |l| self.lex.in_list(list, l))
    }

    /// Longest alias matching at token `i` that may stand before (`pre`) or after the number.
    fn match_alias(&self, cx: &Ctx, i: usize, pre: bool) -> Option<(usize, u32)> {
        let entry = self.lex.get(cx.toks[i].lex)?;
        let mut best: Option<(usize, u32)> = None;
        for &id in &entry.aliases {
            let a = self.alias(id);
            if !(if pre { a.pre } else { a.post }) {
                continue;
            }
            let len = a.toks.len();
            if i + len > cx.toks.len() || best.is_some_and(|(e, _)| e >= i + len) {
                continue;
            }
            let ok = (0..len).all(|k| {
                let t = &cx.toks[i + k];
                let s = t.text(cx.text);
                (k == 0 || (!t.newline && (t.glued || !a.tight)))
                    && t.kind != Kind::Num
                    && eq_lower(s, &a.toks[k])
                    && (!a.case || s == &*a.raw[k])
                    && !(a.nocap && is_title_case(s))
                    && !(a.kind == UnitKind::Code && !a.case && is_mixed_case(s))
            });
            // "won't": a word going on after an apostrophe is not this unit
            let next_apos = cx.toks.get(i + len).is_some_and(|t| {
                t.glued
                    && matches!(t.text(cx.text), "'" | "’")
                    && cx
                        .toks
                        .get(i + len + 1)
                        .is_some_and(|w| w.glued && w.kind == Kind::Word)
            });
            let ok = ok && !next_apos;
            if ok {
                best = Some((i + len, id));
            }
        }
        best
    }

    fn find_units(&self, cx: &Ctx) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut i = 0;
        while i < cx.toks.len() {
            if cx.toks[i].lex == u32::MAX || cx.toks[i].kind == Kind::Num {
                i += 1;
                continue;
            }
            let pre = self.match_alias(cx, i, true);
            let post = self.match_alias(cx, i, false);
            let mut next = i + 1;
            for (end, alias) in [pre, post].into_iter().flatten() {
                if !units
                    .iter()
                    .rev()
                    .take(1)
                    .any(|u: &Unit| u.start == i && u.alias == alias)
                {
                    units.push(Unit {
                        start: i,
                        end,
                        alias,
                    });
                }
                next = next.max(end);
            }
            i = next;
        }
        units
    }

    fn unit_at(&self, cx: &Ctx, i: usize, want: impl Fn(&Unit, &Alias) -> bool) -> Option<Unit> {
        let from = cx.units.partition_point(|u| u.start < i);
        cx.units[from..]
            .iter()
            .take_while(|u| u.start == i)
            .find(|u| want(u, self.alias(u.alias)))
            .copied()
    }

    /// Magnitude words from token `j` on: returns (product, next token).
    fn magnitudes(&self, cx: &Ctx, mut j: usize, words_only: bool) -> (f64, usize) {
        let mut mag = 1.0;
        let mut n = 0;
        while j < cx.toks.len() && n < 2 {
            let t = &cx.toks[j];
            if t.newline || t.kind != Kind::Word {
                break;
            }
            let Some(e) = self.lex.get(t.lex) else { break };
            let s = t.text(cx.text);
            let m = e.mags.iter().find(|m| {
                m.exact.as_deref().is_none_or(|x| x == s)
                    && (!m.glued || (t.glued && n == 0 && !words_only))
            });
            match m {
                Some(m) if !(words_only && m.value < 1000.0) => {
                    mag *= m.value;
                    j += 1;
                    n += 1;
                }
                _ => break,
            }
        }
        (mag, j)
    }

    fn num_word(&self, cx: &Ctx, i: usize) -> Option<NumWord> {
        let t = cx.toks.get(i)?;
        if t.kind != Kind::Word {
            return None;
        }
        self.lex.get(t.lex)?.num
    }

    fn scale_word(&self, cx: &Ctx, i: usize) -> Option<f64> {
        let t = cx.toks.get(i)?;
        if t.kind != Kind::Word || t.newline {
            return None;
        }
        let s = t.text(cx.text);
        self.lex
            .get(t.lex)?
            .mags
            .iter()
            .find(|m| !m.glued && m.value >= 100.0 && m.exact.as_deref().is_none_or(|x| x == s))
            .map(|m| m.value)
    }

    /// One number starting at token `i` (digits or words, with its magnitude).
    fn parse_number(&self, cx: &Ctx, i: usize) -> Option<Amount> {
        let t = cx.toks.get(i)?;
        match t.kind {
            Kind::Num => {
                let s = t.text(cx.text);
                let mut v = tokens::num_value(s)?;
                let mut int = !s.contains('.');
                let mut j = i + 1;
                // "1 point 5"
                if self.lower_is(cx, j, "point")
                    && cx.toks.get(j + 1).is_some_and(|n| {
                        n.kind == Kind::Num && n.text(cx.text).bytes().all(|b| b.is_ascii_digit())
                    })
                {
                    let d = cx.toks[j + 1].text(cx.text);
                    if let Ok(f) = format!("0.{d}").parse::<f64>() {
                        v += f;
                        int = false;
                        j += 2;
                    }
                }
                let (mag, j) = self.magnitudes(cx, j, false);
                Some(Amount {
                    start: i,
                    end: j,
                    value: if int || j == i + 1 || mag > 1.0 {
                        scaled(s, v, mag)
                    } else {
                        v * mag
                    },
                    max: None,
                    raw: v,
                    mag,
                    int: int && mag == 1.0,
                    article: false,
                })
            }
            Kind::Word => self.parse_words(cx, i),
            Kind::Sym => None,
        }
    }

    /// English number words: "five million", "half a billion", "three quarters", "forty-five",
    /// "one hundred and twenty", "one and a half million", "one point three".
    fn parse_words(&self, cx: &Ctx, i: usize) -> Option<Amount> {
        #[derive(PartialEq, Clone, Copy)]
        enum Last {
            None,
            Tens,
            Unit,
            Hundred,
            Scale,
            Frac,
            Article,
        }
        let n = cx.toks.len();
        let (mut total, mut current, mut last_scale) = (0.0f64, 0.0f64, 1.0f64);
        let mut last = Last::None;
        let mut j = i;
        let mut decimals = false;
        while j < n {
            let t = &cx.toks[j];
            if j > i && t.newline {
                break;
            }
            // forty-five
            if t.kind == Kind::Sym && last == Last::Tens && t.text(cx.text) == "-" && t.glued {
                if let Some(NumWord::Unit(v)) = self.num_word(cx, j + 1)
                    && v < 10.0
                    && cx.toks[j + 1].glued
                {
                    current += v;
                    last = Last::Unit;
                    j += 2;
                    continue;
                }
                break;
            }
            if t.kind != Kind::Word {
                break;
            }
            if let Some(nw) = self.num_word(cx, j) {
                match nw {
                    NumWord::Unit(v) => match last {
                        Last::None | Last::Scale | Last::Hundred => {
                            current += v;
                            last = if v >= 20.0 && v % 10.0 == 0.0 {
                                Last::Tens
                            } else {
                                Last::Unit
                            };
                        }
                        Last::Tens if v < 10.0 => {
                            current += v;
                            last = Last::Unit;
                        }
                        _ => break,
                    },
                    NumWord::Fraction(f) => match last {
                        Last::None | Last::Unit | Last::Tens | Last::Article => {
                            current = if current == 0.0 { f } else { current * f };
                            last = Last::Frac;
                        }
                        _ => break,
                    },
                    NumWord::Article => {
                        let next_frac =
                            matches!(self.num_word(cx, j + 1), Some(NumWord::Fraction(_)));
                        let next_scale = self.scale_word(cx, j + 1).is_some();
                        if last == Last::None && (next_frac || next_scale) {
                            current = 1.0;
                            last = Last::Article;
                        } else if last == Last::Frac && next_scale {
                            // half a billion
                        } else if last == Last::None {
                            return Some(Amount {
                                start: i,
                                end: i + 1,
                                value: 1.0,
                                max: None,
                                raw: 1.0,
                                mag: 1.0,
                                int: true,
                                article: true,
                            });
                        } else {
                            break;
                        }
                    }
                }
                j += 1;
                continue;
            }
            if let Some(scale) = self.scale_word(cx, j) {
                if last == Last::None {
                    break;
                }
                if scale == 100.0 {
                    if !matches!(last, Last::Unit | Last::Tens | Last::Article) {
                        break;
                    }
                    current *= 100.0;
                    last = Last::Hundred;
                } else {
                    total += if current == 0.0 { 1.0 } else { current } * scale;
                    current = 0.0;
                    last_scale = scale;
                    last = Last::Scale;
                }
                j += 1;
                continue;
            }
            if self.lower_is(cx, j, "and") {
                // one hundred and twenty / one and a half
                if matches!(last, Last::Hundred | Last::Scale)
                    && matches!(self.num_word(cx, j + 1), Some(NumWord::Unit(_)))
                {
                    j += 1;
                    continue;
                }
                if matches!(last, Last::Unit | Last::Tens)
                    && self.lower_is(cx, j + 1, "a")
                    && self.lower_is(cx, j + 2, "half")
                {
                    current += 0.5;
                    last = Last::Frac;
                    j += 3;
                    continue;
                }
                break;
            }
            if self.lower_is(cx, j, "point") && matches!(last, Last::Unit | Last::Tens) && !decimals
            {
                let mut k = j + 1;
                let mut scale = 0.1;
                let mut frac = 0.0;
                while let Some(NumWord::Unit(v)) = self.num_word(cx, k) {
                    if v >= 10.0 {
                        break;
                    }
                    frac += v * scale;
                    scale /= 10.0;
                    k += 1;
                }
                if k == j + 1 {
                    break;
                }
                current += frac;
                decimals = true;
                j = k;
                continue;
            }
            break;
        }
        if matches!(last, Last::None | Last::Article) {
            return None;
        }
        let value = total + current;
        let has_scale = last_scale > 1.0;
        Some(Amount {
            start: i,
            end: j,
            value,
            max: None,
            raw: value / last_scale,
            mag: last_scale,
            int: !has_scale && value.fract() == 0.0,
            article: false,
        })
    }

    /// Is "from"/"between" at token `k` the start of a range (not a change: "rose from")?
    fn range_start_at(&self, cx: &Ctx, k: Option<usize>) -> bool {
        let Some(k) = k else { return false };
        self.in_list(cx, k, "range_start")
            && !(k.saturating_sub(3)..k).any(|p| self.in_list(cx, p, "range_change"))
    }

    /// A number or a range of numbers ("5-7 billion", "between 10 and 20") starting at `i`.
    fn parse_amount(&self, cx: &Ctx, i: usize) -> Option<Amount> {
        let a = self.parse_number(cx, i)?;
        if a.article {
            return Some(a);
        }
        let j = a.end;
        let Some(c) = cx.toks.get(j) else {
            return Some(a);
        };
        if c.newline {
            return Some(a);
        }
        let before = i.checked_sub(1);
        let connects = if c.kind == Kind::Sym {
            self.in_list(cx, j, "range_dash")
        } else if self.lower_is(cx, j, "to") || self.lower_is(cx, j, "and") {
            self.range_start_at(cx, before)
        } else {
            false
        };
        if connects
            && let Some(b) = self.parse_number(cx, j + 1)
            && !b.article
            && !cx.toks[j + 1].newline
        {
            let low = if a.mag == 1.0 && b.mag > 1.0 {
                a.raw * b.mag
            } else {
                a.value
            };
            if low < b.value {
                return Some(Amount {
                    start: i,
                    end: b.end,
                    value: low,
                    max: Some(b.value),
                    raw: b.raw,
                    mag: b.mag,
                    int: false,
                    article: false,
                });
            }
        }
        Some(a)
    }

    /// Cents after a whole amount ending at token `j`: "and 50 cents", "50", "and fifty".
    /// Returns (added value, end token).
    fn compound(&self, cx: &Ctx, j: usize, major: &Alias) -> Option<(f64, usize)> {
        let n = cx.toks.len();
        let mut k = j;
        if k < n && !cx.toks[k].newline && self.lower_is(cx, k, "and") {
            k += 1;
        }
        if k >= n || cx.toks[k].newline {
            return None;
        }
        let b = self.parse_number(cx, k)?;
        let digits = cx.toks[k].kind == Kind::Num;
        if b.article
            || !b.int
            || b.value < 1.0
            || b.value >= 100.0
            || (digits && cx.toks[k].text(cx.text).len() > 2)
        {
            return None;
        }
        let e = b.end;
        if e < n && !cx.toks[e].newline {
            if let Some(u) = self.unit_at(cx, e, |_, a| a.kind == UnitKind::Minor && a.post) {
                let minor = self.alias(u.alias);
                let same = minor.currency == major.currency
                    || minor.default_dollar
                    || minor.currency.is_none();
                return same.then_some((apply_factor(b.value, minor.factor), u.end));
            }
            if !self.in_list(cx, e, "compound_follow") {
                return None;
            }
        }
        Some((b.value / 100.0, e))
    }

    /// A lone four-digit number that reads as a year (1800-2100).
    fn yearish(&self, cx: &Ctx, amt: &Amount) -> bool {
        let t = &cx.toks[amt.start];
        if amt.end != amt.start + 1 || t.kind != Kind::Num {
            return false;
        }
        let s = t.text(cx.text);
        s.len() == 4
            && s.bytes().all(|b| b.is_ascii_digit())
            && (1800..=2100).contains(&s.parse::<u32>().unwrap_or(0))
    }

    fn rule_for(kind: UnitKind, prefix: bool, mag: bool) -> Rule {
        match (kind, prefix) {
            (UnitKind::Symbol, true) if mag => Rule::SymbolMagnitude,
            (UnitKind::Symbol, true) => Rule::SymbolAmount,
            (UnitKind::Symbol, false) => Rule::AmountSymbol,
            (UnitKind::Code, true) => Rule::CodeAmount,
            (UnitKind::Code, false) => Rule::AmountCode,
            (UnitKind::Name, true) => Rule::NameAmount,
            (UnitKind::Name, false) => Rule::AmountName,
            (UnitKind::Minor, _) => Rule::MinorUnit,
        }
    }

    /// The unit stands before the number: "$ 75 million", "USD115", "Rs. 20", "dollar 22.5m".
    fn try_prefix(&self, cx: &Ctx, u: Unit, out: &mut Vec<Cand>) {
        let a = self.alias(u.alias);
        let n = cx.toks.len();
        let i = u.end;
        if i >= n || cx.toks[i].newline || (a.glued && !cx.toks[i].glued) {
            return;
        }
        if a.wordcode && !cx.toks[i].glued {
            return;
        }
        // a name or code right after a number closes that amount ("50 dollar 40 rmb")
        // unless that number already follows a unit ("rmb 10 usd 20") or this one touches its
        // own number ("3 USD50")
        if a.kind != UnitKind::Symbol
            && !cx.toks[i].glued
            && u.start > 0
            && cx.toks[u.start - 1].kind == Kind::Num
            && !cx
                .units
                .iter()
                .any(|p| p.end == u.start - 1 && self.alias(p.alias).pre)
        {
            return;
        }
        let Some(amt) = self.parse_amount(cx, i) else {
            return;
        };
        if amt.article {
            return;
        }
        // a name before a number is loose ("dollar 22.5 million"): never glued, never a year
        // ("Euro 2004")
        if a.kind == UnitKind::Name && (cx.toks[i].glued || self.yearish(cx, &amt)) {
            return;
        }
        let mut end = amt.end;
        let value = apply_factor(amt.value, a.factor);
        let max = amt.max.map(|m| apply_factor(m, a.factor));
        let rule = Self::rule_for(a.kind, true, amt.mag > 1.0 || a.factor > 1.0);
        // the same currency named again after the number: "$ 10 dollars"
        if a.kind == UnitKind::Symbol
            && end < n
            && !cx.toks[end].newline
            && let Some(t) = self.unit_at(cx, end, |_, b| {
                b.post
                    && matches!(b.kind, UnitKind::Name | UnitKind::Code)
                    && (b.currency == a.currency || b.default_dollar || a.default_dollar)
            })
        {
            end = t.end;
        }
        let cand = Cand {
            start: u.start,
            end,
            value,
            max,
            mag: amt.mag * a.factor.max(1.0),
            currency: a.currency.clone(),
            default_dollar: a.default_dollar,
            rule,
        };
        self.push_finished(cx, a, amt.int && amt.max.is_none(), cand, out);
    }

    /// Pushes a candidate after its last two steps: a minor-unit remainder glued on when
    /// `may_compound` ("5 dollars 50 cents", rule `Compound`), and rule `Range` when it has a
    /// maximum.
    fn push_finished(
        &self,
        cx: &Ctx,
        a: &Alias,
        may_compound: bool,
        mut c: Cand,
        out: &mut Vec<Cand>,
    ) {
        if may_compound
            && a.kind != UnitKind::Minor
            && let Some((add, e)) = self.compound(cx, c.end, a)
        {
            c.value += add;
            c.end = e;
            c.rule = Rule::Compound;
        }
        if c.max.is_some() {
            c.rule = Rule::Range;
        }
        out.push(c);
    }

    /// The unit stands after the number: "75 $", "200 USD", "five million yen", "12-cent".
    fn try_postfix(&self, cx: &Ctx, u: Unit, out: &mut Vec<Cand>) {
        let a = self.alias(u.alias);
        if a.compound_only {
            return;
        }
        let n = cx.toks.len();
        let ut = &cx.toks[u.start];
        if u.start == 0 || ut.newline || (a.glued && !ut.glued) {
            return;
        }
        // a symbol or code touching the next number belongs to it ("3 USD50", "2020 $5bn")
        if matches!(a.kind, UnitKind::Symbol | UnitKind::Code)
            && cx
                .toks
                .get(u.end)
                .is_some_and(|t| t.glued && t.kind == Kind::Num)
        {
            return;
        }
        // a code that is also a word stands last: "500 ALL." but not "10 ALL stars"
        if a.wordcode
            && cx
                .toks
                .get(u.end)
                .is_some_and(|t| t.kind == Kind::Word && !t.newline)
        {
            return;
        }
        let mut num_end = u.start;
        let hyphen = ut.glued
            && matches!(a.kind, UnitKind::Name | UnitKind::Minor)
            && cx.toks[u.start - 1].kind == Kind::Sym
            && cx.toks[u.start - 1].text(cx.text) == "-"
            && cx.toks[u.start - 1].glued;
        if hyphen {
            num_end -= 1;
        }
        let mut found = None;
        for s in num_end.saturating_sub(16)..num_end {
            // only digits or a number word ("five", "a", "half") can start an amount
            let t = &cx.toks[s];
            if t.kind == Kind::Sym || (t.kind == Kind::Word && self.num_word(cx, s).is_none()) {
                continue;
            }
            if let Some(amt) = self.parse_amount(cx, s)
                && amt.end == num_end
            {
                found = Some(amt);
                break;
            }
        }
        let Some(amt) = found else { return };
        let after = u.end;
        if amt.article {
            let follows =
                after >= n || cx.toks[after].newline || self.in_list(cx, after, "compound_follow");
            if !a.singular || a.weight || hyphen || !follows {
                return;
            }
        }
        // weight, not money: "3 pounds of flour", "weighed 200 pounds"
        if a.weight
            && (hyphen
                || self.in_list(cx, after, "weight_after")
                || (amt.start.saturating_sub(4)..amt.start)
                    .any(|p| self.in_list(cx, p, "weight_before")))
        {
            return;
        }
        // the number belongs to a unit before it ("rmb 10 usd 20"), unless that unit itself
        // closes an amount ("10 $ 30 $")
        if let Some(prev) = amt.start.checked_sub(1)
            && let Some(pu) = cx
                .units
                .iter()
                .find(|p| p.end == amt.start && self.alias(p.alias).pre)
            && !(pu.start > 0 && cx.toks[pu.start - 1].kind == Kind::Num)
            && prev + 1 == amt.start
        {
            return;
        }
        // a year is not an amount: "in 1997 $", "in 2019 dollars"
        if self.yearish(cx, &amt)
            && ((a.kind == UnitKind::Symbol && !ut.glued)
                || (amt.start > 0 && self.in_list(cx, amt.start - 1, "year_base")))
        {
            return;
        }
        let mut value = apply_factor(amt.value, a.factor);
        let max = amt.max.map(|m| apply_factor(m, a.factor));
        let mut mag = amt.mag * a.factor.max(1.0);
        let mut end = u.end;
        // "75 USD million"
        if amt.mag == 1.0
            && amt.max.is_none()
            && let Some(m) = self.scale_word(cx, end)
            && m >= 1000.0
        {
            value *= m;
            mag *= m;
            end += 1;
        }
        let cand = Cand {
            start: amt.start,
            end,
            value,
            max,
            mag,
            currency: a.currency.clone(),
            default_dollar: a.default_dollar,
            rule: Self::rule_for(a.kind, false, mag > 1.0),
        };
        let may_compound = amt.int && amt.max.is_none() && end == u.end;
        self.push_finished(cx, a, may_compound, cand, out);
    }

    fn qualifier(&self, cx: &Ctx, c: &Cand) -> Option<&'static str> {
        for (phrase, q) in &self.lex.qualifiers {
            let len = phrase.len();
            if c.start < len {
                continue;
            }
            let s = c.start - len;
            let ok = phrase.iter().enumerate().all(|(k, w)| {
                let t = &cx.toks[s + k];
                (k == 0 || !t.newline) && t.kind != Kind::Num && eq_lower(t.text(cx.text), w)
            }) && !cx.toks[c.start].newline;
            if ok {
                if *q == "between" {
                    if c.max.is_some() {
                        return Some("between");
                    }
                    continue;
                }
                return Some(q);
            }
        }
        None
    }

    /// Byte windows of `text` around currency triggers (whole words), widened to whitespace and
    /// merged: the only places money is looked for.
    fn windows(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        let bytes = text.as_bytes();
        let mut buf = [0u8; 32];
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if SKIP[b as usize] {
                i += 1;
                continue;
            }
            let (ms, me);
            if b.is_ascii_alphabetic() {
                let start = i;
                i = crate::text::ascii_letters_end(bytes, i + 1);
                let len = i - start;
                if len > self.lex.max_trigger || len >= buf.len() {
                    continue;
                }
                let sig =
                    lexicon::sig_index(&bytes[start..i]).map_or(0, |k| self.lex.trigger_sig[k]);
                if sig & (1 << len) == 0 {
                    continue;
                }
                let sig2 =
                    lexicon::sig2_index(&bytes[start..i]).map_or(0, |k| self.lex.trigger_sig2[k]);
                if sig2 & (1 << len) == 0 {
                    continue;
                }
                let w = &mut buf[..len];
                w.copy_from_slice(&bytes[start..i]);
                let exact = self.lex.trigger_exact.contains(&*w);
                w.make_ascii_lowercase();
                if !exact && !self.lex.trigger_words.contains(&*w) {
                    continue;
                }
                (ms, me) = (start, i);
            } else if b == b'$' {
                (ms, me) = (i, i + 1);
                i += 1;
            } else if b >= 0x80 {
                let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
                    i += 1;
                    continue;
                };
                i += c.len_utf8();
                if !self.lex.trigger_chars.contains(&c) {
                    continue;
                }
                (ms, me) = (i - c.len_utf8(), i);
            } else {
                i += 1;
                continue;
            }
            let mut s = ms.saturating_sub(WINDOW_BEFORE);
            while s > 0 && !bytes[s - 1].is_ascii_whitespace() {
                s -= 1;
            }
            let mut e = (me + WINDOW_AFTER).min(bytes.len());
            while e < bytes.len() && !bytes[e].is_ascii_whitespace() {
                e += 1;
            }
            match out.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        out
    }

    /// All money mentions of a text, in order (the extractor without the annotations).
    /// With `trace`, the candidates that lost an overlap come back too (for `explain`).
    fn find(&self, text: &str, trace: bool) -> (Vec<Tok>, Vec<Cand>, Vec<Cand>) {
        let windows = self.windows(text);
        let covered: usize = windows.iter().map(|(s, e)| e - s).sum();
        let mut toks = Vec::with_capacity(covered / 5 + 8);
        for (s, e) in windows {
            tokens::tokenize_into(text, s, e, &mut toks, |w| self.lex.lookup(w));
        }
        let mut cx = Ctx {
            text,
            toks: &toks,
            units: &[],
        };
        let units = self.find_units(&cx);
        cx.units = &units;
        let mut cands = Vec::new();
        for &u in &units {
            let a = self.alias(u.alias);
            if a.pre {
                self.try_prefix(&cx, u, &mut cands);
            }
            if a.post {
                self.try_postfix(&cx, u, &mut cands);
            }
        }
        cands.retain(|c| {
            self.enabled[c.rule as usize]
                && c.end > c.start
                && !self.in_list(&cx, c.end, "not_after")
                && !in_url(text, toks[c.start].start)
        });
        // longest first, then earliest
        let bytes = |c: &Cand| toks[c.end - 1].end - toks[c.start].start;
        cands.sort_by(|a, b| bytes(b).cmp(&bytes(a)).then(a.start.cmp(&b.start)));
        let mut kept: Vec<Cand> = Vec::new();
        let mut lost: Vec<Cand> = Vec::new();
        for c in cands {
            if kept.iter().all(|k| c.end <= k.start || k.end <= c.start) {
                kept.push(c);
            } else if trace {
                lost.push(c);
            }
        }
        kept.sort_by_key(|c| c.start);
        // ranges across two mentions: "$10-$20", "between €1 and €2 billion"
        let mut merged: Vec<Cand> = Vec::with_capacity(kept.len());
        for c in kept {
            if let Some(p) = merged.last_mut()
                && p.max.is_none()
                && c.max.is_none()
                && c.start == p.end + 1
                && p.currency == c.currency
                && self.enabled[Rule::Range as usize]
            {
                let conn = p.end;
                let connects = if toks[conn].kind == Kind::Sym {
                    self.in_list(&cx, conn, "range_dash")
                } else if self.lower_is(&cx, conn, "to") || self.lower_is(&cx, conn, "and") {
                    self.range_start_at(&cx, p.start.checked_sub(1))
                } else {
                    false
                };
                let low = if p.mag == 1.0 && c.mag > 1.0 {
                    p.value * c.mag
                } else {
                    p.value
                };
                if connects && low < c.value {
                    p.end = c.end;
                    p.value = low;
                    p.max = Some(c.value);
                    p.mag = c.mag;
                    p.rule = Rule::Range;
                    continue;
                }
            }
            merged.push(c);
        }
        (toks, merged, lost)
    }
}

impl Extractor for MoneyExtractor {
    fn name(&self) -> &'static str {
        "money"
    }

    fn extract(&self, doc: &Document, ann: &mut Annotations) {
        let text = doc.text.as_str();
        let (toks, cands, lost) = self.find(text, ann.trace.is_some());
        for c in &lost {
            let span = Span::new(toks[c.start].start, toks[c.end - 1].end);
            ann.dropped(
                "money",
                span,
                || text[span.start..span.end].to_string(),
                RULE_IDS[c.rule as usize],
                || "overlaps a longer (or earlier) money mention".to_string(),
            );
        }
        let cx = Ctx {
            text,
            toks: &toks,
            units: &[],
        };
        // "the text says otherwise": when every dollar named explicitly is one currency
        // (A$, Australian dollars), a bare "$" in the same text is that currency too
        let mut explicit: Option<&Arc<str>> = None;
        let mut single = true;
        for c in &cands {
            if !c.default_dollar
                && let Some(cur) = &c.currency
            {
                let dollarish = {
                    let s = &text[toks[c.start].start..toks[c.end - 1].end];
                    s.contains('$') || s.to_ascii_lowercase().contains("dollar")
                };
                if dollarish {
                    match explicit {
                        None => explicit = Some(cur),
                        Some(e) if e == cur => {}
                        Some(_) => single = false,
                    }
                }
            }
        }
        let dollar_override = explicit.filter(|_| single).cloned();
        for c in &cands {
            let span = Span::new(toks[c.start].start, toks[c.end - 1].end);
            let currency = match (&dollar_override, c.default_dollar) {
                (Some(d), true) => Some(d.to_string()),
                _ => c.currency.as_deref().map(str::to_string),
            };
            let qualifier = self.qualifier(&cx, c);
            ann.money.push(Money {
                span,
                sentence: ann.sentence_at(span.start),
                amount: c.value,
                currency,
                amount_max: c.max,
                qualifier,
                rule: self.rule_ids[c.rule as usize].clone(),
            });
        }
    }
}

/// Bytes that `windows` steps over: all but ASCII letters, `$` and non-ASCII bytes (which may
/// start a trigger).
static SKIP: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = !(c.is_ascii_alphabetic() || c == b'$' || c >= 0x80);
        b += 1;
    }
    t
};

/// Is byte `pos` inside a URL (a whitespace-delimited chunk with "://" or "www.")?
fn in_url(text: &str, pos: usize) -> bool {
    let bytes = text.as_bytes();
    let mut s = pos;
    while s > 0 && !bytes[s - 1].is_ascii_whitespace() && pos - s < 300 {
        s -= 1;
    }
    let mut e = pos;
    while e < bytes.len() && !bytes[e].is_ascii_whitespace() && e - pos < 300 {
        e += 1;
    }
    let chunk = &bytes[s..e];
    chunk.windows(3).any(|w| w == b"://")
        || chunk.windows(4).any(|w| w.eq_ignore_ascii_case(b"www."))
}

/// "Bgn", "uSd": neither all upper nor all lower case (a code is one or the other).
fn is_mixed_case(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase())
}

fn is_title_case(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(char::is_uppercase)
        && cs.clone().next().is_some()
        && cs.all(char::is_lowercase)
}

/// A number times a unit factor, dividing for sub-units so that 138 × 0.01 is 1.38 exactly.
fn apply_factor(v: f64, f: f64) -> f64 {
    if f < 1.0 && f > 0.0 {
        v / (1.0 / f).round()
    } else {
        v * f
    }
}

/// Digits times a power-of-ten magnitude without binary drift (4.1bn is 4100000000, not
/// 4099999999.9999995).
fn scaled(s: &str, v: f64, mag: f64) -> f64 {
    let exp = mag.log10();
    if mag <= 1.0 || exp.fract() != 0.0 {
        return v * mag;
    }
    let decimals = s.find('.').map_or(0, |d| s.len() - d - 1) as i32;
    let mantissa: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let Ok(m) = mantissa.parse::<f64>() else {
        return v * mag;
    };
    let k = exp as i32 - decimals;
    if k >= 0 {
        m * 10f64.powi(k)
    } else {
        m / 10f64.powi(-k)
    }
}

#[cfg(test)]
mod tests;
