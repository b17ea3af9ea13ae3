//! Bad input, interrupted runs and resumption: every input comes out as a record, an error record
//! with a precise kind, or a counted skip; the run finishes; an interrupted run leaves no output
//! that looks complete.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn bad_input_zoo_gives_records_or_precise_errors_and_counts_reconcile() {
    let zoo = TempDir::new("zoo");
    let out = TempDir::new("zoo-out");
    let z = zoo.path();
    let w = |name: &str, bytes: &[u8]| std::fs::write(z.join(name), bytes).unwrap();
    w("empty.txt", b"");
    w("whitespace.txt", b"  \n\n\t \r\n ");
    w("binary.txt", b"GIF89a\x00\x01\x02\x00\xff");
    w(
        "invalid-utf8.txt",
        b"Price rose to \xa3300 and \xff\xfe fell.",
    );
    w(
        "utf16le.txt",
        &utf16(b"\xff\xfe", "Hello there. Bye.", false),
    );
    w(
        "utf16be.txt",
        &utf16(b"\xfe\xff", "Hello there. Bye.", true),
    );
    w(
        "latin1.txt",
        b"Caf\xe9 owners in M\xfcnchen paid \xa315.8m.",
    );
    w(
        "single-line-50mb.txt",
        "lorem ipsum dolor sit amet "
            .repeat(50 << 20 >> 5)
            .as_bytes(),
    );
    w("one-word-1mb.txt", "x".repeat(1 << 20).as_bytes());
    w(
        "lines-100k.txt",
        (0..100_000)
            .map(|i| format!("Line {i} here.\n"))
            .collect::<String>()
            .as_bytes(),
    );
    w("markers-10k.txt", "Claim [1] ".repeat(10_000).as_bytes());
    w(
        "nested.txt",
        format!("{}x{}", "[(".repeat(20_000), ")]".repeat(20_000)).as_bytes(),
    );
    w("notes.pdf", b"%PDF-1.4");
    std::fs::create_dir(z.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", z.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink("missing-target.txt", z.join("dangling.txt")).unwrap();
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad-name-\xff.txt");
        std::fs::write(z.join(name), b"A file with a bad name.").unwrap();
    }
    w("locked.txt", b"Secret.");
    Command::new("chmod")
        .arg("000")
        .arg(z.join("locked.txt"))
        .status()
        .unwrap();
    let mut jsonl = String::new();
    jsonl.push_str("{\"doc_id\":\"j-ok\",\"text\":\"Fine.\"}\n");
    jsonl.push_str("{\"doc_id\":\"j-broken\",\"text\":\n");
    jsonl.push_str("{\"doc_id\":\"j-notext\"}\n");
    jsonl.push_str("{\"doc_id\":\"j-number\",\"text\":12}\n");
    jsonl.push_str("{\"doc_id\":\"j-big\",\"text\":\"");
    jsonl.push_str(&"y".repeat(100 << 20));
    jsonl.push_str("\"}\n");
    w("batch.jsonl", jsonl.as_bytes());

    let st = bin()
        .args(["run", "-q", "-o"])
        .arg(out.path())
        .arg(z)
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(2));
    let records = read_jsonl(&out.path().join("articles.jsonl"));
    let errors = read_jsonl(&out.path().join("errors.jsonl"));
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    let rec_ids: Vec<&str> = records
        .iter()
        .map(|r| r["doc_id"].as_str().unwrap())
        .collect();
    let err_kinds: BTreeMap<&str, &str> = errors
        .iter()
        .map(|e| (e["doc_id"].as_str().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    for id in [
        "empty.txt",
        "whitespace.txt",
        "invalid-utf8.txt",
        "utf16le.txt",
        "utf16be.txt",
        "latin1.txt",
        "single-line-50mb.txt",
        "one-word-1mb.txt",
        "lines-100k.txt",
        "markers-10k.txt",
        "nested.txt",
        "bad-name-\u{fffd}.txt",
        "j-ok",
    ] {
        assert!(
            rec_ids.contains(&id),
            "{id} should be a record; errors: {err_kinds:?}"
        );
    }
    assert_eq!(err_kinds["binary.txt"], "binary");
    assert_eq!(err_kinds["sub/loop"], "symlink_loop");
    assert_eq!(err_kinds["dangling.txt"], "not_found");
    assert_eq!(err_kinds["batch:2"], "bad_json");
    assert_eq!(err_kinds["j-notext"], "missing_field");
    assert_eq!(err_kinds["j-number"], "bad_field");
    assert_eq!(err_kinds["j-big"], "too_large");
    if is_root() {
        assert!(
            rec_ids.contains(&"locked.txt"),
            "root reads files whatever their mode"
        );
    } else {
        assert_eq!(err_kinds["locked.txt"], "permission_denied");
    }
    let by_id = |id: &str| records.iter().find(|r| r["doc_id"] == id).unwrap();
    assert_eq!(
        by_id("invalid-utf8.txt")["source"]["encoding"],
        "windows-1252"
    );
    assert_eq!(
        by_id("utf16be.txt")["sentences"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        by_id("lines-100k.txt")["sentences"]
            .as_array()
            .unwrap()
            .len(),
        100_000
    );
    assert_eq!(
        by_id("markers-10k.txt")["citations"]
            .as_array()
            .unwrap()
            .len(),
        10_000
    );
    assert_eq!(by_id("empty.txt")["sentences"].as_array().unwrap().len(), 0);
    assert_eq!(
        by_id("bad-name-\u{fffd}.txt")["warnings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // inputs = records + errors + skipped, with reasons.
    let c = &run["counts"];
    let (inputs, recs, errs, skipped) = (
        c["inputs"].as_u64().unwrap(),
        c["records"].as_u64().unwrap(),
        c["errors"].as_u64().unwrap(),
        c["skipped"].as_u64().unwrap(),
    );
    assert_eq!(recs as usize, records.len());
    assert_eq!(errs as usize, errors.len());
    assert_eq!(inputs, recs + errs + skipped);
    assert_eq!(skipped, 1);
    assert_eq!(run["skipped"][0]["path"], "notes.pdf");
    let kinds: u64 = run["errors_by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(kinds, errs);
}

fn utf16(bom: &[u8], s: &str, big_endian: bool) -> Vec<u8> {
    let mut out = bom.to_vec();
    for u in s.encode_utf16() {
        out.extend(if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn a_file_deleted_after_listing_becomes_a_not_found_error() {
    let dir = TempDir::new("deleted");
    std::fs::write(dir.path().join("gone.txt"), "Here now.").unwrap();
    let all = |_: &str| true;
    let plan = newsextract::corpus::plan(&[dir.path().to_path_buf()], &all, true).unwrap();
    let item = plan.items(&all).next().unwrap();
    std::fs::remove_file(dir.path().join("gone.txt")).unwrap();
    let err = newsextract::corpus::load(&item, 1 << 20).unwrap_err();
    assert_eq!(err.kind, "not_found");
}

#[test]
fn max_doc_bytes_turns_an_oversize_document_into_too_large() {
    let dir = TempDir::new("max");
    std::fs::write(dir.path().join("big.txt"), "word ".repeat(1000)).unwrap();
    let out = bin()
        .args(["run", "--stdout", "-q", "--max-doc-bytes", "1000"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["error"]["kind"], "too_large");
}

fn make_corpus(dir: &Path, files: usize) {
    let para = "The ministry said on Tuesday that exports rose 6.25% to $3.2bn, led by Acme Inc. \
                and Widget Ltd. in the U.S. and the U.K. [1] Officials expect more. "
        .repeat(40);
    for i in 0..files {
        let sub = dir.join(format!("part{:02}", i % 20));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("{i:05}.txt")),
            format!("Headline number {i}\n\n{para}\n"),
        )
        .unwrap();
    }
}

#[test]
fn a_killed_run_leaves_no_articles_file_and_a_rerun_is_complete() {
    let input = TempDir::new("kill-in");
    let out = TempDir::new("kill-out");
    make_corpus(input.path(), 3000);
    let mut child = bin()
        .args(["run", "-q", "--threads", "1", "-o"])
        .arg(out.path())
        .arg(input.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it is writing, then kill it hard.
    let start = Instant::now();
    let tmp = out
        .path()
        .join(format!(".articles.jsonl.tmp-{}", child.id()));
    while !tmp.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(150));
    let finished_early = child.try_wait().unwrap().is_some();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !finished_early,
        "the corpus is too small to kill the run midway"
    );
    assert!(
        !out.path().join("articles.jsonl").exists(),
        "a killed run must not leave articles.jsonl under its final name"
    );
    assert!(!out.path().join("run.json").exists());
    let st = bin()
        .args(["run", "-q", "-o"])
        .arg(out.path())
        .arg(input.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let records = read_jsonl(&out.path().join("articles.jsonl"));
    assert_eq!(records.len(), 3000);
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "stale temporaries removed: {leftovers:?}"
    );

    // --resume reuses every unchanged record and reprocesses a changed one.
    let first = std::fs::read(out.path().join("articles.jsonl")).unwrap();
    let changed = input.path().join("part00/00000.txt");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&changed)
        .unwrap();
    writeln!(f, "A new closing line.").unwrap();
    drop(f);
    let st = bin()
        .args(["run", "-q", "--resume", "-o"])
        .arg(out.path())
        .arg(input.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(run["resumed"], 2999);
    let second = std::fs::read(out.path().join("articles.jsonl")).unwrap();
    let fresh = TempDir::new("kill-fresh");
    bin()
        .args(["run", "-q", "-o"])
        .arg(fresh.path())
        .arg(input.path())
        .status()
        .unwrap();
    assert_eq!(
        second,
        std::fs::read(fresh.path().join("articles.jsonl")).unwrap()
    );
    assert_ne!(first, second);
}
