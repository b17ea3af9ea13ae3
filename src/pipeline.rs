//! The per-document pipeline: segment, then every extractor in order.
use crate::annotations::Annotations;
use crate::document::Document;
use crate::extract::{self, Extractor, Options};
use crate::rules::{RuleError, RuleSet};
use crate::segment::Segmenter;

pub struct Pipeline {
    segmenter: Segmenter,
    extractors: Vec<Box<dyn Extractor>>,
}

impl Pipeline {
    pub fn new(rules: &RuleSet, opts: &Options) -> Result<Self, RuleError> {
        Ok(Pipeline {
            segmenter: Segmenter::new(rules)?,
            extractors: extract::build_all(rules, opts)?,
        })
    }

    pub fn process(&self, doc: &Document) -> Annotations {
        let mut ann = Annotations {
            published: doc.meta.published.clone(),
            published_source: doc.meta.published_source,
            ..Default::default()
        };
        self.segmenter.segment(doc, &mut ann);
        for e in &self.extractors {
            e.extract(doc, &mut ann);
        }
        ann
    }
}
