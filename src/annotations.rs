//! What the stages find in one document, in **byte** offsets into `Document::text`.
//!
//! Each stage reads what earlier stages produced (targets read money and dates; every mention
//! reads the sentences) and appends its own list. `record.rs` turns this into the `newsextract/1`
//! record, converting offsets to code points once.

use std::sync::Arc;

/// A half-open byte range into the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A stable rule id (`gaz.countries`, `money.symbol_magnitude`, …). Ids are interned for the
/// life of the process, so a clone copies a reference: with `Arc<str>`, every mention's clone
/// and drop made the worker threads contend for the same reference counters. Ids are few (the
/// rule files name some hundreds) and interning the same id again reuses it, so building rule
/// sets over and over (tests, `--rules` reloads) does not grow memory.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(&'static str);

impl RuleId {
    pub fn new(id: &str) -> RuleId {
        static IDS: std::sync::Mutex<Option<std::collections::HashSet<&'static str>>> =
            std::sync::Mutex::new(None);
        let mut ids = IDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let ids = ids.get_or_insert_with(Default::default);
        if let Some(&known) = ids.get(id) {
            return RuleId(known);
        }
        let leaked: &'static str = Box::leak(Box::<str>::from(id));
        ids.insert(leaked);
        RuleId(leaked)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl From<&str> for RuleId {
    fn from(id: &str) -> RuleId {
        RuleId::new(id)
    }
}

impl std::ops::Deref for RuleId {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for RuleId {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl std::fmt::Debug for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentenceKind {
    Body,
    Heading,
    ListItem,
    Reference,
}

impl SentenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SentenceKind::Body => "body",
            SentenceKind::Heading => "heading",
            SentenceKind::ListItem => "list_item",
            SentenceKind::Reference => "reference",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sentence {
    pub span: Span,
    pub paragraph: usize,
    pub kind: SentenceKind,
    /// Indexes into `Annotations::citations`.
    pub citations: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub span: Span,
    /// OntoNotes label: PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, LAW, PRODUCT.
    pub label: &'static str,
    pub sentence: usize,
    /// Shared: the entities stage hands out one string per gazetteer entry.
    pub norm: Arc<str>,
    pub kb_id: Option<Arc<str>>,
    pub rule: RuleId,
}

#[derive(Debug, Clone)]
pub struct Money {
    pub span: Span,
    pub sentence: usize,
    pub amount: f64,
    /// ISO 4217 code, `None` when the text does not say which.
    pub currency: Option<String>,
    pub amount_max: Option<f64>,
    /// `approx`, `min`, `max`, `between`, …
    pub qualifier: Option<&'static str>,
    pub rule: RuleId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimexType {
    Date,
    Time,
    Duration,
    Set,
}

impl TimexType {
    pub fn as_str(self) -> &'static str {
        match self {
            TimexType::Date => "DATE",
            TimexType::Time => "TIME",
            TimexType::Duration => "DURATION",
            TimexType::Set => "SET",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DateMention {
    pub span: Span,
    pub sentence: usize,
    pub timex_type: TimexType,
    /// TIMEX3 value: `2026-05-20`, `2026-W21`, `P3Y`, `PRESENT_REF`, …
    pub value: String,
    /// TIMEX3 mod: `START`, `MID`, `END`, `EARLY`, `LATE`, `APPROX`, …
    pub timex_mod: Option<&'static str>,
    pub rule: RuleId,
}

#[derive(Debug, Clone)]
pub struct Citation {
    pub span: Span,
    /// The numbers in the marker (`[2-4]` → 2, 3, 4); empty for `[citation needed]`.
    pub refs: Vec<u32>,
    pub sentence: usize,
}

#[derive(Debug, Clone)]
pub struct Reference {
    pub id: u32,
    /// The reference line, trimmed (byte span into the text).
    pub span: Span,
    pub url: Option<Span>,
    pub title: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Target {
    /// Index into `Annotations::money`.
    pub money: usize,
    /// Index into `Annotations::dates`.
    pub deadline: Option<usize>,
    pub metric: Option<String>,
    pub cue: String,
    pub sentence: usize,
    pub rule: RuleId,
}

/// A candidate a stage considered and dropped (overlap, veto), kept only when tracing for
/// `explain`.
#[derive(Debug, Clone)]
pub struct Dropped {
    pub stage: &'static str,
    pub span: Span,
    pub what: String,
    pub rule: String,
    pub reason: String,
}

/// Everything found in one document.
#[derive(Debug, Default, Clone)]
pub struct Annotations {
    pub title: Option<String>,
    pub lang: Option<&'static str>,
    pub published: Option<String>,
    /// `input`, `front_matter`, `option`, `dateline`, `text`.
    pub published_source: Option<&'static str>,
    pub sentences: Vec<Sentence>,
    pub entities: Vec<Entity>,
    pub money: Vec<Money>,
    pub dates: Vec<DateMention>,
    pub citations: Vec<Citation>,
    pub references: Vec<Reference>,
    pub targets: Vec<Target>,
    pub warnings: Vec<String>,
    /// `Some` when the caller wants dropped candidates (explain).
    pub trace: Option<Vec<Dropped>>,
}

impl Annotations {
    /// Index of the sentence that contains byte `pos`; a position between sentences goes to the
    /// sentence before it (0 when before the first).
    pub fn sentence_at(&self, pos: usize) -> usize {
        match self.sentences.binary_search_by(|s| {
            if s.span.end <= pos {
                std::cmp::Ordering::Less
            } else if s.span.start > pos {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        }) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Record a dropped candidate when tracing; free otherwise.
    pub fn dropped(
        &mut self,
        stage: &'static str,
        span: Span,
        what: impl FnOnce() -> String,
        rule: &str,
        reason: impl FnOnce() -> String,
    ) {
        if let Some(trace) = &mut self.trace {
            trace.push(Dropped {
                stage,
                span,
                what: what(),
                rule: rule.to_string(),
                reason: reason(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(start: usize, end: usize) -> Sentence {
        Sentence {
            span: Span::new(start, end),
            paragraph: 0,
            kind: SentenceKind::Body,
            citations: vec![],
        }
    }

    #[test]
    fn sentence_at_finds_containing_sentence_and_falls_back_to_previous() {
        let ann = Annotations {
            sentences: vec![sent(0, 10), sent(12, 20), sent(22, 30)],
            ..Default::default()
        };
        assert_eq!(ann.sentence_at(0), 0);
        assert_eq!(ann.sentence_at(9), 0);
        assert_eq!(ann.sentence_at(11), 0);
        assert_eq!(ann.sentence_at(12), 1);
        assert_eq!(ann.sentence_at(29), 2);
        assert_eq!(ann.sentence_at(100), 2);
    }

    #[test]
    fn rule_ids_are_interned_once() {
        let a = RuleId::new("test.interned_once");
        let b = RuleId::from(String::from("test.interned_once").as_str());
        assert_eq!(a, b);
        assert!(
            std::ptr::eq(a.as_str(), b.as_str()),
            "the same id is one string"
        );
        let c = RuleId::new("test.interned_other");
        assert_ne!(a, c);
        assert_eq!(&*c, "test.interned_other");
        assert_eq!(
            format!("{a} {a:?}"),
            "test.interned_once \"test.interned_once\""
        );
    }
}
