//! Extractors: one module each, behind one trait. The pipeline runs them in order, after
//! segmentation, on one document at a time; each reads what earlier ones produced.

use crate::annotations::Annotations;
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub mod citations;
pub mod dates;
pub mod entities;
pub mod fx;
pub mod money;
pub mod targets;

/// Run options that change what extractors produce (not where input comes from).
#[derive(Debug, Clone)]
pub struct Options {
    /// ISO code a bare `$` stands for (`--default-dollar`).
    pub default_dollar: String,
    /// `--published YYYY-MM-DD`: the anchor for documents that carry no date of their own.
    pub published: Option<String>,
    /// Read `03/04/2026` as day/month (true) or month/day (false).
    pub day_first: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            default_dollar: "USD".to_string(),
            published: None,
            day_first: true,
        }
    }
}

/// One extraction stage. Built once per run from the rules (compiling everything it needs),
/// shared read-only across threads, called once per document.
pub trait Extractor: Send + Sync {
    /// Stage name, used for timings and `explain` (`dates`, `money`, `entities`, `targets`).
    fn name(&self) -> &'static str;
    /// Append this stage's mentions to `ann`. Must not panic on any text.
    fn extract(&self, doc: &Document, ann: &mut Annotations);
    /// The rules this stage compiled, for `rules list` (id, kind, source file, entries).
    fn rules(&self) -> Vec<RuleInfo> {
        Vec::new()
    }
    /// A line on what building this stage cost (time, memory), for `rules list`.
    fn build_note(&self) -> Option<String> {
        None
    }
}

/// One compiled rule or list, as `rules list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub kind: String,
    pub source: String,
    pub entries: usize,
}

/// All extractors in pipeline order: citations (markers and references), dates (anchors and
/// deadlines), money, entities, and targets (which link money to dates).
pub fn build_all(rules: &RuleSet, opts: &Options) -> Result<Vec<Box<dyn Extractor>>, RuleError> {
    // the entity lexicon is most of the start-up: the other extractors compile beside it
    // (errors are reported in the same order as when built one after the other)
    let (others, entities) = std::thread::scope(|s| {
        let others = s.spawn(|| -> Result<_, RuleError> {
            Ok((
                citations::CitationExtractor::new(rules, opts)?,
                dates::DateExtractor::new(rules, opts)?,
                money::MoneyExtractor::new(rules, opts)?,
            ))
        });
        let entities = entities::EntityExtractor::new(rules, opts);
        let others = others
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (others, entities)
    });
    let (citations, dates, money) = others?;
    Ok(vec![
        Box::new(citations),
        Box::new(dates),
        Box::new(money),
        Box::new(entities?),
        Box::new(targets::TargetExtractor::new(rules, opts)?),
    ])
}
