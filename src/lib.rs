//! newsextract: article folders in, one analytics-ready JSON Lines record per article out.
//!
//! Data flows one way: read → decode → segment → extract → resolve → write. The library is the
//! product; the `newsextract` binary is a thin client of it.

pub mod annotations;
pub mod corpus;
pub mod diff;
pub mod document;
pub mod eval;
pub mod explain;
pub mod extract;
pub mod output;
pub mod pipeline;
pub mod record;
pub mod report;
pub mod resume;
pub mod rules;
pub mod run;
pub mod schema;
pub mod segment;
pub mod text;

pub use annotations::Annotations;
pub use document::Document;
pub use pipeline::Pipeline;
pub use rules::RuleSet;
