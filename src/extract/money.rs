//! money extractor (placeholder: its own issue fills it).

use super::{Extractor, Options};
use crate::annotations::Annotations;
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub struct MoneyExtractor {}

impl MoneyExtractor {
    pub fn new(_rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        Ok(MoneyExtractor {})
    }
}

impl Extractor for MoneyExtractor {
    fn name(&self) -> &'static str {
        "money"
    }

    fn extract(&self, _doc: &Document, _ann: &mut Annotations) {}
}
