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
        self.process_timed(doc, &mut StageTimes::default(), false)
    }

    /// Annotate one document, keeping dropped candidates (for `explain`).
    pub fn process_traced(&self, doc: &Document) -> Annotations {
        self.process_timed(doc, &mut StageTimes::default(), true)
    }

    fn process_timed(&self, doc: &Document, times: &mut StageTimes, trace: bool) -> Annotations {
        let mut ann = Annotations {
            published: doc.meta.published.clone(),
            published_source: doc.meta.published_source,
            trace: trace.then(Vec::new),
            ..Default::default()
        };
        let mut t = Instant::now();
        ann.lang = detect_lang(&doc.text[doc.body_start..]);
        self.segmenter.segment(doc, &mut ann);
        t = times.record(1, t);
        for (k, e) in self.extractors.iter().enumerate() {
            e.extract(doc, &mut ann);
            t = times.record(2 + k, t);
        }
        ann
    }

    /// Read, decode, annotate and serialise one item into `out` (one JSON line, with `\n`).
    /// Failures — unreadable input, or a panic inside a stage — come back as errors; `out` is
    /// then untouched.
    pub fn run_item(
        &self,
        item: &Item,
        max_doc_bytes: u64,
        out: &mut Vec<u8>,
        mut flat: Option<&mut FlatLines>,
        times: &mut StageTimes,
    ) -> Result<(), DocError> {
        let t = Instant::now();
        let doc = corpus::load(item, max_doc_bytes)?;
        times.record(0, t);
        let start = out.len();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let ann = self.process_timed(&doc, times, false);
            let t = Instant::now();
            let record = Record::build(&doc, &ann);
            serde_json::to_writer(&mut *out, &record).map_err(|e| e.to_string())?;
            out.push(b'\n');
            if let Some(flat) = flat.as_deref_mut() {
                record.write_flat(flat).map_err(|e| e.to_string())?;
            }
            times.record(2 + self.extractors.len(), t);
            Ok::<(), String>(())
        }));
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(msg)) => {
                out.truncate(start);
                if let Some(flat) = flat {
                    *flat = FlatLines::default();
                }
                Err(DocError::new(
                    "internal",
                    format!("serialisation failed: {msg}"),
                ))
            }
            Err(panic) => {
                out.truncate(start);
                if let Some(flat) = flat {
                    *flat = FlatLines::default();
                }
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                Err(DocError::new(
                    "internal",
                    format!("panic while processing: {msg}"),
                ))
            }
        }
    }
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
    let mut end_word = |len: &mut usize, head: &[u8; 4]| {
        if *len > 0 {
            words += 1;
            if *len <= 4 && is_common_english(&head[..*len]) {
                common += 1;
            }
        }
        *len = 0;
    };
    for c in sample.chars() {
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
                len += 5; // a non-ASCII letter: part of a word, never a common English one
                continue;
            }
            _ => {}
        }
        end_word(&mut len, &head);
    }
    end_word(&mut len, &head);
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
