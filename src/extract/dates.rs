//! dates extractor (placeholder: its own issue fills it).

use super::{Extractor, Options};
use crate::annotations::Annotations;
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub struct DateExtractor {}

impl DateExtractor {
    pub fn new(_rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        Ok(DateExtractor {})
    }
}

impl Extractor for DateExtractor {
    fn name(&self) -> &'static str {
        "dates"
    }

    fn extract(&self, _doc: &Document, _ann: &mut Annotations) {}
}
