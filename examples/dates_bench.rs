//! Time the dates stage alone: `cargo run --release --example dates_bench -- FILE.jsonl`
//! (JSONL of {"doc_id","text","published"?}).
use std::time::Instant;

use newsextract::annotations::Annotations;
use newsextract::document::Document;
use newsextract::extract::dates::DateExtractor;
use newsextract::extract::{Extractor, Options};
use newsextract::rules::RuleSet;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: dates_bench FILE.jsonl");
    let text = std::fs::read_to_string(path).expect("read");
    let docs: Vec<Document> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            let mut d = Document::new(
                v["doc_id"].as_str().unwrap_or(""),
                v["text"].as_str().unwrap_or(""),
            );
            d.meta.published = v["published"].as_str().map(String::from);
            d
        })
        .collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let t0 = Instant::now();
    let ex = DateExtractor::new(&RuleSet::builtin(), &Options::default()).expect("rules");
    let built = t0.elapsed();
    // warm the lazy DFA caches on the first 10% (a one-time cost per thread)
    for d in docs.iter().take(docs.len() / 10) {
        let mut ann = Annotations::default();
        ex.extract(d, &mut ann);
    }
    let t1 = Instant::now();
    let mut n = 0;
    for d in &docs {
        let mut ann = Annotations {
            published: d.meta.published.clone(),
            ..Default::default()
        };
        ex.extract(d, &mut ann);
        n += ann.dates.len();
    }
    let run = t1.elapsed();
    if std::env::var("DATES_BENCH_SCAN").is_ok() {
        scan_only(&docs);
    }

    println!(
        "build {:.1} ms; {} docs, {:.1} MB, {} mentions in {:.3} s = {:.1} MB/s",
        built.as_secs_f64() * 1e3,
        docs.len(),
        bytes as f64 / 1e6,
        n,
        run.as_secs_f64(),
        bytes as f64 / 1e6 / run.as_secs_f64()
    );
}

#[allow(dead_code)]
fn scan_only(docs: &[Document]) {
    use newsextract::extract::dates::grammar::{Grammar, Lexicon};
    let rules = RuleSet::builtin();
    let lex = Lexicon::load(&rules).expect("lexicon");
    let g = Grammar::compile(&rules, &lex).expect("grammar");
    let t = Instant::now();
    let mut n = 0;
    for d in docs {
        n += g.scan(&d.text, 0).len();
    }
    println!(
        "scan only: {n} candidates in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n: usize = docs.iter().map(|d| g.count_matches(&d.text)).sum();
    println!(
        "find only: {n} matches in {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let mut hist = std::collections::BTreeMap::new();
    for d in docs {
        g.rule_histogram(&d.text, &mut hist);
    }
    let mut v: Vec<_> = hist.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (id, n) in v.iter().take(12) {
        println!("  {n:6} {id}");
    }
}
