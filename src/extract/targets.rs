//! targets extractor (placeholder: its own issue fills it).

use super::{Extractor, Options};
use crate::annotations::Annotations;
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub struct TargetExtractor {}

impl TargetExtractor {
    pub fn new(_rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        Ok(TargetExtractor {})
    }
}

impl Extractor for TargetExtractor {
    fn name(&self) -> &'static str {
        "targets"
    }

    fn extract(&self, _doc: &Document, _ann: &mut Annotations) {}
}
