//! Run the pipeline over a JSON Lines file of `{"doc_id","text"}` and print records with their
//! entities (code point offsets), for scoring with `score.py`. With `--bench DIR`, time the
//! whole pipeline over a folder of text files instead (2 threads via rayon).
//!
//! cargo run --release --example entities_eval -- GOLD.jsonl > /tmp/pred.jsonl
//! cargo run --release --example entities_eval -- --bench ../shared/corpora/bbc
use std::io::{BufRead, Write};

use newsextract::extract::Options;
use newsextract::{Document, Pipeline, RuleSet};
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rules = RuleSet::builtin();
    let t0 = std::time::Instant::now();
    let pipeline =
        Pipeline::new(&rules, &Options::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "pipeline built in {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    let ent = newsextract::extract::entities::EntityExtractor::new(&rules, &Options::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (ms, bytes, ac, n) = ent.build_stats();
    eprintln!(
        "entity lexicon: {n} names, built in {ms:.0} ms, ~{:.1} MiB (name tries {:.1} MiB)",
        bytes as f64 / 1048576.0,
        ac as f64 / 1048576.0
    );
    if args.first().map(|s| s.as_str()) == Some("--bench") {
        let dir = args
            .get(1)
            .cloned()
            .unwrap_or_else(|| "../shared/corpora/bbc".into());
        let mut texts = Vec::new();
        for e in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let e = e?;
            if e.file_type().is_file() {
                let bytes = std::fs::read(e.path())?;
                texts.push((
                    e.path().display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
        }
        let total: usize = texts.iter().map(|t| t.1.len()).sum();
        let threads: usize = std::env::var("THREADS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        if std::env::var("STAGES").is_ok() {
            let seg =
                newsextract::segment::Segmenter::new(&rules).map_err(|e| anyhow::anyhow!("{e}"))?;
            use newsextract::extract::Extractor;
            let (mut ts, mut te) = (0.0, 0.0);
            let reps: usize = std::env::var("REPS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            for (id, text) in texts.iter().cycle().take(texts.len() * reps) {
                let doc = Document::new(id.clone(), text.clone());
                let mut ann = newsextract::Annotations::default();
                let t = std::time::Instant::now();
                seg.segment(&doc, &mut ann);
                ts += t.elapsed().as_secs_f64();
                let t = std::time::Instant::now();
                ent.extract(&doc, &mut ann);
                te += t.elapsed().as_secs_f64();
            }
            eprintln!("1 thread: segment {ts:.3} s, entities {te:.3} s");
            if std::env::var("STAGES").as_deref() == Ok("only") {
                return Ok(());
            }
        }
        for round in 0..3 {
            let t = std::time::Instant::now();
            let n: usize = pool.install(|| {
                texts
                    .par_iter()
                    .map(|(id, text)| {
                        pipeline
                            .process(&Document::new(id.clone(), text.clone()))
                            .entities
                            .len()
                    })
                    .sum()
            });
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "round {round}: {} files, {:.1} MB, {n} entities, {:.3} s, {:.1} MB/s on {threads} threads",
                texts.len(),
                total as f64 / 1e6,
                secs,
                total as f64 / 1e6 / secs
            );
        }
        return Ok(());
    }
    let path = args
        .first()
        .ok_or_else(|| anyhow::anyhow!("usage: entities_eval GOLD.jsonl"))?;
    let f = std::io::BufReader::new(std::fs::File::open(path)?);
    let out = std::io::stdout();
    let mut out = out.lock();
    for line in f.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        let id = v["doc_id"].as_str().unwrap_or("").to_string();
        let text = v["text"].as_str().unwrap_or("").to_string();
        let doc = Document::new(id.clone(), text);
        let ann = pipeline.process(&doc);
        let ents: Vec<serde_json::Value> = ann
            .entities
            .iter()
            .map(|e| {
                serde_json::json!({
                    "start": doc.char_offset(e.span.start), "end": doc.char_offset(e.span.end),
                    "text": &doc.text[e.span.start..e.span.end], "label": e.label,
                    "sentence": e.sentence, "norm": &*e.norm, "kb_id": e.kb_id.as_deref(), "rule": &*e.rule,
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"doc_id": id, "entities": ents})
        )?;
    }
    Ok(())
}
