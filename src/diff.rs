//! `newsextract diff OLD.jsonl NEW.jsonl`: what changed between two runs, per field and label —
//! mentions added, removed and changed (same span, other label/value), with examples in context.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// Fields compared, and the attributes that make a mention "changed" when its span is the same.
const FIELDS: &[(&str, &[&str])] = &[
    ("sentences", &["kind", "paragraph"]),
    ("entities", &["label", "norm", "kb_id", "rule"]),
    (
        "money",
        &["amount", "currency", "amount_max", "qualifier", "rule"],
    ),
    ("dates", &["type", "value", "mod", "rule"]),
    ("citations", &["refs", "sentence"]),
];

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub added: u64,
    pub removed: u64,
    pub changed: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub doc_id: String,
    pub change: &'static str,
    pub text: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub context: String,
}

#[derive(Debug, Default, Serialize)]
pub struct DiffReport {
    pub docs_old: usize,
    pub docs_new: usize,
    pub docs_only_old: Vec<String>,
    pub docs_only_new: Vec<String>,
    /// `field` or `field.LABEL` → counts.
    pub counts: BTreeMap<String, Counts>,
    pub examples: BTreeMap<String, Vec<Example>>,
}

impl DiffReport {
    pub fn is_equal(&self) -> bool {
        self.docs_only_old.is_empty()
            && self.docs_only_new.is_empty()
            && self
                .counts
                .values()
                .all(|c| c.added + c.removed + c.changed == 0)
    }
}

fn group(field: &str, m: &Value) -> String {
    let label = match field {
        "entities" => m["label"].as_str(),
        "dates" => m["type"].as_str(),
        "money" => m["currency"].as_str(),
        "sentences" => m["kind"].as_str(),
        _ => None,
    };
    match label {
        Some(l) => format!("{field}.{l}"),
        None => field.to_string(),
    }
}

fn describe(m: &Value, attrs: &[&str]) -> String {
    attrs
        .iter()
        .filter_map(|a| m.get(*a).map(|v| format!("{a}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn context_of(rec: &Value, m: &Value) -> String {
    let si = m["sentence"].as_u64().map(|i| i as usize);
    let sentence = si.and_then(|i| rec["sentences"].get(i));
    match sentence {
        Some(s) => s["text"].as_str().unwrap_or("").replace('\n', " "),
        None => m["text"].as_str().unwrap_or("").replace('\n', " "),
    }
}

fn by_id(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        if let Some(id) = v["doc_id"].as_str() {
            out.push((id.to_string(), v));
        }
    }
    Ok(out)
}

pub fn diff(old: &str, new: &str, max_examples: usize) -> Result<DiffReport, String> {
    let old = by_id(old).map_err(|e| format!("OLD {e}"))?;
    let new = by_id(new).map_err(|e| format!("NEW {e}"))?;
    let new_map: HashMap<&str, &Value> = new.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let old_map: HashMap<&str, &Value> = old.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut r = DiffReport {
        docs_old: old.len(),
        docs_new: new.len(),
        ..Default::default()
    };
    r.docs_only_old = old
        .iter()
        .filter(|(k, _)| !new_map.contains_key(k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    r.docs_only_new = new
        .iter()
        .filter(|(k, _)| !old_map.contains_key(k.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    for (id, o) in &old {
        let Some(n) = new_map.get(id.as_str()) else {
            continue;
        };
        for (field, attrs) in FIELDS {
            let key = |m: &Value| (m["start"].as_i64(), m["end"].as_i64());
            let olds: Vec<&Value> = o[*field]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let news: Vec<&Value> = n[*field]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let old_by: HashMap<_, &Value> = olds.iter().map(|m| (key(m), *m)).collect();
            let new_by: HashMap<_, &Value> = news.iter().map(|m| (key(m), *m)).collect();
            let push = |r: &mut DiffReport,
                        g: String,
                        change: &'static str,
                        m: &Value,
                        rec: &Value,
                        old: Option<String>,
                        new: Option<String>| {
                let c = r.counts.entry(g.clone()).or_default();
                match change {
                    "added" => c.added += 1,
                    "removed" => c.removed += 1,
                    _ => c.changed += 1,
                }
                let ex = r.examples.entry(g).or_default();
                if ex.len() < max_examples {
                    ex.push(Example {
                        doc_id: id.clone(),
                        change,
                        text: m["text"].as_str().unwrap_or("").to_string(),
                        old,
                        new,
                        context: context_of(rec, m),
                    });
                }
            };
            for m in &news {
                match old_by.get(&key(m)) {
                    None => push(
                        &mut r,
                        group(field, m),
                        "added",
                        m,
                        n,
                        None,
                        Some(describe(m, attrs)),
                    ),
                    Some(om) => {
                        let (a, b) = (describe(om, attrs), describe(m, attrs));
                        if a != b {
                            push(&mut r, group(field, m), "changed", m, n, Some(a), Some(b));
                        }
                    }
                }
            }
            for m in &olds {
                if !new_by.contains_key(&key(m)) {
                    push(
                        &mut r,
                        group(field, m),
                        "removed",
                        m,
                        o,
                        Some(describe(m, attrs)),
                        None,
                    );
                }
            }
        }
        // Everything else (targets, references, published, title, …) compared whole.
        for k in [
            "targets",
            "references",
            "published",
            "published_source",
            "title",
            "lang",
            "warnings",
        ] {
            if o[k] != n[k] {
                let c = r.counts.entry(k.to_string()).or_default();
                c.changed += 1;
                let ex = r.examples.entry(k.to_string()).or_default();
                if ex.len() < max_examples {
                    ex.push(Example {
                        doc_id: id.clone(),
                        change: "changed",
                        text: String::new(),
                        old: Some(o[k].to_string()),
                        new: Some(n[k].to_string()),
                        context: String::new(),
                    });
                }
            }
        }
    }
    Ok(r)
}

impl DiffReport {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "documents: {} old, {} new, {} only in old, {} only in new\n",
            self.docs_old,
            self.docs_new,
            self.docs_only_old.len(),
            self.docs_only_new.len()
        );
        let (mut a, mut d, mut c) = (0, 0, 0);
        for (k, v) in &self.counts {
            let _ = writeln!(
                s,
                "  {k:32} +{:<6} -{:<6} ~{}",
                v.added, v.removed, v.changed
            );
            a += v.added;
            d += v.removed;
            c += v.changed;
        }
        let _ = writeln!(s, "  {:32} +{a:<6} -{d:<6} ~{c}", "total");
        for (k, exs) in &self.examples {
            let _ = writeln!(s, "\n{k}:");
            for e in exs {
                let what = match (&e.old, &e.new) {
                    (Some(o), Some(n)) => format!("{o} → {n}"),
                    (Some(o), None) => o.clone(),
                    (None, Some(n)) => n.clone(),
                    (None, None) => String::new(),
                };
                let _ = writeln!(s, "  {} {} {:?} {what}", e.change, e.doc_id, e.text);
                if !e.context.is_empty() {
                    let _ = writeln!(s, "      in: {}", truncate(&e.context, 160));
                }
            }
        }
        for id in self.docs_only_old.iter().take(10) {
            let _ = writeln!(s, "only in old: {id}");
        }
        for id in self.docs_only_new.iter().take(10) {
            let _ = writeln!(s, "only in new: {id}");
        }
        s
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_added_removed_and_changed_mentions() {
        let old = r#"{"doc_id":"a","sentences":[{"start":0,"end":5,"text":"India","kind":"body","paragraph":0}],"entities":[{"start":0,"end":5,"text":"India","label":"GPE","sentence":0,"norm":"India","kb_id":null,"rule":"x"}],"money":[],"dates":[],"citations":[],"targets":[],"references":[]}"#;
        let new = r#"{"doc_id":"a","sentences":[{"start":0,"end":5,"text":"India","kind":"body","paragraph":0}],"entities":[{"start":0,"end":5,"text":"India","label":"ORG","sentence":0,"norm":"India","kb_id":null,"rule":"x"}],"money":[],"dates":[{"start":0,"end":5,"text":"India","sentence":0,"type":"DATE","value":"2020","mod":null,"rule":"d"}],"citations":[],"targets":[],"references":[]}"#;
        let r = diff(old, new, 5).unwrap();
        assert!(!r.is_equal());
        assert_eq!(r.counts["entities.ORG"].changed, 1);
        assert_eq!(r.counts["dates.DATE"].added, 1);
        assert!(diff(old, old, 5).unwrap().is_equal());
    }
}
