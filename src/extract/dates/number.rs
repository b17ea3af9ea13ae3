//! Counts in words and digits: `three`, `twenty-four`, `2,000`, `5 1/2`, `a couple of`,
//! `several` (unknown: `None`).

use super::grammar::Lexicon;

/// A parsed count: `Some(n)` or `None` for a vague quantity (`several`, `a few`).
pub fn parse_count(lex: &Lexicon, s: &str) -> Option<Option<f64>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(v) = lex.get("vague", s) {
        return Some(v.parse::<f64>().ok());
    }
    if let Some(v) = lex.get("article", s) {
        return v.parse::<f64>().ok().map(Some);
    }
    let lower = s.to_lowercase();
    let (main, half) = if let Some(m) = lower.strip_suffix("and a half") {
        (m.trim().to_string(), 0.5)
    } else if let Some(m) = lower.strip_suffix("1/2") {
        (m.trim().to_string(), 0.5)
    } else {
        (lower, 0.0)
    };
    let first = main.chars().next()?;
    if first.is_ascii_digit() {
        let digits: String = main.chars().filter(|c| *c != ',').collect();
        let n: f64 = digits.trim().parse().ok()?;
        return Some(Some(n + half));
    }
    let n = parse_words(lex, &main)?;
    Some(Some(n + half))
}

/// `twenty four`, `twenty-four`, `two hundred and ten`, `two thousand`.
pub fn parse_words(lex: &Lexicon, s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    for w in s.split(|c: char| c.is_whitespace() || c == '-') {
        if w.is_empty() || w == "and" {
            continue;
        }
        let v: f64 = lex
            .get("numword", w)
            .or_else(|| lex.get("article", w))?
            .parse()
            .ok()?;
        any = true;
        if v == 100.0 {
            current = if current == 0.0 {
                100.0
            } else {
                current * 100.0
            };
        } else if v >= 1000.0 {
            total += if current == 0.0 { v } else { current * v };
            current = 0.0;
        } else {
            current += v;
        }
    }
    if any { Some(total + current) } else { None }
}

/// A spelled-out year: `nineteen ninety-seven`, `nineteen hundred`, `two thousand and one`.
pub fn parse_year_words(lex: &Lexicon, s: &str) -> Option<i32> {
    let lower = s.to_lowercase();
    let mut words = lower
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    if first == "two" {
        // two thousand [and] N
        let n = parse_words(lex, &lower)?;
        return Some(n as i32);
    }
    let century: i32 = lex.get("numword", first)?.parse().ok()?;
    let rest: Vec<&str> = words.filter(|w| *w != "and").collect();
    if rest.first() == Some(&"hundred") {
        let tail = rest[1..].join(" ");
        let n = if tail.is_empty() {
            0.0
        } else {
            parse_words(lex, &tail)?
        };
        return Some(century * 100 + n as i32);
    }
    let n = parse_words(lex, &rest.join(" "))?;
    if !(0.0..100.0).contains(&n) {
        return None;
    }
    Some(century * 100 + n as i32)
}
