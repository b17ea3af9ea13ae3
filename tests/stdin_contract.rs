//! The streaming contract Spark and other callers rely on (`run - --stdout`): one output line per
//! input line, in input order, flushed after each; a malformed line becomes an error record, never
//! a crash; stdout carries records only; it runs with an empty environment.

mod common;
use common::bin;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Ten ways a line can be malformed (none of them blank: blank lines are not documents).
const MALFORMED: [&str; 10] = [
    r#"{"doc_id":"m0","text":"unterminated"#,
    r#"not json at all"#,
    r#"{"doc_id":"m2"}"#,
    r#"{"doc_id":"m3","text":42}"#,
    r#"{"text":"no id"}"#,
    r#"["doc_id","text"]"#,
    r#"{"doc_id":"m6","text":null}"#,
    r#"{"doc_id":{"nested":1},"text":"x"}"#,
    r#"{"doc_id":"m8","raw_b64":"!!not base64!!"}"#,
    r#"{"doc_id":"m9","text":"x","#,
];

/// 1,000 lines: good documents with the malformed ones spread among them.
fn input() -> (Vec<String>, Vec<usize>) {
    let bad_at: Vec<usize> = (0..10).map(|k| 37 + k * 97).collect();
    let mut lines = Vec::with_capacity(1000);
    let mut bad = MALFORMED.iter();
    for i in 0..1000 {
        if bad_at.contains(&i) {
            lines.push(bad.next().unwrap().to_string());
        } else {
            let text = format!(
                "Report {i}. The agency said on 3 March 2026 that it would spend $1.{i} million on roads [1].\n\nReferences\n1. Agency note {i}."
            );
            lines.push(
                serde_json::json!({"doc_id": format!("doc-{i:04}"), "text": text}).to_string(),
            );
        }
    }
    (lines, bad_at)
}

#[test]
fn a_thousand_lines_with_ten_malformed_give_a_thousand_records_in_order() {
    let (lines, bad_at) = input();
    let mut child = bin()
        .args(["run", "-", "--stdout"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let body = lines.join("\n") + "\n";
    // Write from a thread: the child answers while it reads, and both pipes have limits.
    let writer = std::thread::spawn(move || stdin.write_all(body.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    // Some documents failed: exit 2, never 1 (fatal) and never a crash.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("stdout carries JSON lines only"))
        .collect();
    assert_eq!(records.len(), 1000);
    let mut errors = 0;
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["schema"], "newsextract/1");
        if bad_at.contains(&i) {
            errors += 1;
            let e = &r["error"];
            assert!(e["kind"].is_string() && e["message"].is_string(), "{r}");
            // The id comes back when the line has a readable one, else the line number does.
            let k = bad_at.iter().position(|&b| b == i).unwrap();
            let expected = match k {
                2 | 3 | 6 | 8 => format!("m{k}"),
                _ => format!("-:{}", i + 1),
            };
            assert_eq!(r["doc_id"], expected.as_str(), "line {}: {r}", i + 1);
        } else {
            assert!(r.get("error").is_none(), "{r}");
            assert_eq!(r["doc_id"], format!("doc-{i:04}").as_str());
            assert!(!r["sentences"].as_array().unwrap().is_empty());
        }
    }
    assert_eq!(errors, 10);
    // Logs only on stderr, and no progress bar when it is not a terminal.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains('\r') && !log.contains('\u{1b}'), "{log:?}");
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let mut child = bin()
        .args(["run", "-", "--stdout", "--quiet"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let line = serde_json::json!({"doc_id": "d", "text": "A short note."}).to_string() + "\n";
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"doc_id\":\"d\""));
    drop(stdout); // the reader is gone: the next write fails with a broken pipe
    let writer = std::thread::spawn(move || {
        for _ in 0..10_000 {
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn each_answer_is_flushed_before_the_next_line_is_sent() {
    // A caller that waits for each answer before sending the next line must not deadlock.
    let mut child = bin()
        .args(["run", "-", "--stdout", "--quiet"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for i in 0..5 {
        let line = if i == 2 {
            "{broken".to_string()
        } else {
            serde_json::json!({"doc_id": format!("d{i}"), "text": "One sentence."}).to_string()
        };
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        let answer = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer before the next line");
        let v: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v.get("error").is_some(), i == 2);
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(2));
    reader.join().unwrap();
}

fn sorted_lines(bytes: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn three_shards_together_equal_the_whole_run_byte_for_byte() {
    // 1,000 documents (10 of them malformed) in a JSONL file: every line lands in exactly one
    // shard, errors included, and the shards' lines sorted equal the whole run's sorted.
    let dir = std::env::temp_dir().join(format!("nx-shards-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("docs.jsonl");
    std::fs::write(&file, input().0.join("\n") + "\n").unwrap();
    let run = |shard: Option<String>| {
        let mut cmd = bin();
        cmd.arg("run").arg(&file).args(["--stdout", "--quiet"]);
        if let Some(s) = shard {
            cmd.args(["--shard", &s]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code().map(|c| c == 0 || c == 2), Some(true));
        sorted_lines(&out.stdout)
    };
    let whole = run(None);
    assert_eq!(whole.len(), 1000);
    let mut union = Vec::new();
    for k in 0..3 {
        let part = run(Some(format!("{k}/3")));
        // A fair split: each shard has a good share of 1,000 ids.
        assert!(part.len() > 250, "shard {k}: {}", part.len());
        union.extend(part);
    }
    union.sort();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(union.len(), whole.len());
    assert!(
        union == whole,
        "the union of the shards differs from the whole run"
    );
}
