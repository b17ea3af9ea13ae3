//! Money and targets through the whole pipeline: on an article written for this test, and on the
//! shared seed article (skipped when `../shared` is absent).

use std::path::PathBuf;

use newsextract::annotations::{DateMention, RuleId, Span, TimexType};
use newsextract::extract::targets::TargetExtractor;
use newsextract::extract::{Extractor, Options};
use newsextract::{Annotations, Document, Pipeline, RuleSet};

/// Run the pipeline; if the dates stage did not find the year `year`, add it (the dates
/// extractor is developed separately) and run the targets stage again.
fn run_with_year(text: &str, year: &str) -> (Document, Annotations) {
    let rules = RuleSet::builtin();
    let opts = Options::default();
    let doc = Document::new("t", text);
    let mut ann = Pipeline::new(&rules, &opts).unwrap().process(&doc);
    let has_year = ann
        .dates
        .iter()
        .any(|d| &text[d.span.start..d.span.end] == year);
    if !has_year {
        let start = text.find(&format!("by {year}")).expect("by YEAR in text") + 3;
        ann.dates.push(DateMention {
            span: Span::new(start, start + year.len()),
            sentence: ann.sentence_at(start),
            timex_type: TimexType::Date,
            value: year.to_string(),
            timex_mod: None,
            rule: RuleId::from("test.year"),
        });
        ann.dates.sort_by_key(|d| d.span.start);
        ann.targets.clear();
        TargetExtractor::new(&rules, &opts)
            .unwrap()
            .extract(&doc, &mut ann);
    }
    (doc, ann)
}

#[test]
fn a_trade_target_links_amount_deadline_and_metric() {
    let text = "Ottawa and Seoul met on Monday.\n\nThe two governments agreed a goal for two-way trade to reach C$15 billion by 2030. Last year trade was worth C$9.6 billion.";
    let (_, ann) = run_with_year(text, "2030");
    assert_eq!(ann.money.len(), 2);
    assert_eq!(ann.money[0].amount, 15e9);
    assert_eq!(ann.money[0].currency.as_deref(), Some("CAD"));
    assert_eq!(ann.targets.len(), 1, "{:?}", ann.targets);
    let t = &ann.targets[0];
    assert_eq!(t.money, 0);
    let d = &ann.dates[t.deadline.expect("deadline")];
    assert!(text[d.span.start..d.span.end].contains("2030"));
    assert_eq!(t.metric.as_deref(), Some("two-way trade"));
    assert_eq!(t.cue, "goal");
}

#[test]
fn seed_article_has_the_trade_target() {
    let path = shared().join("seed/india_italy_partnership.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: ../shared is not present");
        return;
    };
    let (_, ann) = run_with_year(&text, "2029");
    assert_eq!(ann.money.len(), 1);
    let m = &ann.money[0];
    assert_eq!(&text[m.span.start..m.span.end], "€20 billion");
    assert_eq!(m.amount, 20_000_000_000.0);
    assert_eq!(m.currency.as_deref(), Some("EUR"));
    assert_eq!(m.rule.as_ref(), "money.symbol_magnitude");
    assert_eq!(ann.targets.len(), 1);
    let t = &ann.targets[0];
    let d = &ann.dates[t.deadline.expect("deadline")];
    assert!(text[d.span.start..d.span.end].contains("2029"));
    assert_eq!(t.metric.as_deref(), Some("bilateral trade"));
}

/// `../shared` beside the repository (or beside a worktree's parent folder).
fn shared() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let near = root.join("../shared");
    if near.is_dir() {
        near
    } else {
        root.join("../../shared")
    }
}

/// Prints the targets found in a corpus folder with years and "N years" durations standing in
/// for the dates stage: `cargo test --test money_targets corpus_probe -- --ignored --nocapture`.
#[test]
#[ignore]
fn corpus_probe() {
    let dir = shared().join("corpora/bbc/politics");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let rules = RuleSet::builtin();
    let opts = Options::default();
    let p = Pipeline::new(&rules, &opts).unwrap();
    let te = TargetExtractor::new(&rules, &opts).unwrap();
    let year =
        regex::Regex::new(r"\b(19[89]\d|20[0-4]\d)\b|\b(?:the next |the coming )?(?:\w+) years\b")
            .unwrap();
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let doc = Document::new("t", text.as_str());
        let mut ann = p.process(&doc);
        ann.dates.clear();
        ann.targets.clear();
        for m in year.find_iter(&text) {
            let dur = m.as_str().ends_with("years");
            ann.dates.push(DateMention {
                span: Span::new(m.start(), m.end()),
                sentence: ann.sentence_at(m.start()),
                timex_type: if dur {
                    TimexType::Duration
                } else {
                    TimexType::Date
                },
                value: m.as_str().to_string(),
                timex_mod: None,
                rule: RuleId::from("probe"),
            });
        }
        te.extract(&doc, &mut ann);
        for t in &ann.targets {
            let m = &ann.money[t.money];
            let d = t
                .deadline
                .map(|d| &text[ann.dates[d].span.start..ann.dates[d].span.end]);
            let s = &ann.sentences[t.sentence].span;
            println!(
                "{} | {:?} | {:?} | {} || {}",
                &text[m.span.start..m.span.end],
                d,
                t.metric,
                t.cue,
                text[s.start..s.end].replace('\n', " ")
            );
        }
    }
}
