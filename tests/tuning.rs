//! The rule-tuning loop: a user rules folder changes what `run` and `explain` produce; a broken
//! rule file fails with `file:line` and exit 1; `eval` agrees with the reference scorer; `diff`
//! reports changes with exit 1.

mod common;
use common::{bin, repo};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("nx-tune-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn sentences(out: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(out).unwrap();
    v["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_user_rules_folder_adds_entries_and_disables_rules_in_run_and_explain() {
    let dir = temp("overlay");
    let article = dir.join("a.txt");
    std::fs::write(&article, "Ask Prin. Vale about it.Nobody else knows. Fine.").unwrap();
    let rules = dir.join("rules");
    std::fs::create_dir_all(rules.join("segment")).unwrap();
    std::fs::write(rules.join("segment/abbreviations.tsv"), "Prin\tprefix\n").unwrap();
    std::fs::write(rules.join("disabled.txt"), "seg.missing_space\n").unwrap();

    let plain = bin()
        .args(["run", "--stdout", "-q"])
        .arg(&article)
        .output()
        .unwrap();
    assert_eq!(
        sentences(&plain.stdout),
        ["Ask Prin.", "Vale about it.", "Nobody else knows.", "Fine."]
    );
    let tuned = bin()
        .args(["run", "--stdout", "-q", "--rules"])
        .arg(&rules)
        .arg(&article)
        .output()
        .unwrap();
    assert_eq!(
        sentences(&tuned.stdout),
        ["Ask Prin. Vale about it.Nobody else knows.", "Fine."]
    );
    let explain = bin()
        .args(["explain", "--rules"])
        .arg(&rules)
        .arg(&article)
        .output()
        .unwrap();
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(text.contains("[0] 0..42 body"), "{text}");
    let json = bin()
        .args(["explain", "--format", "json", "--rules"])
        .arg(&rules)
        .arg(&article)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["record"]["sentences"].as_array().unwrap().len(), 2);
    assert!(v["dropped"].is_array());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_gazetteer_entry_added_and_a_rule_disabled_change_run_and_explain() {
    let dir = temp("gazetteer");
    let article = dir.join("a.txt");
    std::fs::write(
        &article,
        "Leaders met at the Pacific Islands Forum in Suva on Friday.\n",
    )
    .unwrap();
    let rules = dir.join("rules");
    std::fs::create_dir_all(rules.join("gazetteers/hand")).unwrap();
    std::fs::write(
        rules.join("gazetteers/hand/organisations.tsv"),
        "Pacific Islands Forum\tPacific Islands Forum\t\tORG\n",
    )
    .unwrap();
    std::fs::write(rules.join("disabled.txt"), "gaz.cities\n").unwrap();
    let entities = |extra: &[&str]| -> Vec<(String, String, String)> {
        let out = bin()
            .args(["run", "--stdout", "-q"])
            .args(extra)
            .arg(&article)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["text"].as_str().unwrap().to_string(),
                    e["label"].as_str().unwrap().to_string(),
                    e["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = entities(&[]);
    assert!(
        before.iter().any(|e| e.0 == "Suva" && e.2 == "gaz.cities"),
        "{before:?}"
    );
    assert!(
        !before.iter().any(|e| e.0 == "Pacific Islands Forum"),
        "{before:?}"
    );
    let after = entities(&["--rules", rules.to_str().unwrap()]);
    assert!(
        after.contains(&(
            "Pacific Islands Forum".into(),
            "ORG".into(),
            "gaz.orgs".into()
        )),
        "{after:?}"
    );
    assert!(!after.iter().any(|e| e.2 == "gaz.cities"), "{after:?}");
    let explain = bin()
        .args(["explain", "--rules"])
        .arg(&rules)
        .arg(&article)
        .output()
        .unwrap();
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(text.contains("\"Pacific Islands Forum\" ORG"), "{text}");
    assert!(!text.contains("[gaz.cities]"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_rule_file_fails_with_file_and_line_and_exit_1() {
    let dir = temp("broken");
    std::fs::create_dir_all(dir.join("segment")).unwrap();
    std::fs::write(
        dir.join("segment/abbreviations.tsv"),
        "# mine\nProf\tprefix\nZzq\tsometimes\n",
    )
    .unwrap();
    let out = bin().args(["rules", "check"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("segment/abbreviations.tsv:3: unknown class"),
        "{err}"
    );
    // The same folder given to run is a fatal error too.
    let run = bin()
        .args(["run", "--stdout", "-q", "--rules"])
        .arg(&dir)
        .arg(repo().join("corpus"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn builtin_rules_pass_their_own_check_and_examples() {
    let out = bin().args(["rules", "check"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(" 0 examples"), "{stdout}");
}

#[test]
fn rules_list_reports_the_gazetteer_build_time_and_memory() {
    let out = bin().args(["rules", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("entities: "))
        .unwrap_or_else(|| panic!("no entities build line in\n{stdout}"));
    // `entities: N gazetteer names; tables and name tries built in X ms, Y MiB (tries Z MiB)`
    let names: usize = line["entities: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(names > 10_000, "{line}");
    assert!(
        line.contains(" ms, ") && line.contains(" MiB (tries "),
        "{line}"
    );
}

#[test]
fn a_failing_example_fails_the_check() {
    let dir = temp("example");
    std::fs::create_dir_all(dir.join("segment")).unwrap();
    std::fs::write(
        dir.join("segment/examples.tsv"),
        "seg.abbrev.prefix\t+\tMr. Smith left. Then.\tMr.\n",
    )
    .unwrap();
    let out = bin().args(["rules", "check"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("examples.tsv:1:")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn score_py(gold: &Path, pred: &Path) -> Option<Value> {
    let scorer = repo().join("../shared/tools/score.py");
    if !scorer.exists() {
        eprintln!("skipped: ../shared/tools/score.py is not present");
        return None;
    }
    let out = Command::new("python3")
        .arg(scorer)
        .arg("--gold")
        .arg(gold)
        .arg("--pred")
        .arg(pred)
        .arg("--json")
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

#[test]
fn eval_agrees_with_the_reference_scorer() {
    let mut golds = vec![repo().join("tests/fixtures/eval_small.gold.jsonl")];
    for extra in [
        "../shared/eval/seed/india_italy_partnership.gold.jsonl",
        "../shared/eval/segmentation/golden_rules_en.jsonl",
    ] {
        if repo().join(extra).exists() {
            golds.push(repo().join(extra));
        }
    }
    let dir = temp("eval");
    for gold in golds {
        let pred = dir.join("pred.jsonl");
        let run = bin()
            .args(["run", "--stdout", "-q"])
            .arg(&gold)
            .output()
            .unwrap();
        std::fs::write(&pred, &run.stdout).unwrap();
        let ours = bin()
            .args(["eval", "--json", "--gold"])
            .arg(&gold)
            .arg("--pred")
            .arg(&pred)
            .output()
            .unwrap();
        let ours: Value = serde_json::from_slice(&ours.stdout).unwrap();
        // Without --pred, eval runs the pipeline itself: the same figures.
        let direct = bin()
            .args(["eval", "--json", "--gold"])
            .arg(&gold)
            .output()
            .unwrap();
        assert_eq!(
            ours,
            serde_json::from_slice::<Value>(&direct.stdout).unwrap()
        );
        assert!(ours["sentences.exact"]["tp"].as_u64().unwrap() > 0);
        if let Some(reference) = score_py(&gold, &pred) {
            assert_eq!(ours, reference, "{}", gold.display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_reports_changes_and_exits_1_only_when_different() {
    let dir = temp("diff");
    let a = dir.join("a.jsonl");
    let b = dir.join("b.jsonl");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("disabled.txt"), "seg.abbrev.prefix\n").unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let o = bin()
            .args(["run", "--stdout", "-q"])
            .args(extra)
            .arg(repo().join("corpus"))
            .output()
            .unwrap();
        std::fs::write(out, o.stdout).unwrap();
    };
    run(&a, &[]);
    run(&b, &["--rules", rules.to_str().unwrap()]);
    let same = bin().arg("diff").arg(&a).arg(&a).output().unwrap();
    assert_eq!(same.status.code(), Some(0));
    let diff = bin().arg("diff").arg(&a).arg(&b).output().unwrap();
    assert_eq!(diff.status.code(), Some(1));
    let text = String::from_utf8(diff.stdout).unwrap();
    assert!(text.contains("sentences.body"), "{text}");
    assert!(text.contains("added") && text.contains("removed"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
