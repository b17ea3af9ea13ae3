//! Paragraphs and sentences.
//!
//! Two passes. The **layout** pass reads lines: blank lines separate paragraphs; every line is a
//! sentence region of its own (headlines, bullets, bylines, reference lines) unless its paragraph
//! is hard-wrapped prose, which is read as one region. Lines are classified as `heading` (Markdown
//! `#`, a reference-list heading, or a lone short line without a final stop), `list_item`,
//! `reference` (inside a reference list, or a `[n] URL` line) or `body`.
//!
//! The **boundary** pass scans each body or list region for candidate stops (`.`, `!`, `?`, `…`,
//! `。`, `！`, `？`) and vetoes candidates by rule: abbreviations (`rules/segment/abbreviations.tsv`),
//! initials, dotted acronyms, list enumerators, decimals, ellipses, a lowercase next word. A stop
//! swallows closing quotes and brackets and the citation markers after it (`grew.[3] Next`), so a
//! marker after the stop belongs to the sentence before it. A missing space after a stop
//! (`others.No group`) is a boundary when a lowercase word meets a capitalised one.

use crate::annotations::{Annotations, Sentence, SentenceKind, Span};
use crate::document::Document;
use crate::extract::citations::marker_at;
use crate::extract::fx::{FxMap, FxSet};
use crate::rules::{RuleError, RuleSet};
use crate::text::with_lower;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AbbrevClass {
    Prefix,
    Number,
    Regular,
    Time,
}

pub struct Segmenter {
    abbrevs: FxMap<String, AbbrevClass>,
    starters: FxSet<String>,
    fronted: FxSet<String>,
    reference_headings: FxSet<String>,
    missing_space: bool,
    fronted_time: bool,
    hard_wrap: bool,
}

/// Longest line (in bytes) that hard-wrapped prose may have.
const WRAP_MAX: usize = 120;
/// A lone line of at most this many words without a final stop is a heading.
const HEADING_MAX_WORDS: usize = 20;

impl Segmenter {
    pub fn new(rules: &RuleSet) -> Result<Self, RuleError> {
        let mut abbrevs = FxMap::default();
        for line in rules.lines("segment/abbreviations.tsv") {
            let f = line.fields();
            if f.len() != 2 {
                return Err(line.error("expected 2 tab-separated columns: abbreviation, class"));
            }
            let class = match f[1].trim() {
                "prefix" => AbbrevClass::Prefix,
                "number" => AbbrevClass::Number,
                "regular" => AbbrevClass::Regular,
                "time" => AbbrevClass::Time,
                other => {
                    return Err(line.error(format!(
                        "unknown class {other:?} (prefix, number, regular, time)"
                    )));
                }
            };
            let key = f[0].trim().to_lowercase();
            if rules.is_disabled(&format!("seg.abbrev.{}", f[1].trim())) {
                continue;
            }
            abbrevs.insert(key, class);
        }
        let words = |path: &str, lower: bool| -> FxSet<String> {
            rules
                .lines(path)
                .map(|l| {
                    let w = l.text.trim();
                    if lower {
                        w.to_lowercase()
                    } else {
                        w.to_string()
                    }
                })
                .collect()
        };
        Ok(Segmenter {
            abbrevs,
            starters: words("segment/sentence_starters.txt", false),
            fronted: words("segment/fronted_prepositions.txt", true),
            reference_headings: words("segment/reference_headings.txt", true),
            missing_space: !rules.is_disabled("seg.missing_space"),
            fronted_time: !rules.is_disabled("seg.fronted_time"),
            hard_wrap: !rules.is_disabled("seg.hard_wrap"),
        })
    }

    /// The segmentation rules, for `rules list`.
    pub fn rules(&self) -> Vec<crate::extract::RuleInfo> {
        let info = |id: &str, kind: &str, source: &str, entries: usize| crate::extract::RuleInfo {
            id: id.to_string(),
            kind: kind.to_string(),
            source: source.to_string(),
            entries,
        };
        let class_count = |c: AbbrevClass| self.abbrevs.values().filter(|&&v| v == c).count();
        let abbr = "rules/segment/abbreviations.tsv";
        vec![
            info(
                "seg.abbrev.prefix",
                "veto",
                abbr,
                class_count(AbbrevClass::Prefix),
            ),
            info(
                "seg.abbrev.number",
                "veto",
                abbr,
                class_count(AbbrevClass::Number),
            ),
            info(
                "seg.abbrev.regular",
                "veto",
                abbr,
                class_count(AbbrevClass::Regular),
            ),
            info(
                "seg.abbrev.time",
                "veto",
                abbr,
                class_count(AbbrevClass::Time),
            ),
            info(
                "seg.dotted_acronym",
                "veto",
                "rules/segment/sentence_starters.txt",
                self.starters.len(),
            ),
            info(
                "seg.fronted_time",
                "veto",
                "rules/segment/fronted_prepositions.txt",
                self.fronted.len(),
            ),
            info("seg.missing_space", "boundary", "src/segment.rs", 1),
            info("seg.hard_wrap", "layout", "src/segment.rs", 1),
            info(
                "seg.reference_heading",
                "layout",
                "rules/segment/reference_headings.txt",
                self.reference_headings.len(),
            ),
        ]
    }

    /// Fill `ann.sentences` (and `ann.title` from a leading heading).
    pub fn segment(&self, doc: &Document, ann: &mut Annotations) {
        let text = doc.text.as_str();
        let lines = self.layout(text, doc.body_start);
        let mut title_done = doc.meta.title.is_some();
        if let Some(t) = &doc.meta.title {
            ann.title = Some(t.clone());
        }
        let mut spans = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            if line.kind == LineKind::Blank {
                i += 1;
                continue;
            }
            if !title_done {
                title_done = true;
                if line.kind == LineKind::Heading {
                    ann.title = Some(title_text(&text[line.start..line.end]));
                }
            }
            // A hard-wrapped paragraph is one region; everything else is a region per line.
            let mut j = i + 1;
            if line.wrapped {
                while j < lines.len() && lines[j].wrapped && lines[j].paragraph == line.paragraph {
                    j += 1;
                }
            }
            let (start, end) = (line.start, lines[j - 1].end);
            let kind = line.kind.sentence_kind();
            spans.clear();
            match line.kind {
                LineKind::Body | LineKind::ListItem => self.split(text, start, end, &mut spans),
                _ => spans.push((start, end)),
            }
            for &(s, e) in &spans {
                ann.sentences.push(Sentence {
                    span: Span::new(s, e),
                    paragraph: line.paragraph,
                    kind,
                    citations: Vec::new(),
                });
            }
            i = j;
        }
    }

    // ---- layout ---------------------------------------------------------------------------

    fn layout(&self, text: &str, body_start: usize) -> Vec<Line> {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut pos = body_start;
        while pos < bytes.len() {
            let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |k| pos + k);
            let raw = &text[pos..nl];
            let lead = raw.len() - raw.trim_start().len();
            let content = raw.trim();
            let start = pos + lead;
            let end = start + content.len();
            lines.push(Line {
                start,
                end,
                kind: if content.is_empty() {
                    LineKind::Blank
                } else {
                    LineKind::Body
                },
                paragraph: 0,
                wrapped: false,
                verbatim: false,
            });
            pos = nl + 1;
        }

        // Paragraph numbers, Markdown headings, code fences, reference sections.
        let mut paragraph = 0usize;
        let mut in_paragraph = false;
        let mut in_code = false;
        let mut in_refs = false;
        for line in lines.iter_mut() {
            let (s, e) = (line.start, line.end);
            if line.kind == LineKind::Blank {
                if in_paragraph {
                    paragraph += 1;
                    in_paragraph = false;
                }
                continue;
            }
            let content = &text[s..e];
            let md_heading = markdown_heading(content);
            if md_heading && in_paragraph {
                paragraph += 1;
            }
            in_paragraph = true;
            line.paragraph = paragraph;
            if content.starts_with("```") || content.starts_with("~~~") {
                in_code = !in_code;
                line.verbatim = true;
                continue;
            }
            if in_code {
                line.verbatim = true;
                continue;
            }
            if self.is_reference_heading(content) {
                line.kind = LineKind::Heading;
                in_refs = true;
                continue;
            }
            if md_heading {
                line.kind = LineKind::Heading;
                in_refs = false;
                continue;
            }
            if in_refs || is_reference_line(content) {
                line.kind = LineKind::Reference;
                continue;
            }
            if content.starts_with('|') {
                line.verbatim = true;
                continue;
            }
            if list_marker_len(content).is_some() {
                line.kind = LineKind::ListItem;
            }
        }

        // Lone short lines without a final stop are headings; wrapped paragraphs are joined.
        let mut k = 0;
        while k < lines.len() {
            if lines[k].kind == LineKind::Blank {
                k += 1;
                continue;
            }
            let mut m = k + 1;
            while m < lines.len() && lines[m].kind != LineKind::Blank {
                m += 1;
            }
            let para = k..m;
            if m - k == 1 {
                let l = &mut lines[k];
                if l.kind == LineKind::Body && !l.verbatim {
                    let content = &text[l.start..l.end];
                    if !ends_with_stop(content)
                        && content.split_whitespace().count() <= HEADING_MAX_WORDS
                    {
                        l.kind = LineKind::Heading;
                    }
                }
            } else if self.hard_wrap && self.is_wrapped(text, &lines[para.clone()]) {
                for l in &mut lines[para] {
                    l.wrapped = true;
                }
            }
            k = m;
        }
        for l in &mut lines {
            if l.verbatim && l.kind == LineKind::Body {
                l.kind = LineKind::Verbatim;
            }
        }
        lines
    }

    fn is_reference_heading(&self, content: &str) -> bool {
        if content.len() > 60 {
            return false;
        }
        let t = content
            .trim_start_matches('#')
            .trim()
            .trim_matches(|c| c == '*' || c == '_')
            .trim()
            .trim_end_matches([':', '：'])
            .trim_matches(|c| c == '*' || c == '_')
            .trim();
        !t.is_empty() && with_lower(t, |l| self.reference_headings.contains(l))
    }

    /// Hard-wrapped prose: every line plain body text, no line longer than a terminal, the lines
    /// before the last of similar length, and at least half the breaks inside a sentence.
    fn is_wrapped(&self, text: &str, para: &[Line]) -> bool {
        if para
            .iter()
            .any(|l| l.kind != LineKind::Body || l.verbatim || l.end - l.start > WRAP_MAX)
        {
            return false;
        }
        let lens: Vec<usize> = para
            .iter()
            .map(|l| text[l.start..l.end].chars().count())
            .collect();
        let longest = *lens.iter().max().unwrap_or(&0);
        if longest < 40 {
            return false;
        }
        let body = &lens[..lens.len() - 1];
        if body.iter().any(|&n| n * 10 < longest * 6) {
            return false;
        }
        let soft = para[..para.len() - 1]
            .iter()
            .filter(|l| !ends_with_stop(&text[l.start..l.end]))
            .count();
        soft * 2 >= para.len() - 1
    }

    // ---- boundaries -----------------------------------------------------------------------

    /// Split the region `[start, end)` into trimmed sentence spans.
    fn split(&self, text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
        let bytes = text.as_bytes();
        let splits = inline_list_splits(text, start, end);
        let mut next_split = 0;
        let mut sent_start = start;
        let mut i = start;
        let push = |out: &mut Vec<(usize, usize)>, s: usize, e: usize| {
            let (s, e) = trim(text, s, e);
            if s < e {
                out.push((s, e));
            }
        };
        let mut leads = StopLeads::new(bytes, start, end);
        while i < end {
            // Jump to the next byte that can matter: a stop's first byte or the next list split.
            let limit = splits.get(next_split).map_or(end, |&p| p.clamp(i, end));
            i = leads.next(bytes, i).min(limit);
            if i >= end {
                break;
            }
            if next_split < splits.len() && splits[next_split] <= i {
                let p = splits[next_split];
                next_split += 1;
                if p > sent_start {
                    push(out, sent_start, p);
                    sent_start = p;
                }
            }
            let b = bytes[i];
            let stop = match b {
                b'.' => self.full_stop(text, i, sent_start, end),
                b'!' | b'?' => Some(exclaim(text, i, end)),
                0xE2 if text[i..].starts_with('…') => Some(ellipsis(text, i, i + 3, end)),
                0xE3 | 0xEF if starts_with_cjk_stop(&text[i..]) => Some(cjk_stop(text, i, end)),
                _ => None,
            };
            match stop {
                Some(Stop::Boundary { end: e, next }) => {
                    push(out, sent_start, e);
                    sent_start = next.max(e);
                    i = sent_start.max(i + 1);
                }
                Some(Stop::Skip(to)) => i = to.max(i + 1),
                None => i += 1,
            }
            while i < end && !text.is_char_boundary(i) {
                i += 1;
            }
        }
        push(out, sent_start, end);
    }

    /// Decide a `.` at `i`.
    fn full_stop(&self, text: &str, i: usize, sent_start: usize, end: usize) -> Option<Stop> {
        let bytes = text.as_bytes();
        // Dots inside brackets: "[...]", "(...)".
        if i > 0 && matches!(bytes[i - 1], b'[' | b'(') {
            let mut j = i;
            while j < end && bytes[j] == b'.' {
                j += 1;
            }
            return Some(Stop::Skip(j));
        }
        let mut run = i;
        while run < end && bytes[run] == b'.' {
            run += 1;
        }
        if run - i >= 2 {
            return Some(ellipsis(text, i, run, end));
        }
        // Spaced ellipsis ". . ." (and ". . . ." with the sentence's own stop).
        let spaced = count_spaced_dots(bytes, i + 1, end);
        if spaced >= 2 {
            let attached = i > 0 && !bytes[i - 1].is_ascii_whitespace();
            let run_end = i + 1 + spaced * 2;
            if attached && spaced >= 3 {
                // "compounds. . . . The": the attached dot ends the sentence; the spaced three
                // open the next one.
                if next_is_capital_after_space(text, run_end, end) {
                    return Some(Stop::Boundary {
                        end: i + 1,
                        next: skip_ws(bytes, i + 1, end),
                    });
                }
                return Some(Stop::Skip(run_end));
            }
            if !attached && spaced >= 3 {
                // ". . . ." — an ellipsis plus the sentence's stop.
                return Some(finish(text, run_end, end, |next| {
                    next.is_none_or(|w| w.chars().next().is_some_and(char::is_uppercase))
                }));
            }
            // Three dots mid-sentence never end it.
            return Some(Stop::Skip(run_end));
        }
        let after = i + 1;
        if after < end {
            let c = bytes[after];
            if c.is_ascii_digit() {
                return Some(Stop::Skip(after)); // 3.5, 1026.253.553, $100.00
            }
            if !c.is_ascii_whitespace() && !is_closer_start(&text[after..]) && c != b'[' {
                // Letters right after the stop: a missing space ("others.No") or a token with
                // dots inside (U.S.A., example.com, Jane.Doe).
                if self.missing_space && missing_space_boundary(text, i, end) {
                    return Some(Stop::Boundary {
                        end: after,
                        next: after,
                    });
                }
                return None;
            }
        }
        let word_start = token_start(text, sent_start, i);
        let word = strip_openers(&text[word_start..i]);
        Some(finish(text, after, end, |next| {
            self.period_ends_sentence(text, word, word_start, sent_start, next)
        }))
    }

    /// Does `word.` end a sentence, given the next word (None at the end of the region)?
    fn period_ends_sentence(
        &self,
        text: &str,
        word: &str,
        word_start: usize,
        sent_start: usize,
        next: Option<&str>,
    ) -> bool {
        let Some(next) = next else { return true };
        let first = next.chars().next().unwrap_or(' ');
        let next_is_lower = first.is_lowercase() && !next.chars().skip(1).any(char::is_uppercase);
        if next_is_lower {
            return false;
        }
        let next_is_capital = first.is_uppercase();
        if word.is_empty() {
            return true;
        }
        // A list enumerator opening the sentence: "1. The", "a. The", "• 9. The".
        if is_enumerator(word) && only_bullets_before(text, sent_start, word_start) {
            return false;
        }
        if let Some(class) = with_lower(word, |l| self.abbrevs.get(l).copied()) {
            return match class {
                AbbrevClass::Prefix => false,
                AbbrevClass::Number => !first.is_ascii_digit() && next_is_capital,
                AbbrevClass::Regular => next_is_capital || !first.is_alphanumeric(),
                AbbrevClass::Time => {
                    if !next_is_capital {
                        return !first.is_alphanumeric();
                    }
                    !(self.fronted_time && self.is_fronted_phrase(text, sent_start, word_start))
                }
            };
        }
        // Initials: "Jonas E. Smith", "A. R. Rahman" — but "you and I. Did".
        let mut chars = word.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && c.is_uppercase()
        {
            let prev = previous_word(text, sent_start, word_start);
            let prev_is_name = prev
                .is_some_and(|p| p.chars().next().is_some_and(char::is_uppercase) || is_initial(p));
            if prev_is_name || is_initial(next) {
                return false;
            }
            return true;
        }
        if is_dotted_acronym(word) {
            return !next_is_capital || self.starters.contains(first_word(next));
        }
        true
    }

    /// "At 5 a.m." — the sentence so far is a short phrase opened by a preposition.
    fn is_fronted_phrase(&self, text: &str, sent_start: usize, word_start: usize) -> bool {
        let before = &text[sent_start..word_start];
        let mut words = before.split_whitespace();
        let first = words.next();
        first.is_some_and(|w| with_lower(w, |l| self.fronted.contains(l)))
            && before.split_whitespace().count() <= 3
    }
}

/// Finds the first bytes of the stops `split` looks at in a region: `.`, `!`, `?`, and the lead
/// bytes of `…` (0xE2) and the CJK stops (0xE3, 0xEF). Two memchr3 searches (ASCII and lead
/// bytes), each remembering its next hit so the region is searched about once.
struct StopLeads {
    end: usize,
    ascii: usize,
    lead: usize,
}

impl StopLeads {
    fn new(bytes: &[u8], start: usize, end: usize) -> Self {
        StopLeads {
            end,
            ascii: find3(bytes, start, end, [b'.', b'!', b'?']),
            lead: find3(bytes, start, end, [0xE2, 0xE3, 0xEF]),
        }
    }

    /// The first stop byte at or after `i` (the region's end when none).
    fn next(&mut self, bytes: &[u8], i: usize) -> usize {
        if self.ascii < i {
            self.ascii = find3(bytes, i, self.end, [b'.', b'!', b'?']);
        }
        if self.lead < i {
            self.lead = find3(bytes, i, self.end, [0xE2, 0xE3, 0xEF]);
        }
        self.ascii.min(self.lead)
    }
}

/// First position in `from..end` holding one of three bytes, else `end`.
fn find3(bytes: &[u8], from: usize, end: usize, [a, b, c]: [u8; 3]) -> usize {
    if from >= end {
        return end;
    }
    memchr::memchr3(a, b, c, &bytes[from..end]).map_or(end, |k| from + k)
}

// ---- layout helpers ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    Body,
    Heading,
    ListItem,
    Reference,
    /// Table rows and code: a sentence per line, never split inside.
    Verbatim,
}

impl LineKind {
    fn sentence_kind(self) -> SentenceKind {
        match self {
            LineKind::Heading => SentenceKind::Heading,
            LineKind::ListItem => SentenceKind::ListItem,
            LineKind::Reference => SentenceKind::Reference,
            _ => SentenceKind::Body,
        }
    }
}

#[derive(Debug, Clone)]
struct Line {
    start: usize,
    end: usize,
    kind: LineKind,
    paragraph: usize,
    wrapped: bool,
    verbatim: bool,
}

fn markdown_heading(content: &str) -> bool {
    let hashes = content.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes)
        && content[hashes..]
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace())
}

/// `[3] https://…`, `[3] [ERROR …]`, `[^3]: …`, `[3]: https://…` outside a reference section.
fn is_reference_line(content: &str) -> bool {
    let Some(rest) = content.strip_prefix('[') else {
        return false;
    };
    let rest = rest.strip_prefix('^').unwrap_or(rest);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 || !rest[digits..].starts_with(']') {
        return false;
    }
    let after = &rest[digits + 1..];
    if content.starts_with("[^") && after.starts_with(':') {
        return true;
    }
    let after = after.strip_prefix(':').unwrap_or(after).trim_start();
    after.starts_with("http://")
        || after.starts_with("https://")
        || after.starts_with("www.")
        || after.starts_with("[ERROR")
}

/// Length of a list marker at the start of a line: bullets, `1.`, `1)`, `1.)`, `a)`, `(a)`.
fn list_marker_len(content: &str) -> Option<usize> {
    let mut chars = content.char_indices();
    let (_, c) = chars.next()?;
    if matches!(c, '•' | '⁃' | '◦' | '▪' | '‣' | '●' | '○' | '■' | '–' | '—') {
        return Some(c.len_utf8());
    }
    if matches!(c, '-' | '*' | '+') {
        return content[1..].starts_with([' ', '\t']).then_some(1);
    }
    let bytes = content.as_bytes();
    let open = usize::from(bytes[0] == b'(');
    let digits = bytes[open..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let n = if digits > 0 && digits <= 3 {
        digits
    } else if bytes.len() > open + 1 && bytes[open].is_ascii_alphabetic() {
        1
    } else {
        return None;
    };
    let rest = &content[open + n..];
    let marker = if rest.starts_with(".)") {
        2
    } else if rest.starts_with('.') || rest.starts_with(')') {
        1
    } else {
        return None;
    };
    if open == 1 && !rest.starts_with(')') {
        return None;
    }
    // A letter enumerator needs ")" or "." followed by a space ("a. The", "b) x"), and a
    // number needs the space too ("1.5 million" is not a list).
    let after = &rest[marker..];
    after.starts_with([' ', '\t']).then_some(open + n + marker)
}

fn ends_with_stop(content: &str) -> bool {
    let t = content.trim_end_matches(|c: char| {
        matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | '_') || c.is_ascii_digit()
    });
    // "[1]." and "…growth [3]" : look past trailing citation markers too.
    let t = t.trim_end_matches(['[', ' ']);
    t.ends_with(['.', '!', '?', ':', ';', '…', '。', '！', '？', '：', '；'])
}

fn title_text(line: &str) -> String {
    let t = line.trim_start_matches('#').trim();
    if !t.contains(' ') && t.contains('_') {
        t.replace('_', " ")
    } else {
        t.to_string()
    }
}

// ---- boundary helpers ----------------------------------------------------------------------

enum Stop {
    /// The sentence ends at `end`; the next starts at `next`.
    Boundary { end: usize, next: usize },
    /// Not a boundary; resume scanning at this byte.
    Skip(usize),
}

/// After a stop's last character at `after`: swallow closing quotes/brackets and citation markers,
/// find the next word, and ask `decide` whether this is a boundary.
fn finish(text: &str, after: usize, end: usize, decide: impl FnOnce(Option<&str>) -> bool) -> Stop {
    let bytes = text.as_bytes();
    let mut e = after;
    while e < end {
        if let Some(n) = closer_len(&text[e..]) {
            e += n;
        } else {
            break;
        }
    }
    e = swallow_markers(text, e, end);
    let next = skip_ws(bytes, e, end);
    let next_word = (next < end).then(|| {
        let rest = &text[next..end];
        let w = rest.split_whitespace().next().unwrap_or("");
        strip_openers(w)
    });
    // An opening quote or bracket before the next word: judge the word inside it.
    if decide(next_word.filter(|w| !w.is_empty()).or(if next < end {
        Some(&text[next..end])
    } else {
        None
    })) {
        Stop::Boundary { end: e, next }
    } else {
        Stop::Skip(e)
    }
}

/// Citation markers right after a stop, with or without spaces between: `.[7][8]`, `. [1] [2]`.
fn swallow_markers(text: &str, mut e: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        let k = skip_spaces(bytes, e, end);
        if k < end
            && bytes[k] == b'['
            && let Some(m) = marker_at(text, k).filter(|m| m.end <= end)
        {
            e = m.end;
            continue;
        }
        return e;
    }
}

fn exclaim(text: &str, i: usize, end: usize) -> Stop {
    let bytes = text.as_bytes();
    let mut j = i;
    while j < end && matches!(bytes[j], b'!' | b'?') {
        j += 1;
    }
    finish(text, j, end, |next| {
        next.is_none_or(|w| !w.chars().next().is_some_and(char::is_lowercase))
    })
}

/// "...", "....", "…": ends a sentence before a capitalised word.
fn ellipsis(text: &str, _i: usize, run_end: usize, end: usize) -> Stop {
    let bytes = text.as_bytes();
    if run_end < end
        && !bytes[run_end].is_ascii_whitespace()
        && closer_len(&text[run_end..]).is_none()
    {
        return Stop::Skip(run_end); // "mean...see"
    }
    finish(text, run_end, end, |next| {
        next.is_none_or(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
    })
}

fn starts_with_cjk_stop(s: &str) -> bool {
    s.starts_with(['。', '！', '？', '．'])
}

fn cjk_stop(text: &str, i: usize, end: usize) -> Stop {
    let mut j = i;
    while j < end {
        match text[j..].chars().next() {
            Some(c @ ('。' | '！' | '？' | '．' | '!' | '?')) => j += c.len_utf8(),
            _ => break,
        }
    }
    finish(text, j, end, |_| true)
}

fn closer_len(s: &str) -> Option<usize> {
    let c = s.chars().next()?;
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | ')' | '）' | '」' | '』' | '】' | '》' | '*' | '_'
    )
    .then(|| c.len_utf8())
}

fn is_closer_start(s: &str) -> bool {
    closer_len(s).is_some()
}

fn skip_ws(bytes: &[u8], mut k: usize, end: usize) -> usize {
    while k < end && bytes[k].is_ascii_whitespace() {
        k += 1;
    }
    k
}

fn skip_spaces(bytes: &[u8], mut k: usize, end: usize) -> usize {
    while k < end && (bytes[k] == b' ' || bytes[k] == b'\t') {
        k += 1;
    }
    k
}

/// How many " ." pairs follow position `k`.
fn count_spaced_dots(bytes: &[u8], mut k: usize, end: usize) -> usize {
    let mut n = 0;
    while k + 1 < end && bytes[k] == b' ' && bytes[k + 1] == b'.' {
        n += 1;
        k += 2;
    }
    n
}

fn next_is_capital_after_space(text: &str, k: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    if k >= end || !bytes[k].is_ascii_whitespace() {
        return false;
    }
    let n = skip_ws(bytes, k, end);
    text[n..end].chars().next().is_some_and(char::is_uppercase)
}

fn trim(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    while s < e && bytes[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && bytes[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    // Unicode spaces (no-break, ideographic) at the edges: only when an edge byte is non-ASCII
    // or a vertical tab (the one ASCII space `is_ascii_whitespace` leaves); usually neither.
    let plain = |b: u8| b < 0x80 && b != 0x0B;
    if s == e || (plain(bytes[s]) && plain(bytes[e - 1])) {
        return (s, e);
    }
    let t = &text[s..e];
    let lead = t.len() - t.trim_start().len();
    let t2 = t.trim();
    (s + lead, s + lead + t2.len())
}

/// Start of the whitespace-delimited token that ends at `i`.
fn token_start(text: &str, floor: usize, i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut k = i;
    while k > floor && !bytes[k - 1].is_ascii_whitespace() {
        k -= 1;
    }
    k
}

fn strip_openers(w: &str) -> &str {
    w.trim_start_matches(['"', '\'', '“', '‘', '(', '[', '«', '*', '_'])
}

fn first_word(w: &str) -> &str {
    let end = w
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric() && c != '\'')
        .map_or(w.len(), |(k, _)| k);
    &w[..end]
}

fn previous_word(text: &str, floor: usize, word_start: usize) -> Option<&str> {
    let before = text[floor..word_start].trim_end();
    before.split_whitespace().next_back().map(strip_openers)
}

/// "A.", "R." as a token.
fn is_initial(w: &str) -> bool {
    let mut c = w.chars();
    matches!((c.next(), c.next(), c.next()), (Some(a), Some('.'), None) if a.is_uppercase())
}

/// "1", "12", "a", "iv" — what can open a list item before a stop.
fn is_enumerator(w: &str) -> bool {
    let w = w.trim_start_matches(['•', '⁃', '◦', '▪', '‣', '-', '*']);
    (!w.is_empty() && w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit()))
        || (w.len() == 1 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        || (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b"ivxIVX".contains(&b)))
}

fn only_bullets_before(text: &str, sent_start: usize, word_start: usize) -> bool {
    text[sent_start..word_start]
        .chars()
        .all(|c| c.is_whitespace() || matches!(c, '•' | '⁃' | '◦' | '▪' | '‣' | '-' | '*'))
}

/// "U.S", "E.U", "J.P", "U.S.A" (the final stop already removed).
fn is_dotted_acronym(w: &str) -> bool {
    w.contains('.')
        && w.split('.').all(|part| {
            !part.is_empty() && part.len() <= 2 && part.chars().all(char::is_alphabetic)
        })
}

/// A `.` at `i` directly followed by a capitalised word: a boundary when the word before is
/// lowercase prose (`others.No group`, `victory".The`), not a URL, e-mail, file or dotted name.
fn missing_space_boundary(text: &str, i: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let mut k = i;
    while k > 0 && matches!(bytes[k - 1], b'"' | b'\'' | b')') {
        k -= 1;
    }
    if k < 2 || !bytes[k - 1].is_ascii_lowercase() || !bytes[k - 2].is_ascii_lowercase() {
        return false;
    }
    let rest = &text[i + 1..end];
    let mut cs = rest.chars();
    let (Some(a), Some(b)) = (cs.next(), cs.next()) else {
        return false;
    };
    if !a.is_uppercase() || !(b.is_lowercase() || b == ' ') {
        return false;
    }
    let ts = token_start(text, 0, i);
    let te = i + rest.find(char::is_whitespace).unwrap_or(rest.len()) + 1;
    let token = &text[ts..te.min(text.len())];
    !(token.contains('@') || token.contains("://") || token.contains("www."))
}

/// Positions where an inline list continues: a region that opens with `1.`/`1)`/`a.`/a bullet
/// splits before the next enumerator in sequence (`2.)`, `b.`) or the next bullet.
fn inline_list_splits(text: &str, start: usize, end: usize) -> Vec<usize> {
    let region = &text[start..end];
    let Some(first) = region.chars().next() else {
        return Vec::new();
    };
    let mut splits = Vec::new();
    if matches!(first, '•' | '⁃' | '◦' | '▪' | '‣') {
        for (k, c) in region.char_indices().skip(1) {
            if c == first && region[..k].ends_with(' ') {
                splits.push(start + k);
            }
        }
        return splits;
    }
    let Some(marker_len) = list_marker_len(region) else {
        return splits;
    };
    let marker = &region[..marker_len];
    let body = marker.trim_start_matches('(');
    let suffix_at = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let (label, suffix) = body.split_at(suffix_at);
    let prefix = if marker.starts_with('(') { "(" } else { "" };
    let next_label = |label: &str| -> Option<String> {
        if let Ok(n) = label.parse::<u32>() {
            Some((n + 1).to_string())
        } else {
            let c = label.chars().next()?;
            char::from_u32(c as u32 + 1).map(|c| c.to_string())
        }
    };
    let mut label = label.to_string();
    let mut from = marker_len;
    while let Some(next) = next_label(&label) {
        let needle = format!(" {prefix}{next}{suffix} ");
        match region[from..].find(&needle) {
            Some(k) => {
                splits.push(start + from + k + 1);
                from += k + needle.len();
                label = next;
            }
            None => break,
        }
    }
    splits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<String> {
        let seg = Segmenter::new(&RuleSet::builtin()).unwrap();
        let doc = Document::new("t", text);
        let mut ann = Annotations::default();
        seg.segment(&doc, &mut ann);
        ann.sentences
            .iter()
            .map(|s| text[s.span.start..s.span.end].to_string())
            .collect()
    }

    #[test]
    fn trim_strips_ascii_and_unicode_spaces_at_both_ends() {
        for t in [
            "",
            " ",
            "a",
            " a b ",
            "\u{a0}a\u{3000}",
            "\x0ba\x0b",
            "\t\u{a0} a \u{2009}\n",
            "é",
            " é ",
        ] {
            let (s, e) = trim(t, 0, t.len());
            let lead = t.len() - t.trim_start().len();
            assert_eq!((s, e), (lead, lead + t.trim().len()), "{t:?}");
        }
    }

    #[test]
    fn stop_leads_finds_every_stop_byte_in_order() {
        let text = "Ab. c! d? e\u{2026} f\u{3002} g\u{FF01} \u{201C}q\u{201D} \u{4E00}.x";
        let bytes = text.as_bytes();
        let wanted = |b: u8| matches!(b, b'.' | b'!' | b'?' | 0xE2 | 0xE3 | 0xEF);
        for start in 0..bytes.len() {
            for end in start..=bytes.len() {
                let mut leads = StopLeads::new(bytes, start, end);
                let mut i = start;
                let mut found = Vec::new();
                while i < end {
                    i = leads.next(bytes, i);
                    if i < end {
                        found.push(i);
                    }
                    i += 1 + i % 2; // resume one or two bytes on, as `split` may
                }
                let mut expect = Vec::new();
                let mut k = start;
                while k < end {
                    if wanted(bytes[k]) {
                        expect.push(k);
                        k += 1 + k % 2;
                    } else {
                        k += 1;
                    }
                }
                assert_eq!(found, expect, "{start}..{end}");
            }
        }
    }

    #[test]
    fn splits_after_titles_only_before_a_new_sentence() {
        assert_eq!(
            sentences("Mr. Smith met Dr. Jones at 10 a.m. on Friday. They talked."),
            [
                "Mr. Smith met Dr. Jones at 10 a.m. on Friday.",
                "They talked."
            ]
        );
    }

    #[test]
    fn dotted_acronym_ends_sentence_only_before_a_sentence_starter() {
        assert_eq!(
            sentences("Sales grew in the U.S. The U.K. Treasury disagreed."),
            ["Sales grew in the U.S.", "The U.K. Treasury disagreed."]
        );
    }

    #[test]
    fn keeps_initials_and_decimals_inside() {
        assert_eq!(
            sentences("J.P. Morgan and A. R. Rahman paid $3.5bn, up 6.25%. Next."),
            [
                "J.P. Morgan and A. R. Rahman paid $3.5bn, up 6.25%.",
                "Next."
            ]
        );
    }

    #[test]
    fn number_abbreviations_hold_before_digits() {
        assert_eq!(
            sentences("He lives at No. 10 and left on Sept. 5 with approx. 20 staff. Done."),
            [
                "He lives at No. 10 and left on Sept. 5 with approx. 20 staff.",
                "Done."
            ]
        );
    }

    #[test]
    fn company_suffix_ends_sentence_before_capital() {
        assert_eq!(
            sentences("Shares of Acme Inc. rose. They bought Widget Ltd. It paid."),
            [
                "Shares of Acme Inc. rose.",
                "They bought Widget Ltd.",
                "It paid."
            ]
        );
    }

    #[test]
    fn quotes_and_brackets_stay_with_their_stop() {
        assert_eq!(
            sentences("\"We will win,\" she said. \"Why?\" He left. (It rained.) Then sun."),
            [
                "\"We will win,\" she said.",
                "\"Why?\"",
                "He left.",
                "(It rained.)",
                "Then sun."
            ]
        );
    }

    #[test]
    fn citation_marker_after_the_stop_belongs_to_the_sentence_before() {
        assert_eq!(
            sentences("Trade grew.[3] Next year [4] it fell. [5][6] Then it rose."),
            [
                "Trade grew.[3]",
                "Next year [4] it fell. [5][6]",
                "Then it rose."
            ]
        );
    }

    #[test]
    fn missing_space_after_stop_is_a_boundary_but_not_in_urls_or_emails() {
        assert_eq!(
            sentences(
                "Some 81 were hurt.No group claimed it. Mail jane.Doe@x.org or see www.Example.com now."
            ),
            [
                "Some 81 were hurt.",
                "No group claimed it.",
                "Mail jane.Doe@x.org or see www.Example.com now."
            ]
        );
    }

    #[test]
    fn every_line_break_ends_a_sentence_in_news_layout() {
        let text = "Headline about trade\n\nBy Jane Doe\nBBC News\n\n- first point\n- second point\nBody text here.";
        assert_eq!(
            sentences(text),
            [
                "Headline about trade",
                "By Jane Doe",
                "BBC News",
                "- first point",
                "- second point",
                "Body text here."
            ]
        );
    }

    #[test]
    fn hard_wrapped_prose_is_joined() {
        let text = "The committee met on Tuesday to discuss the budget and agreed\nthat spending would rise by a small amount over the coming\nyears. The chair said little about it.\n";
        assert_eq!(sentences(text).len(), 2);
        assert!(sentences(text)[0].ends_with("coming\nyears."));
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            sentences("I never meant that.... She left. Wait ... what? Yes . . . no."),
            [
                "I never meant that....",
                "She left.",
                "Wait ... what?",
                "Yes . . . no."
            ]
        );
    }

    #[test]
    fn inline_lists_split_before_each_item() {
        assert_eq!(
            sentences("1) one thing 2) another thing 3) last"),
            ["1) one thing", "2) another thing", "3) last"]
        );
    }

    #[test]
    fn chinese_stops_need_no_space() {
        assert_eq!(
            sentences("日本人口老龄化。消费潜力巨大！"),
            ["日本人口老龄化。", "消费潜力巨大！"]
        );
    }

    #[test]
    fn kinds_of_lines() {
        let text = "# Title\n\nText here [1].\n\n- item one\n\n## References\n[1] https://a.example/x - A page\n";
        let seg = Segmenter::new(&RuleSet::builtin()).unwrap();
        let doc = Document::new("t", text);
        let mut ann = Annotations::default();
        seg.segment(&doc, &mut ann);
        let kinds: Vec<_> = ann.sentences.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["heading", "body", "list_item", "heading", "reference"]
        );
        assert_eq!(ann.title.as_deref(), Some("Title"));
        let paras: Vec<_> = ann.sentences.iter().map(|s| s.paragraph).collect();
        assert_eq!(paras, [0, 1, 2, 3, 3]);
    }

    #[test]
    fn crlf_line_ends_are_not_part_of_sentences() {
        assert_eq!(sentences("One.\r\nTwo.\r\n"), ["One.", "Two."]);
    }
}
