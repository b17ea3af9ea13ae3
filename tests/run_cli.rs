//! The `run` command end to end, through the binary: inputs, outputs, exit codes, ordering,
//! decoding and the stdin contract. Fixtures are made in temporary folders or come from `corpus/`.

mod common;
use common::*;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `text[start:end]` in code points, as Python reads it.
fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

#[test]
fn default_run_processes_the_bundled_corpus_with_one_record_per_file() {
    let out = TempDir::new("corpus");
    let status = bin()
        .current_dir(repo())
        .args(["run", "corpus", "-q", "-o"])
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let records = read_jsonl(&out.path().join("articles.jsonl"));
    let files = walk(&repo().join("corpus"));
    assert_eq!(records.len(), files.len());
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "records come in sorted doc_id order");
    assert!(ids.contains(&"world/india_italy_partnership.txt"));
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(run["counts"]["records"], files.len());
    assert_eq!(run["counts"]["errors"], 0);
    assert_eq!(
        std::fs::read_to_string(out.path().join("errors.jsonl")).unwrap(),
        ""
    );
    // Every key is always present, with stable types.
    for r in &records {
        for key in [
            "schema",
            "doc_id",
            "source",
            "lang",
            "title",
            "published",
            "published_source",
            "sentences",
            "entities",
            "money",
            "dates",
            "citations",
            "references",
            "targets",
            "warnings",
        ] {
            assert!(r.get(key).is_some(), "{key} missing");
        }
        assert_eq!(r["schema"], "newsextract/1");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn seed_article_gives_seventeen_sentences_and_nine_markers_end_to_end() {
    let out = bin()
        .current_dir(repo())
        .args([
            "run",
            "corpus/world/india_italy_partnership.txt",
            "--stdout",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rec: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text =
        std::fs::read_to_string(repo().join("corpus/world/india_italy_partnership.txt")).unwrap();
    let sentences = rec["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 17);
    assert_eq!(sentences[0]["start"], 0);
    assert_eq!(sentences[0]["end"], 133);
    assert_eq!(sentences[14]["kind"], "heading");
    for s in sentences {
        let (a, b) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
        assert_eq!(slice(&text, a, b), s["text"].as_str().unwrap());
    }
    let cites = rec["citations"].as_array().unwrap();
    let refs: Vec<u64> = cites
        .iter()
        .map(|c| c["refs"][0].as_u64().unwrap())
        .collect();
    let sent: Vec<u64> = cites
        .iter()
        .map(|c| c["sentence"].as_u64().unwrap())
        .collect();
    assert_eq!(refs, [1, 2, 3, 4, 5, 6, 1, 2, 3]);
    assert_eq!(sent, [0, 3, 4, 6, 7, 8, 10, 11, 13]);
    for (k, c) in cites.iter().enumerate() {
        let s = c["sentence"].as_u64().unwrap() as usize;
        assert!(
            sentences[s]["citations"]
                .as_array()
                .unwrap()
                .contains(&Value::from(k))
        );
    }
}

#[test]
fn one_and_two_threads_give_byte_identical_output() {
    let a = TempDir::new("t1");
    let b = TempDir::new("t2");
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        let st = bin()
            .current_dir(repo())
            .args(["run", "corpus", "-q", "--threads", threads, "-o"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0));
    }
    assert_eq!(
        std::fs::read(a.path().join("articles.jsonl")).unwrap(),
        std::fs::read(b.path().join("articles.jsonl")).unwrap()
    );
}

#[test]
fn bad_files_become_error_records_and_the_run_goes_on() {
    let input = TempDir::new("bad-in");
    let out = TempDir::new("bad-out");
    let p = input.path();
    std::fs::write(
        p.join("a-good.txt"),
        "A fine article. It has two sentences.",
    )
    .unwrap();
    std::fs::write(p.join("b-binary.txt"), b"\x89PNG\r\n\x1a\n\x00\x00\x00").unwrap();
    std::fs::write(p.join("c-latin1.txt"), b"Signed for \xa315.8m yesterday.").unwrap();
    std::fs::write(p.join("d-empty.txt"), b"").unwrap();
    std::fs::write(p.join("e-image.png"), b"not an article").unwrap();
    std::fs::write(p.join("f-utf16.txt"), b"\xff\xfeH\x00i\x00.\x00").unwrap();
    let st = bin()
        .args(["run", "-q", "-o"])
        .arg(out.path())
        .arg(p)
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(2), "exit 2 when some documents failed");
    let records = read_jsonl(&out.path().join("articles.jsonl"));
    let errors = read_jsonl(&out.path().join("errors.jsonl"));
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a-good.txt", "c-latin1.txt", "d-empty.txt", "f-utf16.txt"]
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["doc_id"], "b-binary.txt");
    assert_eq!(errors[0]["kind"], "binary");
    let latin = &records[1];
    assert_eq!(latin["source"]["encoding"], "windows-1252");
    assert_eq!(latin["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(
        latin["sentences"][0]["text"],
        "Signed for £15.8m yesterday."
    );
    let empty = &records[2];
    assert_eq!(empty["sentences"].as_array().unwrap().len(), 0);
    assert_eq!(records[3]["source"]["encoding"], "utf-16le");
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    let c = &run["counts"];
    assert_eq!(
        (
            c["inputs"].as_u64(),
            c["records"].as_u64(),
            c["errors"].as_u64(),
            c["skipped"].as_u64()
        ),
        (Some(6), Some(4), Some(1), Some(1))
    );
    assert_eq!(run["skipped"][0]["path"], "e-image.png");
}

#[test]
fn jsonl_files_are_read_for_doc_id_text_published_and_sorted_by_doc_id() {
    let dir = TempDir::new("jsonl");
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"doc_id\":\"b\",\"text\":\"Second.\",\"published\":\"2026-01-02\",\"entities\":[]}\n",
            "\n",
            "{\"doc_id\":\"a\",\"text\":\"First. Two.\",\"gold\":{\"x\":1}}\n",
            "{not json\n",
            "{\"doc_id\":\"c\",\"text\":42}\n"
        ),
    )
    .unwrap();
    let out = bin()
        .args(["run", "--stdout", "-q"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "in:4"]);
    assert_eq!(lines[0]["sentences"].as_array().unwrap().len(), 2);
    assert_eq!(lines[1]["published"], "2026-01-02");
    assert_eq!(lines[1]["published_source"], "input");
    assert_eq!(lines[2]["error"]["kind"], "bad_field");
    assert_eq!(lines[3]["error"]["kind"], "bad_json");
}

#[test]
fn fatal_errors_exit_1_with_one_line() {
    let out = bin().args(["run", "/no/such/folder"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does not exist"));
}

#[test]
fn shards_together_equal_the_whole_run() {
    let whole = bin()
        .current_dir(repo())
        .args(["run", "corpus", "--stdout", "-q"])
        .output()
        .unwrap();
    let mut all: Vec<String> = String::from_utf8(whole.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let mut union = Vec::new();
    for k in 0..3 {
        let out = bin()
            .current_dir(repo())
            .args(["run", "corpus", "--stdout", "-q", "--shard"])
            .arg(format!("{k}/3"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        union.extend(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(String::from),
        );
    }
    all.sort();
    union.sort();
    assert_eq!(all, union);
    let bad = bin()
        .args(["run", "corpus", "--shard", "3/3"])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a bad shard is a fatal argument error"
    );
    assert_eq!(String::from_utf8(bad.stderr).unwrap().lines().count(), 1);
}

#[test]
fn flat_files_have_one_row_per_mention_with_doc_id_and_index() {
    let out = TempDir::new("flat");
    let st = bin()
        .current_dir(repo())
        .args(["run", "corpus", "-q", "--flat", "-o"])
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let records = read_jsonl(&out.path().join("articles.jsonl"));
    for name in [
        "sentences",
        "entities",
        "money",
        "dates",
        "citations",
        "references",
        "targets",
    ] {
        let rows = read_jsonl(&out.path().join(format!("{name}.jsonl")));
        let expected: usize = records
            .iter()
            .map(|r| r[name].as_array().unwrap().len())
            .sum();
        assert_eq!(rows.len(), expected, "{name}");
        for row in &rows {
            let rec = records
                .iter()
                .find(|r| r["doc_id"] == row["doc_id"])
                .unwrap();
            let i = row["index"].as_u64().unwrap() as usize;
            let mut want = rec[name][i].clone();
            want["doc_id"] = row["doc_id"].clone();
            want["index"] = row["index"].clone();
            assert_eq!(row, &want);
        }
    }
}
