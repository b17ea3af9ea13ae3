//! `newsextract rules check`: compile every rule file — each stage validates its own files (rows,
//! keys, patterns, ids) and reports `file:line: message` — and run each area's own examples
//! (`rules/<area>/examples.tsv`) as tests.
//!
//! Example lines: `rule_id <TAB> + or - <TAB> text <TAB> mention`. `+`: running the pipeline on
//! `text` gives a mention (or sentence) whose text is `mention` and whose rule starts with
//! `rule_id`. `-`: no mention of the rule's field has the text `mention`.

use serde_json::Value;

use super::RuleSet;
use crate::document::Document;
use crate::extract::Options;
use crate::pipeline::Pipeline;
use crate::record::Record;

#[derive(Debug, Default)]
pub struct CheckReport {
    pub errors: Vec<String>,
    pub examples: usize,
    pub failures: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.failures.is_empty()
    }
}

/// The record field a rule id's mentions go to.
fn field_of(rule_id: &str) -> &'static str {
    let head = rule_id.split('.').next().unwrap_or("");
    match head {
        "money" => "money",
        "date" | "dates" | "timex" => "dates",
        "seg" => "sentences",
        "cite" | "citations" => "citations",
        "target" | "targets" => "targets",
        _ => "entities",
    }
}

pub fn check(rules: &RuleSet, opts: &Options) -> CheckReport {
    let mut report = CheckReport::default();
    let pipeline = match Pipeline::new(rules, opts) {
        Ok(p) => p,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    let example_files: Vec<String> = rules
        .paths()
        .filter(|p| p.ends_with("examples.tsv"))
        .map(String::from)
        .collect();
    for path in example_files {
        for line in rules.lines(&path) {
            let f = line.fields();
            if f.len() != 4 || !matches!(f[1], "+" | "-") {
                report.errors.push(
                    line.error("expected: rule_id <TAB> + or - <TAB> text <TAB> mention")
                        .to_string(),
                );
                continue;
            }
            let (rule_id, positive, text, mention) = (f[0], f[1] == "+", f[2], f[3]);
            if rules.is_disabled(rule_id) {
                continue;
            }
            report.examples += 1;
            let doc = Document::new("example", text.replace("\\n", "\n"));
            let ann = pipeline.process(&doc);
            let rec = serde_json::to_value(Record::build(&doc, &ann)).unwrap_or(Value::Null);
            let field = field_of(rule_id);
            let list = rec[field].as_array().cloned().unwrap_or_default();
            let hit = |m: &Value| m["text"].as_str() == Some(mention);
            let ok = if positive {
                list.iter().any(|m| {
                    hit(m)
                        && (field == "sentences"
                            || m["rule"].as_str().is_some_and(|r| r.starts_with(rule_id)))
                })
            } else {
                !list.iter().any(hit)
            };
            if !ok {
                let got: Vec<String> = list
                    .iter()
                    .map(|m| {
                        format!(
                            "{:?}[{}]",
                            m["text"].as_str().unwrap_or(""),
                            m["rule"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                report.failures.push(format!(
                    "{}:{}: {rule_id} {} {mention:?} in {text:?}; got {field}: {}",
                    line.origin,
                    line.line,
                    if positive {
                        "should find"
                    } else {
                        "should not find"
                    },
                    got.join(", ")
                ));
            }
        }
    }
    report
}
