//! Acceptance checks on the public evaluation sets and corpora in `../shared`. Each test skips
//! (passes with a note) when `../shared` is not beside the repository, as on a user's machine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use newsextract::corpus::{self, Item};
use newsextract::extract::Options;
use newsextract::record::Record;
use newsextract::{Pipeline, RuleSet};
use serde_json::Value;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if p.join("eval").is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared is not present");
        None
    }
}

fn pipeline() -> Pipeline {
    Pipeline::new(&RuleSet::builtin(), &Options::default()).unwrap()
}

fn gold(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Run one gold document (its text and published date) and return the record as JSON.
fn annotate(p: &Pipeline, g: &Value) -> Value {
    let raw = serde_json::to_string(g).unwrap();
    let doc = corpus::parse_json_doc(&raw, 1, None).unwrap();
    let ann = p.process(&doc);
    serde_json::to_value(Record::build(&doc, &ann)).unwrap()
}

fn trimmed_spans(text: &[char], list: &Value) -> BTreeSet<(usize, usize)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (mut a, mut b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            while a < b && text[a].is_whitespace() {
                a += 1;
            }
            while b > a && text[b - 1].is_whitespace() {
                b -= 1;
            }
            (a, b)
        })
        .collect()
}

#[test]
fn golden_rules_at_least_47_of_48_documents_exact() {
    let Some(shared) = shared() else { return };
    let p = pipeline();
    let docs = gold(&shared.join("eval/segmentation/golden_rules_en.jsonl"));
    let mut failed = Vec::new();
    for g in &docs {
        let rec = annotate(&p, g);
        let text: Vec<char> = g["text"].as_str().unwrap().chars().collect();
        if trimmed_spans(&text, &g["sentences"]) != trimmed_spans(&text, &rec["sentences"]) {
            failed.push(g["doc_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(docs.len(), 48);
    assert!(failed.len() <= 1, "failed: {failed:?}");
}

#[test]
fn seed_sentences_and_citation_markers_match_the_gold() {
    let Some(shared) = shared() else { return };
    let p = pipeline();
    let g = &gold(&shared.join("eval/seed/india_italy_partnership.gold.jsonl"))[0];
    let rec = annotate(&p, g);
    let text: Vec<char> = g["text"].as_str().unwrap().chars().collect();
    assert_eq!(
        trimmed_spans(&text, &g["sentences"]),
        trimmed_spans(&text, &rec["sentences"])
    );
    let key = |c: &Value| {
        (
            c["start"].as_u64(),
            c["end"].as_u64(),
            c["refs"].clone(),
            c["sentence"].as_u64(),
        )
    };
    let want: Vec<_> = g["citations"].as_array().unwrap().iter().map(key).collect();
    let got: Vec<_> = rec["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    assert_eq!(want, got);
}

/// Run a folder through the library as `run` would and return the records as JSON.
fn run_folder(p: &Pipeline, dir: &Path) -> (Vec<(Item, Value)>, usize) {
    let all = |_: &str| true;
    let plan = corpus::plan(&[dir.to_path_buf()], &all, false).unwrap();
    let mut out = Vec::new();
    let mut errors = 0;
    for item in plan.items(&all) {
        match corpus::load(&item, newsextract::run::DEFAULT_MAX_DOC_BYTES) {
            Ok(doc) => {
                let ann = p.process(&doc);
                let v = serde_json::to_value(Record::build(&doc, &ann)).unwrap();
                out.push((item, v));
            }
            Err(_) => errors += 1,
        }
    }
    (out, errors)
}

fn check_spans(rec: &Value, text: &[char]) {
    for field in ["sentences", "entities", "money", "dates", "citations"] {
        for s in rec[field].as_array().unwrap() {
            let (a, b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            let got: String = text[a..b].iter().collect();
            assert_eq!(
                got,
                s["text"].as_str().unwrap(),
                "{} {field}",
                rec["doc_id"]
            );
        }
    }
}

fn decoded_text(path: &Path, encoding: &str) -> Vec<char> {
    let bytes = std::fs::read(path).unwrap();
    let text = match encoding {
        "windows-1252" => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
        _ => String::from_utf8(bytes).unwrap(),
    };
    text.chars().collect()
}

#[test]
fn bbc_corpus_gives_2225_records_no_errors_one_windows_1252_and_exact_spans() {
    let Some(shared) = shared() else { return };
    let p = pipeline();
    let dir = shared.join("corpora/bbc");
    let (records, errors) = run_folder(&p, &dir);
    assert_eq!(records.len(), 2225);
    assert_eq!(errors, 0);
    let cp1252: Vec<&str> = records
        .iter()
        .filter(|(_, r)| r["source"]["encoding"] == "windows-1252")
        .map(|(_, r)| r["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(cp1252, ["sport/199.txt"]);
    for (_, r) in &records {
        let text = decoded_text(
            &dir.join(r["doc_id"].as_str().unwrap()),
            r["source"]["encoding"].as_str().unwrap(),
        );
        check_spans(r, &text);
    }
}

#[test]
fn cited_corpus_markers_are_all_found_and_resolve_to_their_references() {
    let Some(shared) = shared() else { return };
    let p = pipeline();
    let dir = shared.join("corpora/cited");
    let (records, errors) = run_folder(&p, &dir);
    assert_eq!((records.len(), errors), (200, 0));
    let (mut markers, mut unresolved) = (0, 0);
    for (_, r) in &records {
        let text = decoded_text(&dir.join(r["doc_id"].as_str().unwrap()), "utf-8");
        check_spans(r, &text);
        let ids: BTreeSet<u64> = r["references"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_u64().unwrap())
            .collect();
        for c in r["citations"].as_array().unwrap() {
            for n in c["refs"].as_array().unwrap() {
                markers += 1;
                if !ids.contains(&n.as_u64().unwrap()) {
                    unresolved += 1;
                }
            }
        }
    }
    // Every body marker of the corpus is cited in a listed reference (corpora/README.md).
    assert!(markers > 8000, "{markers}");
    assert_eq!(unresolved, 0);
}
