//! From a candidate's parts to a TIMEX3 type, value and mod.
//!
//! Granularity follows the expression: `last week` is a week (`2026-W14`), `last month` a
//! month, `two weeks ago` a day. Underspecified dates (a weekday, a month alone, a month and
//! day) take the anchor's year, pointed past or future by the clause's tense ([`super::tense`]).
//! Without an anchor, relative values keep unknown digits as `X`.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use super::DateExtractor;
use super::grammar::{Cand, Field, Kind, Rule, static_mod};
use super::number::{parse_count, parse_year_words};
use super::tense::{Tense, clause_has, tense};
use crate::annotations::{Span, TimexType};

pub struct Resolved {
    pub ty: TimexType,
    pub value: String,
    pub timex_mod: Option<&'static str>,
}

pub struct Ctx<'a> {
    ex: &'a DateExtractor,
    text: &'a str,
    anchor: Option<Date>,
    /// The last quarter the story named, and in which sentence (earnings reports: "the
    /// quarter", "a year earlier" refer to it).
    last_quarter: Option<(i32, i8, usize)>,
    /// The last year (and month) the story stated outright: "the following year" counts from
    /// it, not from the anchor.
    last_stated: Option<(i32, Option<i8>, Option<i8>)>,
}

fn r(ty: TimexType, value: String, timex_mod: Option<&'static str>) -> Option<Resolved> {
    Some(Resolved {
        ty,
        value,
        timex_mod,
    })
}

fn day_str(d: Date) -> String {
    super::fmt_day(d.year() as i32, d.month(), d.day())
}

fn week_str(d: Date) -> String {
    let w = d.iso_week_date();
    format!("{:04}-W{:02}", w.year(), w.week())
}

fn month_str(y: i32, m: i8) -> String {
    format!("{y:04}-{m:02}")
}

fn weekday_from(n: i8) -> Option<Weekday> {
    Weekday::from_monday_one_offset(n).ok()
}

fn quarter_of(d: Date) -> i8 {
    (d.month() - 1) / 3 + 1
}

/// Days in a signed count, saturating (never panics).
fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(n.days()).ok()
}

fn add_months(d: Date, n: i64) -> Option<Date> {
    d.checked_add(n.months()).ok()
}

/// Format a count for a duration value: `3`, `2.5`, `X`.
fn count_str(n: Option<f64>) -> String {
    match n {
        None => "X".into(),
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

/// A TIMEX3 duration value from a count and a unit code (lexicon `unit` values).
pub fn duration_value(n: Option<f64>, unit: &str) -> String {
    let (n, unit) = match unit {
        "2W" => (n.map(|v| v * 2.0), "W"),
        u => (n, u),
    };
    // whole and half parts into the next smaller unit
    if let Some(v) = n
        && v.fract() != 0.0
    {
        let whole = v.trunc() as i64;
        let frac = v.fract();
        let split = match unit {
            "H" => Some(("PT", "H", "M", 60.0)),
            "TM" => Some(("PT", "M", "S", 60.0)),
            "Y" => Some(("P", "Y", "M", 12.0)),
            "D" => Some(("P", "DT", "H", 24.0)),
            "W" => Some(("P", "W", "D", 7.0)),
            _ => None,
        };
        if let Some((p, big, small, k)) = split {
            let rest = (frac * k).round() as i64;
            if whole == 0 {
                return match unit {
                    "H" => format!("PT{rest}M"),
                    "TM" => format!("PT{rest}S"),
                    "Y" => format!("P{rest}M"),
                    "D" => format!("PT{rest}H"),
                    _ => format!("P{rest}D"),
                };
            }
            return format!("{p}{whole}{big}{rest}{small}");
        }
    }
    match unit {
        "Q" => match n {
            Some(v) => format!("P{}M", count_str(Some(v * 3.0))),
            None => "PXM".into(),
        },
        "S" => format!("PT{}S", count_str(n)),
        "TM" => format!("PT{}M", count_str(n)),
        "H" => format!("PT{}H", count_str(n)),
        "DE" => match n {
            Some(v) => format!("P{}Y", count_str(Some(v * 10.0))),
            None => "PXDE".into(),
        },
        "CE" => match n {
            Some(v) => format!("P{}Y", count_str(Some(v * 100.0))),
            None => "PXC".into(),
        },
        "ML" => match n {
            Some(v) => format!("P{}Y", count_str(Some(v * 1000.0))),
            None => "PXML".into(),
        },
        u => format!("P{}{}", count_str(n), u),
    }
}

impl<'a> Ctx<'a> {
    pub fn new(ex: &'a DateExtractor, text: &'a str, anchor: Option<Date>) -> Self {
        Ctx {
            ex,
            text,
            anchor,
            last_quarter: None,
            last_stated: None,
        }
    }

    fn get(&self, c: &Cand, f: Field) -> Option<&'a str> {
        c.text(self.text, f)
    }

    fn lex(&self, class: &str, c: &Cand, f: Field) -> Option<&'a str> {
        let s = self.get(c, f)?;
        let ex: &'a DateExtractor = self.ex;
        ex.lex.get(class, s)
    }

    fn month(&self, c: &Cand) -> Option<i8> {
        let s = self.get(c, Field::Month)?;
        if let Ok(n) = s.parse::<i8>() {
            return (1..=12).contains(&n).then_some(n);
        }
        ["month", "month_ambig", "mon_abbr"]
            .iter()
            .find_map(|cl| self.ex.lex.get(cl, s))
            .and_then(|v| v.parse().ok())
    }

    fn year(&self, c: &Cand) -> Option<i32> {
        if let Some(y) = self.get(c, Field::Year) {
            if let Ok(n) = y.parse::<i32>() {
                return Some(n);
            }
            return parse_year_words(&self.ex.lex, y);
        }
        if let Some(yy) = self.get(c, Field::Yy) {
            let n: i32 = yy.parse().ok()?;
            let pivot = self
                .anchor
                .map_or(50, |a| (a.year() as i32 % 100 + 20) % 100);
            return Some(if n <= pivot { 2000 + n } else { 1900 + n });
        }
        None
    }

    fn day(&self, c: &Cand) -> Option<i8> {
        let s = self.get(c, Field::Day)?;
        let digits: String = s.chars().take_while(|ch| ch.is_ascii_digit()).collect();
        digits.parse().ok()
    }

    fn weekday(&self, c: &Cand) -> Option<i8> {
        let s = self.get(c, Field::Weekday)?;
        let s = s.trim_end_matches('.');
        let s = if s.len() > 6 && (s.ends_with('s') || s.ends_with('S')) {
            &s[..s.len() - 1]
        } else {
            s
        };
        ["weekday", "wd_abbr"]
            .iter()
            .find_map(|cl| self.ex.lex.get(cl, s))
            .and_then(|v| v.parse().ok())
    }

    fn dir(&self, c: &Cand) -> Option<i64> {
        let s = self.get(c, Field::Dir)?;
        if s.eq_ignore_ascii_case("that") {
            return Some(0);
        }
        self.ex.lex.get("dir", s).and_then(|v| v.parse().ok())
    }

    fn modifier(&self, c: &Cand, rule: &Rule) -> Option<&'static str> {
        if let Some(m) = rule.fixed_mod {
            return Some(m);
        }
        if let Some(s) = self.get(c, Field::Mod) {
            let s = s.trim_end_matches('-');
            if let Some(v) = self.ex.lex.get("modword", s) {
                return static_mod(v);
            }
            if s.eq_ignore_ascii_case("earlier") {
                return Some("START");
            }
            if s.eq_ignore_ascii_case("later") {
                return Some("END");
            }
        }
        if let Some(s) = self.get(c, Field::Qual)
            && let Some(v) = self.ex.lex.get("qualifier", s)
        {
            return static_mod(v);
        }
        None
    }

    fn unit(&self, c: &Cand) -> Option<&'static str> {
        let s = self.get(c, Field::Unit)?;
        let v = self.ex.lex.get("unit", s)?;
        UNIT_CODES.iter().copied().find(|u| *u == v)
    }

    fn count(&self, c: &Cand) -> Option<Option<f64>> {
        match self.get(c, Field::Num) {
            Some(s) if s.eq_ignore_ascii_case("half") => Some(Some(0.5)),
            Some(s) => parse_count(&self.ex.lex, s),
            None => Some(Some(1.0)),
        }
    }

    /// The year for a month (and day) without one: the one nearest the anchor, moved by the
    /// clause's tense: a month alone in a past clause is not after the anchor's month, in a
    /// future clause not before it; a month and day move only when well off (a past clause
    /// often names a coming deadline: "extended the offer to Nov. 20").
    fn infer_year(&self, month: i8, day: Option<i8>, t: Tense, strict_past: bool) -> Option<i32> {
        let a = self.anchor?;
        let ay = a.year() as i32;
        let dd = day.unwrap_or(15) as i32;
        let ad = if day.is_some() { a.day() as i32 } else { 15 };
        let key = |y: i32, m: i32, d: i32| y * 372 + m * 31 + d;
        let now = key(ay, a.month() as i32, ad);
        let mut best = ay;
        for y in [ay - 1, ay + 1] {
            if (key(y, month as i32, dd) - now).abs() < (key(best, month as i32, dd) - now).abs() {
                best = y;
            }
        }
        let diff = key(best, month as i32, dd) - now;
        Some(match (t, day.is_some()) {
            (Tense::Past, false) if diff > 0 => best - 1,
            (Tense::Past, true) if diff > 93 => best - 1,
            (Tense::Past, true) if diff > 0 && strict_past => best - 1,
            (Tense::Future, false) if diff < 0 => best + 1,
            (Tense::Future, true) if diff < -7 => best + 1,
            // news reports more than it announces: a month alone more than two months ahead
            // is last year's
            (Tense::Unknown, false) if diff > 62 => best - 1,
            _ => best,
        })
    }

    /// A unit word capitalised inside the mention ("ABC's \"This Week\"", "\"60 Minutes\""):
    /// a title, not a time (an all-capitals mention is a headline and stays).
    fn titled_unit(&self, c: &Cand) -> bool {
        let (Some(u), Some(us)) = (self.get(c, Field::Unit), c.get(Field::Unit)) else {
            return false;
        };
        let whole = self.text.get(c.span.start..c.span.end).unwrap_or("");
        us.start > c.span.start
            && u.starts_with(|ch: char| ch.is_ascii_uppercase())
            && whole.bytes().any(|b| b.is_ascii_lowercase())
    }

    /// The weekday just after a short parenthetical: "10:35 a.m. (0735 GMT) Friday".
    fn weekday_after_aside(&self, pos: usize) -> Option<i8> {
        let rest = self.text.get(pos..)?.trim_start_matches([' ', '\t']);
        let close = rest.strip_prefix('(')?.find(')')?;
        if close > 24 {
            return None;
        }
        let after = pos + (self.text.len() - pos - rest.len()) + close + 2;
        let w = super::next_word(self.text, after)?;
        let w = w.trim_end_matches("'s").trim_end_matches("’s");
        if !w.starts_with(|ch: char| ch.is_ascii_uppercase()) {
            return None;
        }
        self.ex.lex.get("weekday", w)?.parse().ok()
    }

    /// "a second group": the ordinal, not one second.
    fn ordinal_second(&self, c: &Cand) -> bool {
        let is_second = self
            .get(c, Field::Unit)
            .is_some_and(|u| u.eq_ignore_ascii_case("second"));
        let is_article = self
            .get(c, Field::Num)
            .is_some_and(|n| n.eq_ignore_ascii_case("a"));
        if !(is_second && is_article) {
            return false;
        }
        match super::next_word(self.text, c.span.end) {
            Some(w) => {
                let rest = self.text.get(c.span.end..).unwrap_or("");
                // the next word directly after spaces (not after punctuation)
                rest.trim_start_matches([' ', '\t']).starts_with(w)
                    && w.starts_with(|ch: char| ch.is_ascii_lowercase())
                    && !self.ex.lex.has("second_unit_after", w)
            }
            None => false,
        }
    }

    /// `… ended Sept. 30`: the month after `pos`, when the next word is `ended`/`ending`.
    fn ended_month(&self, pos: usize) -> Option<i8> {
        let w = super::next_word(self.text, pos)?;
        if !(w.eq_ignore_ascii_case("ended") || w.eq_ignore_ascii_case("ending")) {
            return None;
        }
        let at = self.text.get(pos..)?.find(w)? + pos + w.len();
        let m = super::next_word(self.text, at)?;
        ["month", "month_ambig", "mon_abbr"]
            .iter()
            .find_map(|cl| self.ex.lex.get(cl, m))
            .and_then(|v| v.parse().ok())
    }

    pub fn resolve(
        &mut self,
        c: &Cand,
        rule: &Rule,
        sentence: usize,
        sent: Span,
    ) -> Option<Resolved> {
        let t = || {
            // "by Friday", "until Tuesday": a deadline ahead; "Friday's ruling": a day past.
            let prev = super::prev_word(self.text, c.full.start);
            if prev.is_some_and(|w| self.ex.lex.has("future_prep", w)) {
                // "had filed by Wednesday": a deadline met before the article
                if clause_has(&self.ex.lex, "perfect_past", self.text, c.span, sent) {
                    return Tense::Past;
                }
                return Tense::Future;
            }
            if prev.is_some_and(|w| self.ex.lex.has("past_prep", w)) {
                return Tense::Past;
            }
            let rest = self.text.get(c.span.end..).unwrap_or("");
            if rest.starts_with("'s") || rest.starts_with("’s") {
                return Tense::Past;
            }
            tense(&self.ex.lex, &self.ex.cue_words, self.text, c.span, sent)
        };
        let a = self.anchor;
        let m = self.modifier(c, rule);
        use TimexType::*;
        match rule.kind {
            Kind::Veto => None,
            Kind::Date | Kind::Month => {
                let month = self.month(c);
                let day = self.day(c);
                let mut year = self.year(c);
                if let (Some(mo), Some(dir)) = (month, self.dir(c))
                    && year.is_none()
                {
                    let a = a?;
                    let ay = a.year() as i32;
                    let dir_after_month = c
                        .get(Field::Dir)
                        .zip(c.get(Field::Month))
                        .is_some_and(|(d, mm)| d.start > mm.start);
                    year = Some(if dir_after_month {
                        ay + dir as i32
                    } else {
                        match dir {
                            d if d < 0 => {
                                if mo < a.month() {
                                    ay
                                } else {
                                    ay - 1
                                }
                            }
                            d if d > 0 => {
                                if mo > a.month() {
                                    ay
                                } else {
                                    ay + 1
                                }
                            }
                            _ => ay,
                        }
                    });
                }
                let Some(month) = month else {
                    // a year with a modifier
                    let y = year?;
                    return r(Date, format!("{y:04}"), m);
                };
                if year.is_none() {
                    // A weekday can pin the year: "Saturday, April 25".
                    if let (Some(wd), Some(d), Some(a)) = (self.weekday(c), day, a) {
                        let ay = a.year() as i32;
                        for y in [ay, ay - 1, ay + 1] {
                            if let Ok(date) = jiff::civil::Date::new(y as i16, month, d)
                                && Some(date.weekday()) == weekday_from(wd)
                            {
                                year = Some(y);
                                break;
                            }
                        }
                    }
                }
                if year.is_none() {
                    let prev = super::prev_word(self.text, c.full.start);
                    let tn = t();
                    let strict = prev.is_some_and(|w| self.ex.lex.has("past_prep", w));
                    year = self.infer_year(month, day, tn, strict);
                }
                if let (Some(y), true) = (year, self.get(c, Field::Year).is_some()) {
                    self.last_stated = Some((y, Some(month), day));
                }
                match (year, day) {
                    (Some(y), Some(d)) => {
                        let date = jiff::civil::Date::new(y as i16, month, d).ok()?;
                        // "the week of March 6": the week, not the day
                        if rule.fixed_value.as_deref() == Some("WEEK") {
                            return r(Date, week_str(date), m);
                        }
                        r(Date, super::fmt_day(y, month, d), m)
                    }
                    (Some(y), None) => r(Date, month_str(y, month), m),
                    (None, Some(d)) => {
                        if !(1..=31).contains(&d) {
                            return None;
                        }
                        r(Date, format!("XXXX-{month:02}-{d:02}"), m)
                    }
                    (None, None) => r(Date, format!("XXXX-{month:02}"), m),
                }
            }
            Kind::Numeric => {
                let av: i8 = self.get(c, Field::A)?.parse().ok()?;
                let bv: i8 = self.get(c, Field::B)?.parse().ok()?;
                let (mut d, mut mo) = if self.ex.day_first {
                    (av, bv)
                } else {
                    (bv, av)
                };
                if mo > 12 && d <= 12 {
                    std::mem::swap(&mut d, &mut mo);
                }
                let y = self.year(c)?;
                jiff::civil::Date::new(y as i16, mo, d).ok()?;
                r(Date, super::fmt_day(y, mo, d), m)
            }
            Kind::Year => {
                // "closed at 2082.1": a decimal number, not a year
                let rest = self.text.get(c.span.end..).unwrap_or("").as_bytes();
                if rest.len() >= 2 && rest[0] == b'.' && rest[1].is_ascii_digit() {
                    return None;
                }
                let y = self.year(c)?;
                self.last_stated = Some((y, None, None));
                r(Date, format!("{y:04}"), m)
            }
            Kind::Weekday => {
                let wd = weekday_from(self.weekday(c)?)?;
                let pod = self.lex("pod", c, Field::Pod);
                let date = a.and_then(|a| {
                    let aw = a.weekday();
                    let fwd =
                        (wd.to_monday_zero_offset() as i64 - aw.to_monday_zero_offset() as i64 + 7)
                            % 7;
                    let back =
                        (aw.to_monday_zero_offset() as i64 - wd.to_monday_zero_offset() as i64 + 7)
                            % 7;
                    match self.dir(c) {
                        Some(d) if d < 0 => add_days(a, -(if back == 0 { 7 } else { back })),
                        Some(d) if d > 0 => add_days(a, if fwd == 0 { 7 } else { fwd }),
                        Some(_) => add_days(
                            a,
                            wd.to_monday_zero_offset() as i64 - aw.to_monday_zero_offset() as i64,
                        ),
                        None => {
                            if fwd == 0 {
                                Some(a)
                            } else if t() == Tense::Future {
                                add_days(a, fwd)
                            } else {
                                add_days(a, -back)
                            }
                        }
                    }
                });
                let base = match date {
                    Some(d) => day_str(d),
                    None => format!("XXXX-WXX-{}", wd.to_monday_one_offset()),
                };
                // News annotation (TimeBank, AQUAINT) keeps "Friday night" a DATE of that day.
                let _ = pod;
                r(Date, base, m)
            }
            Kind::Deictic => {
                let v = self
                    .lex("deictic", c, Field::Word)
                    .or_else(|| self.lex("pod_anchor", c, Field::Word))?;
                let (off, tpod) = match v.find('T') {
                    Some(i) => (&v[..i], Some(&v[i + 1..])),
                    None => (v, None),
                };
                let off: i64 = off.parse().ok()?;
                let pod = self.lex("pod", c, Field::Pod).or(tpod);
                let base = match a {
                    Some(a) => day_str(add_days(a, off)?),
                    None => "XXXX-XX-XX".into(),
                };
                match pod {
                    Some(p) => r(Time, format!("{base}T{p}"), m),
                    None => r(Date, base, m),
                }
            }
            Kind::Ref => {
                let v = match &rule.fixed_value {
                    Some(v) => v.as_str(),
                    None => self.lex("ref", c, Field::Word)?,
                };
                let word = self.get(c, Field::Word).unwrap_or("");
                // "the future of the alliance": a fate, not a time
                if v == "FUTURE_REF"
                    && word.to_ascii_lowercase().ends_with("future")
                    && super::next_word(self.text, c.span.end)
                        .is_some_and(|w| w.eq_ignore_ascii_case("of"))
                {
                    return None;
                }
                // "the crowd soon grew", "he was soon released": soon after a past event, not
                // after the article
                if self.ex.lex.has("narrative_ref", word) && t() == Tense::Past {
                    return None;
                }
                r(Date, v.to_string(), m)
            }
            Kind::RelUnit => {
                if self.titled_unit(c) {
                    return None;
                }
                let unit = self.get(c, Field::Unit)?.to_ascii_lowercase();
                let dir = self.dir(c).unwrap_or(0);
                // "the following year", "the previous month": from the last stated date
                // "the following year", "later that year": from the last stated date
                let from_story = self.get(c, Field::Dir).is_some_and(|w| {
                    ["following", "previous", "preceding", "prior", "that"]
                        .iter()
                        .any(|x| w.eq_ignore_ascii_case(x))
                });
                if from_story && let Some((y, mo, d)) = self.last_stated {
                    match (unit.as_str(), mo, d) {
                        ("year", _, _) => return r(Date, format!("{:04}", y + dir as i32), m),
                        ("month", Some(mo), _) => {
                            let d = add_months(jiff::civil::Date::new(y as i16, mo, 1).ok()?, dir)?;
                            return r(Date, month_str(d.year() as i32, d.month()), m);
                        }
                        ("day", Some(mo), Some(d)) => {
                            let d = add_days(jiff::civil::Date::new(y as i16, mo, d).ok()?, dir)?;
                            return r(Date, day_str(d), m);
                        }
                        _ => {}
                    }
                }
                // "that day" with no day stated before it: no value to give
                if unit == "day" {
                    return None;
                }
                let Some(a) = a else {
                    return r(Date, "XXXX".into(), m);
                };
                let ay = a.year() as i32;
                let value = match unit.as_str() {
                    "year" => format!("{:04}", ay + dir as i32),
                    "month" => {
                        let d = add_months(a, dir)?;
                        month_str(d.year() as i32, d.month())
                    }
                    "week" => week_str(add_days(a, 7 * dir)?),
                    "fortnight" => week_str(add_days(a, 14 * dir)?),
                    "quarter" => {
                        let d = add_months(a, 3 * dir)?;
                        let v = format!("{:04}-Q{}", d.year(), quarter_of(d));
                        self.last_quarter = Some((d.year() as i32, quarter_of(d), sentence));
                        v
                    }
                    "decade" => format!("{:03}", ay / 10 + dir as i32),
                    "century" => format!("{:02}", ay / 100 + dir as i32),
                    "weekend" => {
                        let wd = a.weekday().to_monday_one_offset() as i64;
                        // Saturday of this ISO week
                        let sat = add_days(a, 6 - wd)?;
                        let future = dir > 0 || (dir == 0 && t() == Tense::Future);
                        let pick = if dir < 0 || (!future && wd < 6) {
                            add_days(sat, -7)?
                        } else {
                            sat
                        };
                        format!("{}-WE", week_str(pick))
                    }
                    _ => return None,
                };
                r(Date, value, m)
            }
            Kind::Ago => {
                let unit = self.unit(c)?;
                let n = self.count(c)?;
                let ago = self.get(c, Field::Ago)?.to_ascii_lowercase();
                let sign: i64 = if ago == "ago" || ago == "earlier" || ago == "back" {
                    -1
                } else {
                    1
                };
                let Some(n) = n else {
                    return r(
                        Date,
                        if sign < 0 { "PAST_REF" } else { "FUTURE_REF" }.into(),
                        m,
                    );
                };
                let Some(a) = a else {
                    return r(Date, "XXXX-XX-XX".into(), m);
                };
                // Earnings: "a year ago" next to a quarter is that quarter a year before.
                let adj_ok = rule.fixed_value.as_deref() != Some("ADJ")
                    || super::next_word(self.text, c.span.end).is_some_and(|w| {
                        w.eq_ignore_ascii_case("quarter") || w.eq_ignore_ascii_case("period")
                    });
                if unit == "Y"
                    && n == 1.0
                    && adj_ok
                    && let Some((qy, q, _)) = self.last_quarter
                {
                    let prev = add_months(a, -3).map(|d| (d.year() as i32, quarter_of(d)));
                    let (qy, q) = match prev {
                        Some(p) if (qy, q) > p => p,
                        _ => (qy, q),
                    };
                    return r(Date, format!("{:04}-Q{}", qy - 1, q), m);
                }
                let k = (n.round() as i64) * sign;
                let value = match unit {
                    "D" => day_str(add_days(a, k)?),
                    "W" => day_str(add_days(a, 7 * k)?),
                    "2W" => day_str(add_days(a, 14 * k)?),
                    "M" => {
                        let d = add_months(a, k)?;
                        month_str(d.year() as i32, d.month())
                    }
                    "Q" => {
                        let d = add_months(a, 3 * k)?;
                        format!("{:04}-Q{}", d.year(), quarter_of(d))
                    }
                    "Y" => format!("{:04}", a.year() as i64 + k),
                    "DE" => format!("{:04}", a.year() as i64 + 10 * k),
                    "CE" => format!("{:02}", (a.year() as i64 + 100 * k) / 100),
                    "H" | "TM" | "S" => day_str(a),
                    _ => return None,
                };
                r(Date, value, m)
            }
            Kind::InUnits => {
                let unit = self.unit(c)?;
                let n = self.count(c)?;
                if t() == Tense::Future
                    && let (Some(a), Some(n)) = (a, n)
                {
                    let k = n.round() as i64;
                    let value = match unit {
                        "D" => Some(day_str(add_days(a, k)?)),
                        "W" => Some(day_str(add_days(a, 7 * k)?)),
                        "M" => add_months(a, k).map(|d| month_str(d.year() as i32, d.month())),
                        "Y" => Some(format!("{:04}", a.year() as i64 + k)),
                        _ => None,
                    };
                    if let Some(v) = value {
                        return r(Date, v, m);
                    }
                }
                r(Duration, duration_value(n, unit), m)
            }
            Kind::Quarter | Kind::Half => {
                let ord = self.get(c, Field::Ord)?;
                let q: i8 = ord
                    .chars()
                    .find(|ch| ch.is_ascii_digit())
                    .and_then(|ch| ch.to_digit(10))
                    .map(|d| d as i8)
                    .or_else(|| {
                        if ["final", "last", "latter"]
                            .iter()
                            .any(|w| ord.eq_ignore_ascii_case(w))
                        {
                            Some(if rule.kind == Kind::Quarter { 4 } else { 2 })
                        } else {
                            self.ex.lex.get("ordinal", ord).and_then(|v| v.parse().ok())
                        }
                    })?;
                let max = if rule.kind == Kind::Quarter { 4 } else { 2 };
                if !(1..=max).contains(&q) {
                    return None;
                }
                let year_ago = rule.fixed_value.as_deref() == Some("-1Y");
                let year = self.year(c).or_else(|| {
                    let a = a?;
                    let ay = a.year() as i32 - i32::from(year_ago);
                    Some(match self.dir(c) {
                        Some(d) => ay + d as i32,
                        None => {
                            let aq = quarter_of(a);
                            let cur = if rule.kind == Kind::Quarter {
                                aq
                            } else {
                                (aq + 1) / 2
                            };
                            if q > cur && aq == 1 && t() != Tense::Future {
                                ay - 1
                            } else {
                                ay
                            }
                        }
                    })
                });
                let letter = if rule.kind == Kind::Quarter { "Q" } else { "H" };
                let value = match year {
                    Some(y) => format!("{y:04}-{letter}{q}"),
                    None => format!("XXXX-{letter}{q}"),
                };
                if rule.kind == Kind::Quarter
                    && let Some(y) = year
                {
                    self.last_quarter = Some((y, q, sentence));
                }
                r(Date, value, m)
            }
            Kind::RefQuarter => {
                // The quarter the story reports on: the last one it named, unless that is later
                // than the quarter before the anchor's (the reporting season).
                let prev = a
                    .and_then(|a| add_months(a, -3))
                    .map(|d| (d.year() as i32, quarter_of(d)));
                let ended = self.ended_month(c.span.end);
                let (y, q) = match (self.last_quarter, prev) {
                    (_, Some(_)) if ended.is_some() => {
                        let (mo, a) = (ended?, a?);
                        let y = a.year() as i32 - i32::from(mo > a.month());
                        (y, (mo - 1) / 3 + 1)
                    }
                    (Some((y, q, _)), Some(p)) if (y, q) <= p => (y, q),
                    (_, Some(p)) => p,
                    (Some((y, q, _)), None) => (y, q),
                    (None, None) => return r(Date, "XXXX-QX".into(), m),
                };
                let y = match self.year(c) {
                    Some(explicit) => explicit,
                    None if rule.fixed_value.as_deref() == Some("-1Y") => y - 1,
                    None => y,
                };
                if rule.fixed_value.is_none() && self.year(c).is_none() {
                    self.last_quarter = Some((y, q, sentence));
                }
                r(Date, format!("{y:04}-Q{q}"), m)
            }
            Kind::Season => {
                let s = self.lex("season", c, Field::Season)?;
                let start = match s {
                    "SP" => 3,
                    "SU" => 6,
                    "FA" => 9,
                    _ => 12,
                };
                let year = self.year(c).or_else(|| {
                    let a = a?;
                    let ay = a.year() as i32;
                    let began = a.month() >= start;
                    Some(match self.dir(c) {
                        Some(d) if d < 0 => {
                            if began && a.month() >= start + 3 {
                                ay
                            } else {
                                ay - 1
                            }
                        }
                        Some(d) if d > 0 => {
                            if began {
                                ay + 1
                            } else {
                                ay
                            }
                        }
                        Some(_) => ay,
                        None => match t() {
                            Tense::Past if !began => ay - 1,
                            Tense::Future if began && a.month() >= start + 3 => ay + 1,
                            _ => ay,
                        },
                    })
                });
                let value = match year {
                    Some(y) => format!("{y:04}-{s}"),
                    None => format!("XXXX-{s}"),
                };
                r(Date, value, m)
            }
            Kind::Decade => {
                let d = self.get(c, Field::Decade)?;
                let value = if let Some(v) = self.ex.lex.get("decadeword", d) {
                    format!("19{v}")
                } else if d.len() == 4 {
                    d[..3].to_string()
                } else if d.len() == 2 {
                    format!("19{}", &d[..1])
                } else {
                    return None;
                };
                r(Date, value, m)
            }
            Kind::Century => {
                let s = self.get(c, Field::Century)?;
                let digits: String = s.chars().take_while(|ch| ch.is_ascii_digit()).collect();
                let n: i32 = if digits.is_empty() {
                    self.ex.lex.get("ordinal", s)?.parse().ok()?
                } else {
                    digits.parse().ok()?
                };
                if !(1..=30).contains(&n) {
                    return None;
                }
                r(Date, format!("{:02}", n - 1), m)
            }
            Kind::Fiscal => {
                let y = self.year(c)?;
                r(Date, format!("{y:04}"), m)
            }
            Kind::Time | Kind::TimeWord => {
                let hs = self.get(c, Field::Hour)?;
                let (mut h, mi): (i32, i32) = match hs.to_ascii_lowercase().as_str() {
                    "noon" | "midday" => (12, 0),
                    "midnight" => (0, 0),
                    s => (
                        s.parse().ok()?,
                        self.get(c, Field::Min)
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0),
                    ),
                };
                if let Some(ap) = self.get(c, Field::Ampm) {
                    let pm = ap.starts_with(['p', 'P']);
                    if pm && h < 12 {
                        h += 12;
                    } else if !pm && h == 12 {
                        h = 0;
                    }
                }
                if !(0..24).contains(&h) || !(0..60).contains(&mi) {
                    return None;
                }
                // the day: a weekday, a deictic word or a month and day after the time
                let wd = self
                    .weekday(c)
                    .or_else(|| self.weekday_after_aside(c.span.end));
                let day = if let Some(wd) = wd.and_then(weekday_from) {
                    a.and_then(|a| {
                        let aw = a.weekday();
                        let fwd = (wd.to_monday_zero_offset() as i64
                            - aw.to_monday_zero_offset() as i64
                            + 7)
                            % 7;
                        let back = (aw.to_monday_zero_offset() as i64
                            - wd.to_monday_zero_offset() as i64
                            + 7)
                            % 7;
                        if fwd == 0 {
                            Some(a)
                        } else if t() == Tense::Future {
                            add_days(a, fwd)
                        } else {
                            add_days(a, -back)
                        }
                    })
                    .map(day_str)
                } else if let Some(w) = self.get(c, Field::Word) {
                    let off: i64 = self
                        .ex
                        .lex
                        .get("deictic", w)
                        .and_then(|v| {
                            v.trim_end_matches(|ch: char| ch.is_ascii_alphabetic())
                                .parse()
                                .ok()
                        })
                        .unwrap_or(0);
                    a.and_then(|a| add_days(a, off)).map(day_str)
                } else if let (Some(mo), Some(d)) = (self.month(c), self.day(c)) {
                    self.infer_year(mo, Some(d), t(), false)
                        .and_then(|y| jiff::civil::Date::new(y as i16, mo, d).ok())
                        .map(day_str)
                } else {
                    a.map(day_str)
                };
                let day = day.unwrap_or_else(|| "XXXX-XX-XX".into());
                r(Time, format!("{day}T{h:02}:{mi:02}"), m)
            }
            Kind::Duration => {
                if self.titled_unit(c) || self.ordinal_second(c) {
                    return None;
                }
                let unit = self.unit(c)?;
                let mut n = self.count(c)?;
                if rule.fixed_value.as_deref() == Some("HALF") {
                    n = n.map(|v| v + 0.5);
                }
                r(Duration, duration_value(n, unit), m)
            }
            Kind::VagueDuration => {
                let unit = self.unit(c)?;
                r(Duration, duration_value(None, unit), m)
            }
            Kind::SetWord => {
                let v = self.lex("setword", c, Field::Word)?;
                r(Set, v.to_string(), m)
            }
            Kind::Holiday => {
                let rule_text = self.lex("holiday", c, Field::Word)?;
                let on = |y: i32| holiday_date(rule_text, y);
                if let Some(y) = self.year(c) {
                    return r(Date, day_str(on(y)?), m);
                }
                let Some(a) = a else {
                    return r(Date, "XXXX-XX-XX".into(), m);
                };
                let ay = a.year() as i32;
                let cands: Vec<jiff::civil::Date> =
                    [ay - 1, ay, ay + 1].iter().filter_map(|y| on(*y)).collect();
                let pick = match self.dir(c) {
                    Some(d) if d < 0 => cands.iter().rev().find(|d| **d < a).copied(),
                    Some(d) if d > 0 => cands.iter().find(|d| **d > a).copied(),
                    _ => {
                        let tn = t();
                        let nearest = cands
                            .iter()
                            .min_by_key(|d| (approx_days(**d) - approx_days(a)).abs())
                            .copied();
                        match (tn, nearest) {
                            (Tense::Past, Some(n)) if n > a => {
                                cands.iter().rev().find(|d| **d <= a).copied()
                            }
                            (Tense::Future, Some(n)) if n < a => {
                                cands.iter().find(|d| **d >= a).copied()
                            }
                            (_, n) => n,
                        }
                    }
                };
                r(Date, day_str(pick?), m)
            }
            Kind::SetEvery => {
                if let Some(wd) = self.weekday(c) {
                    return r(Set, format!("XXXX-WXX-{wd}"), m);
                }
                if let Some(mo) = self.month(c) {
                    return r(Set, format!("XXXX-{mo:02}"), m);
                }
                let unit = self.unit(c)?;
                let n = self.count(c)?;
                r(Set, duration_value(n.or(Some(1.0)), unit), m)
            }
        }
    }
}

const UNIT_CODES: &[&str] = &[
    "S", "TM", "H", "D", "W", "2W", "M", "Q", "Y", "DE", "CE", "ML", "WE",
];

/// A holiday's date in a year from its lexicon rule (`MM-DD`, `N:W:MM`, `easter±N`,
/// `ELECTION`).
fn holiday_date(rule: &str, y: i32) -> Option<Date> {
    let y16 = i16::try_from(y).ok()?;
    if let Some(rest) = rule.strip_prefix("easter") {
        let off: i64 = if rest.is_empty() {
            0
        } else {
            rest.parse().ok()?
        };
        return add_days(easter(y16)?, off);
    }
    if rule == "ELECTION" {
        // the Tuesday after the first Monday of November
        let first_monday = Date::new(y16, 11, 1)
            .ok()?
            .nth_weekday_of_month(1, Weekday::Monday)
            .ok()?;
        return add_days(first_monday, 1);
    }
    let parts: Vec<&str> = rule.split(':').collect();
    match parts.as_slice() {
        [md] => {
            let (mo, d) = md.split_once('-')?;
            Date::new(y16, mo.parse().ok()?, d.parse().ok()?).ok()
        }
        [n, w, mo] => {
            let n: i8 = n.parse().ok()?;
            let wd = weekday_from(w.parse().ok()?)?;
            Date::new(y16, mo.parse().ok()?, 1)
                .ok()?
                .nth_weekday_of_month(n, wd)
                .ok()
        }
        _ => None,
    }
}

/// Western Easter Sunday (anonymous Gregorian algorithm).
fn easter(y: i16) -> Option<Date> {
    let y = y as i32;
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(y as i16, month as i8, day as i8).ok()
}

fn approx_days(d: Date) -> i64 {
    d.year() as i64 * 372 + d.month() as i64 * 31 + d.day() as i64
}
