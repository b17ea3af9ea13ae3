//! `newsextract report DIR` on a run of `corpus/`: a self-contained page with the run's figures
//! and one drawn chart per section.

mod common;
use common::*;

use std::path::Path;

use serde_json::Value;

fn run_and_report(out: &Path, extra: &[&str]) -> String {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let mut args = vec!["run", corpus, "-o", out.to_str().unwrap(), "--quiet"];
    args.extend(extra);
    let status = bin().args(&args).status().unwrap();
    assert!(matches!(status.code(), Some(0 | 2)));
    let r = bin().arg("report").arg(out).output().unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    std::fs::read_to_string(out.join("report.html")).unwrap()
}

fn articles(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("articles.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(id, data-bars, rects drawn)` for each chart.
fn charts(page: &str) -> Vec<(String, usize, usize)> {
    page.split("<svg")
        .skip(1)
        .map(|svg| {
            let svg = &svg[..svg.find("</svg>").unwrap()];
            let attr = |name: &str| {
                svg.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap()
                    .to_string()
            };
            (
                attr("id"),
                attr("data-bars").parse().unwrap(),
                svg.matches("<rect class=\"bar\"").count(),
            )
        })
        .collect()
}

#[test]
fn report_of_the_corpus_is_self_contained_and_shows_the_run() {
    let tmp = TempDir::new("corpus");
    let page = run_and_report(tmp.path(), &[]);
    // Self-contained: no script, no external resource of any kind.
    for needle in [
        "<script", "<link", "src=", "url(", "@import", "<iframe", "<img",
    ] {
        assert!(!page.contains(needle), "{needle}");
    }
    assert!(page.contains("default-src 'none'"));
    // The counts are the run's.
    let recs = articles(tmp.path());
    let sentences: usize = recs
        .iter()
        .map(|r| r["sentences"].as_array().unwrap().len())
        .sum();
    assert!(page.contains(&format!("<b>{}</b><span>articles</span>", recs.len())));
    assert!(page.contains(&format!("<b>{sentences}</b><span>sentences</span>")));
    assert!(page.contains("<b>0</b><span>errors</span>"));
    // Citation coverage is computed over non-reference sentences.
    let (mut claims, mut cited) = (0, 0);
    for r in &recs {
        for s in r["sentences"].as_array().unwrap() {
            if s["kind"] != "reference" {
                claims += 1;
                cited += usize::from(!s["citations"].as_array().unwrap().is_empty());
            }
        }
    }
    assert!(cited > 0, "the corpus has citation markers");
    assert!(page.contains(&format!("{cited} of {claims} sentences")));
    // Every section has its chart, and every chart draws as many bars as it says.
    let found = charts(&page);
    for id in [
        "chart-labels",
        "chart-currency",
        "chart-years",
        "chart-months",
        "chart-coverage",
        "chart-coverage-articles",
        "chart-errors",
    ] {
        assert!(found.iter().any(|c| c.0 == id), "{id} missing");
    }
    for (id, said, drawn) in &found {
        assert_eq!(said, drawn, "{id}");
    }
    let coverage = found.iter().find(|c| c.0 == "chart-coverage").unwrap();
    assert_eq!(coverage.2, 2);
}

#[test]
fn errors_are_listed_with_their_kind() {
    let tmp = TempDir::new("errors");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("good.txt"), "The council met on 4 May 2026.").unwrap();
    std::fs::write(input.join("<bad>.txt"), b"PK\x03\x04\x00\x00binary").unwrap();
    let out = tmp.path().join("out");
    let status = bin()
        .args([
            "run",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
    assert!(bin().arg("report").arg(&out).status().unwrap().success());
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("<h2>Errors (1)</h2>"));
    assert!(page.contains("&lt;bad&gt;.txt"), "doc ids are escaped");
    assert!(page.contains("<td>binary</td>"));
    let errors = charts(&page)
        .into_iter()
        .find(|c| c.0 == "chart-errors")
        .unwrap();
    assert_eq!((errors.1, errors.2), (1, 1));
}

#[test]
fn a_folder_without_a_run_is_a_clear_error() {
    let tmp = TempDir::new("empty");
    let r = bin().arg("report").arg(tmp.path()).output().unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("articles.jsonl not found"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn stdout_output_with_inline_errors_is_reported() {
    use std::io::Write;
    use std::process::Stdio;
    let tmp = TempDir::new("inline");
    let mut child = bin()
        .args(["run", "-", "--stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            r#"{{"doc_id":"ok","text":"The board met in May 2026 [1]."}}"#
        )
        .unwrap();
        writeln!(stdin, r#"{{"doc_id":"bad","text":7}}"#).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    std::fs::write(tmp.path().join("articles.jsonl"), &out.stdout).unwrap();
    assert!(
        bin()
            .arg("report")
            .arg(tmp.path())
            .status()
            .unwrap()
            .success()
    );
    let page = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(page.contains("<b>1</b><span>articles</span>"));
    assert!(page.contains("<h2>Errors (1)</h2>"));
    assert!(page.contains("<td>bad_field</td>"));
    assert!(page.contains("No run.json in this folder."));
}
