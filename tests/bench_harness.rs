//! The benchmark harness on a tiny corpus, so that it cannot rot: `scripts/bench.sh` builds its
//! corpus, runs the binary at 1 and 2 threads and on one JSONL file, and prints its figures.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn bench_script_runs_on_a_tiny_corpus_and_prints_throughput_and_memory() {
    if !PathBuf::from("/usr/bin/time").exists()
        || Command::new("python3").arg("-V").output().is_err()
    {
        eprintln!("skipped: needs /usr/bin/time and python3");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::temp_dir().join(format!("nx-bench-{}", std::process::id()));
    let out = Command::new("bash")
        .arg(repo.join("scripts/bench.sh"))
        .arg("0.3")
        .env("NEWSEXTRACT_BIN", env!("CARGO_BIN_EXE_newsextract"))
        .env("BENCH_DATA", &data)
        .output()
        .unwrap();
    // The records (3.5 times the input) are removed once measured.
    let left_over = data.join("out-files-1").exists();
    let _ = std::fs::remove_dir_all(&data);
    assert!(!left_over, "bench.sh left its records behind");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for label in [
        "files          threads 1",
        "files          threads 2",
        "jsonl          threads 2",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no line for {label}: {stdout}"));
        assert!(line.contains("MB/s") && line.contains("peak RSS"), "{line}");
    }
    assert!(stdout.contains("stages (summed over threads): "));
}
