//! The per-document pipeline: segment, then every extractor in order, each stage timed; and the
//! isolation of one document's failure (an error or a panic) from the rest of the run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use crate::annotations::Annotations;
use crate::corpus::{self, DocError, Item};
use crate::document::Document;
use crate::extract::{self, Extractor, Options};
use crate::record::{FlatLines, Record};
use crate::rules::{RuleError, RuleSet};
use crate::segment::Segmenter;

/// Stage names in pipeline order, as they appear in `run.json` timings.
pub fn stage_names(p: &Pipeline) -> Vec<&'static str> {
    let mut names = vec!["read", "segment"];
    names.extend(p.extractors.iter().map(|e| e.name()));
    names.push("serialise");
    names
}

/// Nanoseconds per stage for one or many documents (same order as [`stage_names`]).
#[derive(Debug, Clone, Default)]
pub struct StageTimes(pub Vec<u64>);

impl StageTimes {
    pub fn add(&mut self, other: &StageTimes) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a += b;
        }
    }
    fn record(&mut self, stage: usize, since: Instant) -> Instant {
        let now = Instant::now();
        if self.0.len() <= stage {
            self.0.resize(stage + 1, 0);
        }
        self.0[stage] += (now - since).as_nanos() as u64;
        now
    }
}

/// Segmenter and extractors, compiled once per run and shared by all threads.
pub struct Pipeline {
    segmenter: Segmenter,
    extractors: Vec<Box<dyn Extractor>>,
    options: Options,
}

impl Pipeline {
    pub fn new(rules: &RuleSet, opts: &Options) -> Result<Self, RuleError> {
        Ok(Pipeline {
            segmenter: Segmenter::new(rules)?,
            extractors: extract::build_all(rules, opts)?,
            options: opts.clone(),
        })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// What building each stage cost, for `rules list` (stage name, note).
    pub fn build_notes(&self) -> Vec<(&'static str, String)> {
        self.extractors
            .iter()
            .filter_map(|e| e.build_note().map(|n| (e.name(), n)))
            .collect()
    }

    /// Every compiled rule, for `rules list`.
    pub fn rule_infos(&self) -> Vec<extract::RuleInfo> {
        let mut v = self.segmenter.rules();
        for e in &self.extractors {
            v.extend(e.rules());
        }
        v
    }

    /// Annotate one document.
    pub fn process(&self, doc: &Document) -> Annotations {
        self.annotate(doc, false)
    }

    /// Annotate one document, keeping dropped candidates (for `explain`).
    pub fn process_traced(&self, doc: &Document) -> Annotations {
        self.annotate(doc, true)
    }

    fn annotate(&self, doc: &Document, trace: bool) -> Annotations {
        let mut ann = empty_annotations(doc, trace);
        self.segment(doc, &mut ann);
        for e in &self.extractors {
            e.extract(doc, &mut ann);
        }
        ann
    }

    /// The first stage: language guess, paragraphs and sentences.
    fn segment(&self, doc: &Document, ann: &mut Annotations) {
        ann.lang = detect_lang(&doc.text[doc.body_start..]);
        self.segmenter.segment(doc, ann);
    }

    /// Read, decode, annotate and serialise one item into `out` (one JSON line, with `\n`).
    /// Failures — unreadable input, or a panic inside a stage — come back as errors; `out` is
    /// then untouched.
    pub fn run_item(
        &self,
        item: &Item,
        max_doc_bytes: u64,
        out: &mut Vec<u8>,
        flat: Option<&mut FlatLines>,
        times: &mut StageTimes,
    ) -> Result<(), DocError> {
        let want_flat = flat.is_some();
        let done = self
            .run_batch(&[item], max_doc_bytes, want_flat, times)
            .pop()
            .unwrap_or_else(|| Err(DocError::new("internal", "no outcome")))?;
        out.extend_from_slice(&done.line);
        if let (Some(flat), Some(rows)) = (flat, done.flat) {
            *flat = rows;
        }
        Ok(())
    }

    /// Read, decode, annotate and serialise a batch of items, one outcome per item in order.
    ///
    /// Stage-major: each stage runs over every document of the batch before the next stage
    /// starts, so its compiled rules (the dates automaton, the gazetteer tables) stay in the
    /// core's cache instead of being evicted by the other stages at every document. A panic
    /// inside a stage fails that document only (an `internal` error); the others go on.
    pub fn run_batch(
        &self,
        items: &[&Item],
        max_doc_bytes: u64,
        flat: bool,
        times: &mut StageTimes,
    ) -> Vec<Result<Done, DocError>> {
        let mut t = Instant::now();
        let mut slots: Vec<Result<(Document, Annotations), DocError>> = items
            .iter()
            .map(|item| {
                corpus::load(item, max_doc_bytes).map(|doc| {
                    let ann = spare::take(&doc);
                    (doc, ann)
                })
            })
            .collect();
        t = times.record(0, t);
        for_each_guarded(&mut slots, |doc, ann| self.segment(doc, ann));
        t = times.record(1, t);
        for (k, e) in self.extractors.iter().enumerate() {
            for_each_guarded(&mut slots, |doc, ann| e.extract(doc, ann));
            t = times.record(2 + k, t);
        }
        let done = slots
            .into_iter()
            .map(|slot| {
                let (doc, ann) = slot?;
                let serialised = catch_unwind(AssertUnwindSafe(|| {
                    let record = Record::build(&doc, &ann);
                    // Records run about 3.5 times the text; size the line once.
                    let mut line = Vec::with_capacity(doc.text.len() * 4 + 1024);
                    record.write_json(&mut line);
                    line.push(b'\n');
                    let rows = if flat {
                        let mut rows = FlatLines::default();
                        record.write_flat(&mut rows).map_err(|e| e.to_string())?;
                        Some(rows)
                    } else {
                        None
                    };
                    Ok::<Done, String>(Done { line, flat: rows })
                }));
                spare::give(ann);
                match serialised {
                    Ok(Ok(done)) => Ok(done),
                    Ok(Err(msg)) => Err(DocError::new(
                        "internal",
                        format!("serialisation failed: {msg}"),
                    )),
                    Err(panic) => Err(panic_error(panic)),
                }
            })
            .collect();
        times.record(2 + self.extractors.len(), t);
        done
    }
}

/// One document's output: its JSON line (with `\n`) and, with `--flat`, its table rows.
pub struct Done {
    pub line: Vec<u8>,
    pub flat: Option<FlatLines>,
}

/// A document's annotations before any stage: its metadata's date (and, traced, a list of
/// dropped candidates for `explain`).
fn empty_annotations(doc: &Document, trace: bool) -> Annotations {
    Annotations {
        published: doc.meta.published.clone(),
        published_source: doc.meta.published_source,
        trace: trace.then(Vec::new),
        ..Default::default()
    }
}

/// Annotations whose lists are kept, emptied, for the thread's next documents: a document's
/// sentences, entities and dates otherwise grow their lists from nothing, reallocating as
/// they go, and free them at the end.
mod spare {
    use std::cell::RefCell;

    use super::{Annotations, Document, empty_annotations};

    /// One batch's worth (documents are processed a batch at a time).
    const KEEP: usize = 64;
    /// A list that grew past this many items (a huge document) is not kept.
    const MAX_ITEMS: usize = 4096;

    thread_local! {
        static SPARE: RefCell<Vec<Annotations>> = const { RefCell::new(Vec::new()) };
    }

    /// Fresh annotations for `doc`, with the lists of a spare one when there is one.
    pub fn take(doc: &Document) -> Annotations {
        let mut ann = empty_annotations(doc, false);
        if let Some(old) = SPARE.with(|s| s.borrow_mut().pop()) {
            // Field by field: a field added later simply starts empty.
            ann.sentences = old.sentences;
            ann.entities = old.entities;
            ann.money = old.money;
            ann.dates = old.dates;
            ann.citations = old.citations;
            ann.references = old.references;
            ann.targets = old.targets;
        }
        ann
    }

    /// Keep `ann`'s lists, emptied, for a later [`take`] on this thread.
    pub fn give(mut ann: Annotations) {
        /// Empties a list; whether it is small enough to keep.
        fn empty<T>(list: &mut Vec<T>) -> bool {
            list.clear();
            list.capacity() <= MAX_ITEMS
        }
        let small = empty(&mut ann.sentences)
            & empty(&mut ann.entities)
            & empty(&mut ann.money)
            & empty(&mut ann.dates)
            & empty(&mut ann.citations)
            & empty(&mut ann.references)
            & empty(&mut ann.targets);
        if !small {
            return;
        }
        SPARE.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < KEEP {
                s.push(ann);
            }
        });
    }
}

/// Runs `f` on every document still alive; a panic turns that document into an error.
fn for_each_guarded(
    slots: &mut [Result<(Document, Annotations), DocError>],
    mut f: impl FnMut(&Document, &mut Annotations),
) {
    for slot in slots.iter_mut() {
        let Ok((doc, ann)) = slot else { continue };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| f(doc, ann))) {
            *slot = Err(panic_error(panic));
        }
    }
}

fn panic_error(panic: Box<dyn std::any::Any + Send>) -> DocError {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    DocError::new("internal", format!("panic while processing: {msg}"))
}

/// A cheap language guess from the script and English function words: `zh`, `ja`, `ko`, `en`,
/// or `None` when undecided. Looks at the first 1 KB only, in one pass.
pub fn detect_lang(text: &str) -> Option<&'static str> {
    let mut end = text.len().min(1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let (mut latin, mut han, mut kana, mut hangul) = (0usize, 0usize, 0usize, 0usize);
    let (mut words, mut common) = (0usize, 0usize);
    // The current word: its length in letters and its first four letters, lowercased.
    let mut len = 0usize;
    let mut head = [0u8; 4];
    // Byte loop: ASCII (most text) is classified without decoding chars; a run of ASCII letters
    // is taken whole.
    let bytes = sample.as_bytes();
    let mut i = 0;
    // Every so often: stop early when the rest of the sample can no longer change the answer.
    let mut next_check = 256;
    while i < bytes.len() {
        if i >= next_check {
            next_check = i + 128;
            let rest = bytes.len() - i;
            if surely_english(latin, (han + kana + hangul) * 3, words, common, rest) {
                return Some("en");
            }
        }
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            let start = i;
            i = crate::text::ascii_letters_end(bytes, i + 1);
            let run = &bytes[start..i];
            // A run after a word's start (a non-ASCII letter, len >= 5) leaves the word longer
            // than a common one; so `head` matters only for a short run opening its word.
            if len == 0 && run.len() <= 4 {
                for (h, l) in head.iter_mut().zip(run) {
                    *h = l.to_ascii_lowercase();
                }
            }
            latin += run.len();
            len += run.len();
            // an ASCII non-letter (or the end) ends the word here; it counts for nothing else
            if bytes.get(i).is_none_or(|&n| n < 0x80) {
                end_word(&mut len, &head, &mut words, &mut common);
                i += 1;
            }
            continue;
        }
        if b < 0x80 {
            i += 1;
            end_word(&mut len, &head, &mut words, &mut common);
            continue;
        }
        let Some(c) = sample[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        match c {
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => han += 1,
            '\u{3040}'..='\u{30FF}' => kana += 1,
            '\u{AC00}'..='\u{D7AF}' => hangul += 1,
            c if c.is_alphabetic() => {
                len += 5; // a non-ASCII letter: part of a word, never a common English one
                continue;
            }
            _ => {}
        }
        end_word(&mut len, &head, &mut words, &mut common);
    }
    end_word(&mut len, &head, &mut words, &mut common);
    verdict(latin, [han, kana, hangul], words, common)
}

/// The guess from a sample's counts: Latin letters, CJK chars (han, kana, hangul), words and
/// common English words among them.
fn verdict(
    latin: usize,
    [han, kana, hangul]: [usize; 3],
    words: usize,
    common: usize,
) -> Option<&'static str> {
    // A CJK character carries about as much as a word of 3-4 Latin letters.
    let cjk = (han + kana + hangul) * 3;
    if cjk > latin {
        return Some(if kana * 5 > han {
            "ja"
        } else if hangul > han {
            "ko"
        } else {
            "zh"
        });
    }
    (words >= 3 && common * 100 >= words * 8).then_some("en")
}

/// Whether the guess is "en" whatever the last `rest` bytes of the sample hold, given the
/// counts so far (a word may be in progress): CJK can gain at most one point per byte (3 per
/// 3-byte character) and the words at most one per two bytes, plus the one in progress, none of
/// them common.
fn surely_english(latin: usize, cjk: usize, words: usize, common: usize, rest: usize) -> bool {
    let max_words = words + 1 + rest.div_ceil(2);
    cjk + rest <= latin && words >= 3 && common * 100 >= max_words * 8
}

/// Close the current word (if any): count it, and count it as common English when it is one.
#[inline(always)]
fn end_word(len: &mut usize, head: &[u8; 4], words: &mut usize, common: &mut usize) {
    if *len > 0 {
        *words += 1;
        if *len <= 4 && is_common_english(&head[..*len]) {
            *common += 1;
        }
    }
    *len = 0;
}

fn is_common_english(w: &[u8]) -> bool {
    matches!(
        w,
        b"the"
            | b"of"
            | b"and"
            | b"to"
            | b"in"
            | b"a"
            | b"is"
            | b"for"
            | b"that"
            | b"on"
            | b"was"
            | b"with"
            | b"said"
            | b"it"
            | b"as"
            | b"at"
            | b"by"
            | b"he"
            | b"has"
            | b"from"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The char-by-char version `detect_lang` replaced: both must agree on every text.
    fn detect_lang_by_chars(text: &str) -> Option<&'static str> {
        let mut end = text.len().min(1024);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let (mut latin, mut han, mut kana, mut hangul) = (0usize, 0usize, 0usize, 0usize);
        let (mut words, mut common) = (0usize, 0usize);
        let mut len = 0usize;
        let mut head = [0u8; 4];
        let mut end_word = |len: &mut usize, head: &[u8; 4]| {
            if *len > 0 {
                words += 1;
                if *len <= 4 && is_common_english(&head[..*len]) {
                    common += 1;
                }
            }
            *len = 0;
        };
        for c in text[..end].chars() {
            match c {
                'a'..='z' | 'A'..='Z' => {
                    latin += 1;
                    if len < 4 {
                        head[len] = c.to_ascii_lowercase() as u8;
                    }
                    len += 1;
                    continue;
                }
                '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => han += 1,
                '\u{3040}'..='\u{30FF}' => kana += 1,
                '\u{AC00}'..='\u{D7AF}' => hangul += 1,
                c if c.is_alphabetic() => {
                    len += 5;
                    continue;
                }
                _ => {}
            }
            end_word(&mut len, &head);
        }
        end_word(&mut len, &head);
        // (the counting is what the two differ in; the verdict from the counts is shared)
        verdict(latin, [han, kana, hangul], words, common)
    }

    #[test]
    fn byte_loop_agrees_with_the_char_loop() {
        let texts = [
            "The minister said that the plan was on track.",
            "THE Of aNd tO in A iS fOr tHaT oN wAs WiTh SAID it AS at BY he HAS from",
            "Théâtre of the año and übermäßig, in the naïve café, said he.",
            "Ünd the ünd of ünd a ünd to ünd",
            "thé of thé and thé to thé a",
            "日本老年人口的消费潜力分析报告 the of and",
            "ひらがなカタカナ 漢字 한국어 문장 the",
            "한국어 문장입니다 그리고",
            "ab1the2of3and4to the\tof\nand",
            "",
            "a",
            "\u{2028}the\u{a0}of\u{3000}and to",
        ];
        for t in texts {
            assert_eq!(detect_lang(t), detect_lang_by_chars(t), "{t:?}");
        }
        // early stops: English long enough to decide, then anything after it
        for tail in [
            "日本老年人口的消费潜力分析报告",
            "xyzzy qwrtp ",
            "the of and ",
            "한국어 문장 ",
        ] {
            for n in [0, 10, 40, 100, 200] {
                for lead in [20, 40, 60, 90] {
                    let t = format!(
                        "{}{}",
                        "the plan was said to be on track and "
                            .repeat(lead / 10 + 1)
                            .chars()
                            .take(lead * 10)
                            .collect::<String>(),
                        tail.repeat(n)
                    );
                    assert_eq!(detect_lang(&t), detect_lang_by_chars(&t), "{t:?}");
                }
            }
        }
        // the 1 KB cut inside a multi-byte char, and words across it
        let long = format!("{}é the of and to {}", "x".repeat(1022), "the ".repeat(50));
        assert_eq!(detect_lang(&long), detect_lang_by_chars(&long));
        let long = "the of ünd to ".repeat(200);
        for cut in (0..1100).filter(|&c| long.is_char_boundary(c)) {
            assert_eq!(
                detect_lang(&long[..cut]),
                detect_lang_by_chars(&long[..cut])
            );
        }
    }

    #[test]
    fn spare_annotations_come_back_empty_with_their_lists() {
        let p = Pipeline::new(&RuleSet::builtin(), &Options::default()).expect("builtin rules");
        let doc = Document::new(
            "a",
            "Italy and India met in Rome on 20 May 2026. Trade rose.",
        );
        let mut ann = spare::take(&doc);
        p.segment(&doc, &mut ann);
        for e in &p.extractors {
            e.extract(&doc, &mut ann);
        }
        assert!(!ann.sentences.is_empty() && !ann.entities.is_empty() && !ann.dates.is_empty());
        let kept = ann.entities.capacity();
        spare::give(ann);
        let other = Document::new("b", "No names here.");
        let again = spare::take(&other);
        assert!(again.sentences.is_empty() && again.entities.is_empty() && again.dates.is_empty());
        assert!(again.title.is_none() && again.warnings.is_empty());
        assert_eq!(again.entities.capacity(), kept, "the list itself is reused");
    }

    #[test]
    fn guesses_english_and_chinese() {
        assert_eq!(
            detect_lang("The minister said that the plan was on track."),
            Some("en")
        );
        assert_eq!(detect_lang("日本老年人口的消费潜力分析报告"), Some("zh"));
        assert_eq!(
            detect_lang("Der Minister sagte, dass der Plan gut sei."),
            None
        );
    }

    #[test]
    fn a_panic_in_a_batch_fails_only_its_document() {
        struct BoomOn;
        impl Extractor for BoomOn {
            fn name(&self) -> &'static str {
                "boom_on"
            }
            fn extract(&self, doc: &Document, _: &mut Annotations) {
                if doc.text.contains("boom") {
                    panic!("stage exploded");
                }
            }
        }
        let rules = RuleSet::builtin();
        let mut p = Pipeline::new(&rules, &Options::default()).unwrap();
        p.extractors.insert(0, Box::new(BoomOn));
        let items: Vec<Item> = ["Rome is calm.", "A boom here.", "Paris is calm."]
            .iter()
            .enumerate()
            .map(|(i, t)| Item::Inline {
                source: "-".into(),
                line: i as u64 + 1,
                raw: serde_json::json!({"doc_id": format!("d{i}"), "text": t}).to_string(),
            })
            .collect();
        let refs: Vec<&Item> = items.iter().collect();
        let out = p.run_batch(&refs, 1 << 20, false, &mut StageTimes::default());
        assert_eq!(out.len(), 3);
        let err = out[1].as_ref().err().expect("the middle document fails");
        assert_eq!(err.kind, "internal");
        // the others ran every stage after the failing one, entities included
        for (k, city) in [(0, "Rome"), (2, "Paris")] {
            let line = String::from_utf8(out[k].as_ref().unwrap().line.clone()).unwrap();
            assert!(line.contains(&format!("\"text\":\"{city}\"")), "{line}");
        }
    }

    #[test]
    fn a_panicking_stage_becomes_an_internal_error() {
        struct Boom;
        impl Extractor for Boom {
            fn name(&self) -> &'static str {
                "boom"
            }
            fn extract(&self, _: &Document, _: &mut Annotations) {
                panic!("stage exploded");
            }
        }
        let rules = RuleSet::builtin();
        let mut p = Pipeline::new(&rules, &Options::default()).unwrap();
        p.extractors.push(Box::new(Boom));
        let item = Item::Inline {
            source: "-".into(),
            line: 1,
            raw: r#"{"doc_id":"a","text":"Hello."}"#.into(),
        };
        let mut out = Vec::new();
        let err = p
            .run_item(&item, 1 << 20, &mut out, None, &mut StageTimes::default())
            .unwrap_err();
        assert_eq!(err.kind, "internal");
        assert!(err.message.contains("stage exploded"));
        assert!(out.is_empty());
    }
}
