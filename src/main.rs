//! The `newsextract` binary: parse the command line, call the library, map the result to an exit
//! code (0 all good, 2 some documents failed, 1 fatal).

mod cli;

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use newsextract::extract::Options;
use newsextract::run::{RunConfig, run};
use newsextract::{Pipeline, RuleSet};

use cli::{Cli, Command, DiffArgs, EvalArgs, ExplainArgs, RuleArgs, RulesCommand, RunArgs};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // Bad arguments are fatal (exit 1) with one line, not clap's usage block.
            let msg = e.to_string();
            let first = msg.lines().next().unwrap_or("bad arguments");
            eprintln!(
                "newsextract: {} (see --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(1);
        }
    };
    let command = cli.command.unwrap_or_else(|| {
        Command::Run(RunArgs {
            inputs: vec!["corpus".into()],
            output: "output".into(),
            stdout: false,
            threads: 0,
            quiet: false,
            max_doc_bytes: newsextract::run::DEFAULT_MAX_DOC_BYTES,
            timings: false,
            flat: false,
            shard: None,
            resume: false,
            rules: RuleArgs {
                rules_dir: None,
                default_dollar: "USD".into(),
                published: None,
                month_first: false,
            },
        })
    });
    match dispatch(command) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("newsextract: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn dispatch(command: Command) -> Result<i32> {
    match command {
        Command::Run(args) => cmd_run(args),
        Command::Explain(args) => cmd_explain(args),
        Command::Eval(args) => cmd_eval(args),
        Command::Diff(args) => cmd_diff(args),
        Command::Rules(RulesCommand::Check { dir }) => cmd_rules_check(dir),
        Command::Rules(RulesCommand::List { rules, json }) => cmd_rules_list(rules, json),
        Command::Schema => {
            println!(
                "{}",
                serde_json::to_string_pretty(&newsextract::schema::record_schema())?
            );
            Ok(0)
        }
        Command::Report { dir } => {
            let path = newsextract::report::write_report(&dir)?;
            eprintln!("newsextract: wrote {}", path.display());
            Ok(0)
        }
    }
}

fn cmd_explain(args: ExplainArgs) -> Result<i32> {
    let (rules, opts) = load_rules(&args.rules)?;
    let pipeline = Pipeline::new(&rules, &opts).map_err(anyhow::Error::msg)?;
    let doc = if args.input.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        newsextract::corpus::decode_document("-", &bytes)
    } else {
        let item = newsextract::corpus::Item::File {
            doc_id: args
                .input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: args.input.clone(),
            size: std::fs::metadata(&args.input).map_or(0, |m| m.len()),
        };
        newsextract::corpus::load(&item, newsextract::run::DEFAULT_MAX_DOC_BYTES)
    }
    .map_err(|e| anyhow::anyhow!("{}: {} ({})", args.input.display(), e.message, e.kind))?;
    match args.format.as_str() {
        "json" => println!(
            "{}",
            serde_json::to_string_pretty(&newsextract::explain::explain_json(&pipeline, &doc))?
        ),
        "text" => print!("{}", newsextract::explain::explain_text(&pipeline, &doc)),
        other => bail!("--format {other:?}: use text or json"),
    }
    Ok(0)
}

fn cmd_eval(args: EvalArgs) -> Result<i32> {
    use newsextract::eval;
    let gold_text = std::fs::read_to_string(&args.gold)
        .with_context(|| format!("cannot read {}", args.gold.display()))?;
    let gold = eval::load_docs(&gold_text, &args.gold.display().to_string())
        .map_err(anyhow::Error::msg)?;
    let pred_text = match &args.pred {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?
        }
        None => {
            let (rules, opts) = load_rules(&args.rules)?;
            let pipeline = Pipeline::new(&rules, &opts).map_err(anyhow::Error::msg)?;
            let dir = std::env::temp_dir().join(format!("newsextract-eval-{}", std::process::id()));
            let cfg = RunConfig {
                inputs: vec![args.gold.clone()],
                out_dir: dir.clone(),
                stdout: false,
                threads: args.threads,
                quiet: true,
                max_doc_bytes: newsextract::run::DEFAULT_MAX_DOC_BYTES,
                timings: false,
                rules_hash: rules.hash(),
                flat: false,
                shard: None,
                resume: false,
            };
            run(&pipeline, &cfg)?;
            let text = std::fs::read_to_string(dir.join("articles.jsonl"))?;
            let _ = std::fs::remove_dir_all(&dir);
            text
        }
    };
    let pred = eval::load_docs(&pred_text, "prediction").map_err(anyhow::Error::msg)?;
    let opts = eval::EvalOptions {
        labels: args
            .labels
            .as_deref()
            .map(eval::label_map)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        null_currency_any: args.null_currency_any,
    };
    let scores = eval::score(&gold, &pred, &opts);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores.to_json())?);
    } else {
        print!("{}", scores.to_text());
        if args.errors > 0 {
            println!(
                "
most frequent error kinds:"
            );
            for (k, n) in scores.error_kinds(10) {
                println!("  {n:>5}  {k}");
            }
            println!(
                "
errors (first {}):",
                args.errors
            );
            for e in scores.errors.iter().take(args.errors) {
                println!(
                    "  {} {} {} {:?} {}\n      {}",
                    e.kind, e.field, e.doc_id, e.text, e.label, e.context
                );
            }
        }
    }
    Ok(0)
}

fn cmd_diff(args: DiffArgs) -> Result<i32> {
    let old = std::fs::read_to_string(&args.old)
        .with_context(|| format!("cannot read {}", args.old.display()))?;
    let new = std::fs::read_to_string(&args.new)
        .with_context(|| format!("cannot read {}", args.new.display()))?;
    let report = newsextract::diff::diff(&old, &new, args.examples).map_err(anyhow::Error::msg)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.is_equal() { 0 } else { 1 })
}

fn cmd_rules_check(dir: Option<std::path::PathBuf>) -> Result<i32> {
    let rules = match RuleSet::with_overlay(dir.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return Ok(1);
        }
    };
    let report = newsextract::rules::check::check(&rules, &Options::default());
    for e in &report.errors {
        eprintln!("{e}");
    }
    for f in &report.failures {
        eprintln!("{f}");
    }
    println!(
        "rules check: {} files, {} examples, {} errors, {} failing examples",
        rules.paths().count(),
        report.examples,
        report.errors.len(),
        report.failures.len()
    );
    Ok(if report.ok() { 0 } else { 1 })
}

fn cmd_rules_list(args: RuleArgs, json: bool) -> Result<i32> {
    let (rules, opts) = load_rules(&args)?;
    let pipeline = Pipeline::new(&rules, &opts).map_err(anyhow::Error::msg)?;
    let infos = pipeline.rule_infos();
    if json {
        println!("{}", serde_json::to_string_pretty(&infos)?);
        return Ok(0);
    }
    println!("{:<36} {:<10} {:>8}  source", "id", "kind", "entries");
    for i in &infos {
        println!("{:<36} {:<10} {:>8}  {}", i.id, i.kind, i.entries, i.source);
    }
    println!(
        "
files:"
    );
    for p in rules.paths() {
        println!("  rules/{p}: {} entries", rules.lines(p).count());
    }
    let disabled: Vec<&str> = rules.disabled().collect();
    if !disabled.is_empty() {
        println!(
            "
disabled: {}",
            disabled.join(", ")
        );
    }
    for (stage, note) in pipeline.build_notes() {
        println!("{stage}: {note}");
    }
    println!("ruleset hash: {}", rules.hash());
    Ok(0)
}

fn load_rules(args: &RuleArgs) -> Result<(RuleSet, Options)> {
    let rules = RuleSet::with_overlay(args.rules_dir.as_deref()).map_err(anyhow::Error::msg)?;
    if let Some(p) = &args.published
        && newsextract::corpus::normalise_date(p).is_none()
    {
        bail!("--published {p:?} is not a YYYY-MM-DD date");
    }
    let code = args.default_dollar.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        bail!(
            "--default-dollar {:?} is not an ISO 4217 code",
            args.default_dollar
        );
    }
    let opts = Options {
        default_dollar: code,
        published: args.published.clone(),
        day_first: !args.month_first,
    };
    Ok((rules, opts))
}

fn cmd_run(args: RunArgs) -> Result<i32> {
    let (rules, opts) = load_rules(&args.rules)?;
    // never dropped: the process ends right after the run, and freeing the ~60k-entry lexicon
    // piece by piece costs more than a small run
    let pipeline =
        std::mem::ManuallyDrop::new(Pipeline::new(&rules, &opts).map_err(anyhow::Error::msg)?);
    for input in &args.inputs {
        if input.as_os_str() != "-" && !input.exists() {
            bail!("input {} does not exist", input.display());
        }
    }
    let cfg = RunConfig {
        inputs: args.inputs,
        out_dir: args.output,
        stdout: args.stdout,
        threads: args.threads,
        quiet: args.quiet,
        max_doc_bytes: args.max_doc_bytes,
        timings: args.timings,
        rules_hash: rules.hash(),
        flat: args.flat,
        shard: args.shard,
        resume: args.resume,
    };
    let summary = run(&pipeline, &cfg).context("run failed")?;
    if summary.broken_pipe {
        return Ok(0);
    }
    if !cfg.quiet {
        let c = &summary.counts;
        let dest = if cfg.stdout {
            "stdout".to_string()
        } else {
            cfg.out_dir.join("articles.jsonl").display().to_string()
        };
        eprintln!(
            "newsextract: {} records, {} errors, {} skipped → {dest} ({:.1} MB/s)",
            c.records, c.errors, c.skipped, summary.mb_per_second
        );
    }
    Ok(summary.exit_code())
}
