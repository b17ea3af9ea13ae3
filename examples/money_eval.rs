//! Run the pipeline over a gold JSONL file (`{"doc_id","text",...}` lines) and print records
//! with `money` and `targets` (code point offsets), for `score.py`.
//! usage: cargo run --release --example money_eval -- GOLD.jsonl > pred.jsonl
use newsextract::document::Document;
use newsextract::extract::Options;
use newsextract::pipeline::Pipeline;
use newsextract::rules::RuleSet;

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: money_eval GOLD.jsonl"))?;
    let rules = RuleSet::builtin();
    let pipeline = Pipeline::new(&rules, &Options::default())?;
    for line in std::fs::read_to_string(path)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["doc_id"].as_str().unwrap_or("").to_string();
        let text = v["text"].as_str().unwrap_or("").to_string();
        let doc = Document::new(id.clone(), text.clone());
        let ann = pipeline.process(&doc);
        let money: Vec<_> = ann
            .money
            .iter()
            .map(|m| {
                serde_json::json!({"start": doc.char_offset(m.span.start), "end": doc.char_offset(m.span.end),
                "text": &text[m.span.start..m.span.end], "amount": m.amount, "currency": m.currency,
                "amount_max": m.amount_max, "qualifier": m.qualifier, "rule": &*m.rule})
            })
            .collect();
        let dates: Vec<_> = ann
            .dates
            .iter()
            .map(|d| serde_json::json!({"start": doc.char_offset(d.span.start), "end": doc.char_offset(d.span.end), "value": d.value}))
            .collect();
        let targets: Vec<_> = ann
            .targets
            .iter()
            .map(|t| serde_json::json!({"money": t.money, "deadline": t.deadline, "metric": t.metric, "cue": t.cue, "rule": &*t.rule}))
            .collect();
        println!("{}", serde_json::json!({"doc_id": id, "money": money, "dates": dates, "targets": targets}));
    }
    Ok(())
}
