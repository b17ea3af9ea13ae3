//! entities extractor (placeholder: its own issue fills it).

use super::{Extractor, Options};
use crate::annotations::Annotations;
use crate::document::Document;
use crate::rules::{RuleError, RuleSet};

pub struct EntityExtractor {}

impl EntityExtractor {
    pub fn new(_rules: &RuleSet, _opts: &Options) -> Result<Self, RuleError> {
        Ok(EntityExtractor {})
    }
}

impl Extractor for EntityExtractor {
    fn name(&self) -> &'static str {
        "entities"
    }

    fn extract(&self, _doc: &Document, _ann: &mut Annotations) {}
}
