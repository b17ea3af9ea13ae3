//! Sentence segmentation (placeholder: one sentence per non-empty line).
use crate::annotations::{Annotations, Sentence, SentenceKind, Span};
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub struct Segmenter {}

impl Segmenter {
    pub fn new(_rules: &RuleSet) -> Result<Self, RuleError> {
        Ok(Segmenter {})
    }

    pub fn segment(&self, doc: &Document, ann: &mut Annotations) {
        let text = &doc.text;
        let mut pos = 0;
        let mut paragraph = 0;
        for line in text.split_inclusive('\n') {
            let start = pos + (line.len() - line.trim_start().len());
            let end = pos + line.trim_end().len();
            if end > start {
                ann.sentences.push(Sentence { span: Span::new(start, end), paragraph, kind: SentenceKind::Body, citations: vec![] });
            } else {
                paragraph += 1;
            }
            pos += line.len();
        }
    }
}
