//! The `newsextract` binary: parse the command line, call the library, map the result to an exit
//! code (0 all good, 2 some documents failed, 1 fatal).

mod cli;

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;
use newsextract::extract::Options;
use newsextract::run::{RunConfig, run};
use newsextract::{Pipeline, RuleSet};

use cli::{Cli, Command, RuleArgs, RunArgs};

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
    let pipeline = Pipeline::new(&rules, &opts).map_err(anyhow::Error::msg)?;
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
