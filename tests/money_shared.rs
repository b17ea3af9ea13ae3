//! Money acceptance figures on the shared gold sets (skipped when `../shared` is absent):
//! mention F1 with span overlap (one to one, in order) and value accuracy on matched mentions
//! (amount within 0.5 %, a gold currency of null accepting any), as `score.py
//! --null-currency-any` computes them.

use std::path::PathBuf;

use newsextract::extract::Options;
use newsextract::{Document, Pipeline, RuleSet};
use serde_json::Value;

fn figures(file: &str) -> Option<(f64, f64)> {
    let path = shared().join("eval/money").join(file);
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is not present", path.display());
        return None;
    };
    let p = Pipeline::new(&RuleSet::builtin(), &Options::default()).unwrap();
    let (mut tp, mut fp, mut fn_, mut good) = (0usize, 0usize, 0usize, 0usize);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).unwrap();
        let text = g["text"].as_str().unwrap();
        let doc = Document::new(g["doc_id"].as_str().unwrap(), text);
        let ann = p.process(&doc);
        let pred: Vec<(usize, usize, f64, Option<String>)> = ann
            .money
            .iter()
            .map(|m| {
                (
                    doc.char_offset(m.span.start),
                    doc.char_offset(m.span.end),
                    m.amount,
                    m.currency.clone(),
                )
            })
            .collect();
        let gold = g["money"].as_array().unwrap();
        let mut used = vec![false; pred.len()];
        for gm in gold {
            let (gs, ge) = (
                gm["start"].as_u64().unwrap() as usize,
                gm["end"].as_u64().unwrap() as usize,
            );
            let hit = pred
                .iter()
                .enumerate()
                .find(|(i, p)| !used[*i] && p.0 < ge && gs < p.1);
            if let Some((i, p)) = hit {
                used[i] = true;
                tp += 1;
                let ga = gm["amount"].as_f64().unwrap();
                let cur_ok = gm["currency"].is_null() || gm["currency"].as_str() == p.3.as_deref();
                if (p.2 - ga).abs() <= 0.005 * ga.abs() && cur_ok {
                    good += 1;
                }
            } else {
                fn_ += 1;
            }
        }
        fp += used.iter().filter(|u| !**u).count();
    }
    let prec = tp as f64 / (tp + fp).max(1) as f64;
    let rec = tp as f64 / (tp + fn_).max(1) as f64;
    let f1 = 2.0 * prec * rec / (prec + rec).max(f64::MIN_POSITIVE);
    let acc = good as f64 / tp.max(1) as f64;
    eprintln!("{file}: F1 {f1:.3} (tp {tp}, fp {fp}, fn {fn_}), value accuracy {acc:.3}");
    Some((f1, acc))
}

#[test]
fn recognizers_currency_set_reaches_f1_and_value_097() {
    if let Some((f1, acc)) = figures("recognizers_currency_en.jsonl") {
        assert!(f1 >= 0.97 && acc >= 0.97, "F1 {f1}, value {acc}");
    }
}

#[test]
fn recognizers_notsupported_set_reaches_f1_and_value_097() {
    if let Some((f1, acc)) = figures("recognizers_currency_en_notsupported.jsonl") {
        assert!(f1 >= 0.97 && acc >= 0.97, "F1 {f1}, value {acc}");
    }
}

#[test]
fn duckling_money_set_reaches_f1_and_value_095() {
    if let Some((f1, acc)) = figures("duckling_money_en.jsonl") {
        assert!(f1 >= 0.95 && acc >= 0.95, "F1 {f1}, value {acc}");
    }
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
