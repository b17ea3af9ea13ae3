//! `newsextract explain`: one document in a human-readable view — sentences with their
//! boundaries, every mention with its label or value and rule, and the candidates dropped by
//! overlap resolution or vetoes, with the reason.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::document::Document;
use crate::pipeline::Pipeline;
use crate::record::Record;

/// The record plus the dropped candidates, as JSON (`--format json`).
pub fn explain_json(pipeline: &Pipeline, doc: &Document) -> Value {
    let ann = pipeline.process_traced(doc);
    let record = serde_json::to_value(Record::build(doc, &ann)).unwrap_or(Value::Null);
    let dropped: Vec<Value> = ann
        .trace
        .iter()
        .flatten()
        .map(|d| {
            json!({
                "stage": d.stage,
                "start": doc.char_offset(d.span.start),
                "end": doc.char_offset(d.span.end),
                "text": doc.text.get(d.span.start..d.span.end).unwrap_or(""),
                "what": d.what,
                "rule": d.rule,
                "reason": d.reason,
            })
        })
        .collect();
    json!({"record": record, "dropped": dropped})
}

/// The same as text.
pub fn explain_text(pipeline: &Pipeline, doc: &Document) -> String {
    let v = explain_json(pipeline, doc);
    let r = &v["record"];
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}  lang={} published={} ({}) title={}",
        r["doc_id"].as_str().unwrap_or(""),
        r["lang"],
        r["published"],
        r["published_source"],
        r["title"]
    );
    for w in r["warnings"].as_array().into_iter().flatten() {
        let _ = writeln!(s, "warning: {}", w.as_str().unwrap_or(""));
    }
    let _ = writeln!(s, "\nsentences:");
    for (i, x) in r["sentences"].as_array().into_iter().flatten().enumerate() {
        let _ = writeln!(
            s,
            "  [{i}] {}..{} {} p{}{}  {}",
            x["start"],
            x["end"],
            x["kind"].as_str().unwrap_or(""),
            x["paragraph"],
            match x["citations"].as_array() {
                Some(c) if !c.is_empty() => format!(" cites {}", Value::from(c.clone())),
                _ => String::new(),
            },
            one_line(x["text"].as_str().unwrap_or(""))
        );
    }
    let section = |s: &mut String, name: &str, detail: &dyn Fn(&Value) -> String| {
        let list = r[name].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return;
        }
        let _ = writeln!(s, "\n{name}:");
        for (i, x) in list.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {i:>3} {}..{} {:?} {}  [{}] s{}",
                x["start"],
                x["end"],
                x["text"].as_str().unwrap_or(""),
                detail(x),
                x["rule"].as_str().unwrap_or("-"),
                x["sentence"]
            );
        }
    };
    section(&mut s, "entities", &|x| {
        format!(
            "{} norm={} kb={}",
            x["label"].as_str().unwrap_or(""),
            x["norm"],
            x["kb_id"]
        )
    });
    section(&mut s, "money", &|x| {
        format!(
            "{} {} max={} qualifier={}",
            x["amount"], x["currency"], x["amount_max"], x["qualifier"]
        )
    });
    section(&mut s, "dates", &|x| {
        format!(
            "{} {} mod={}",
            x["type"].as_str().unwrap_or(""),
            x["value"],
            x["mod"]
        )
    });
    section(&mut s, "citations", &|x| format!("refs {}", x["refs"]));
    if let Some(t) = r["targets"].as_array().filter(|t| !t.is_empty()) {
        let _ = writeln!(s, "\ntargets:");
        for x in t {
            let _ = writeln!(
                s,
                "  money {} deadline {} metric {} cue {}  [{}]",
                x["money"],
                x["deadline"],
                x["metric"],
                x["cue"],
                x["rule"].as_str().unwrap_or("-")
            );
        }
    }
    if let Some(refs) = r["references"].as_array().filter(|t| !t.is_empty()) {
        let _ = writeln!(s, "\nreferences:");
        for x in refs {
            let _ = writeln!(s, "  [{}] url={} title={}", x["id"], x["url"], x["title"]);
        }
    }
    if let Some(d) = v["dropped"].as_array().filter(|t| !t.is_empty()) {
        let _ = writeln!(s, "\ndropped candidates:");
        for x in d {
            let _ = writeln!(
                s,
                "  {} {}..{} {:?} {} [{}]: {}",
                x["stage"].as_str().unwrap_or(""),
                x["start"],
                x["end"],
                x["text"].as_str().unwrap_or(""),
                x["what"].as_str().unwrap_or(""),
                x["rule"].as_str().unwrap_or(""),
                x["reason"].as_str().unwrap_or("")
            );
        }
    }
    s
}

fn one_line(s: &str) -> String {
    let t = s.replace(['\n', '\r'], " ");
    if t.chars().count() > 110 {
        format!("{}…", t.chars().take(110).collect::<String>())
    } else {
        t
    }
}
