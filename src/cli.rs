//! Command-line arguments (clap derive). Parsed into raw flags here, turned into real objects in
//! `main.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "newsextract",
    version,
    about = "Turn folders of news articles into analytics-ready JSON Lines: sentences, entities, money, targets, dates, citations."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Process articles into DIR/articles.jsonl, DIR/errors.jsonl and DIR/run.json.
    Run(RunArgs),
    /// Show one document: sentences, mentions with their rules, and dropped candidates.
    Explain(ExplainArgs),
    /// Score against a gold JSONL set (P/R/F1 per field and label, strict and relaxed).
    Eval(EvalArgs),
    /// Compare two runs: mentions added, removed and changed, per field and label.
    Diff(DiffArgs),
    /// Validate and list rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the JSON Schema (draft 2020-12) of one output record.
    Schema,
    /// Write DIR/report.html (a self-contained page) from the outputs of a run in DIR.
    Report {
        /// The output folder of a run.
        #[arg(default_value = "output")]
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// An article file, or - for text on stdin.
    pub input: PathBuf,
    /// text or json
    #[arg(long, default_value = "text")]
    pub format: String,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold JSONL (shared/eval/FORMAT.md).
    #[arg(long)]
    pub gold: PathBuf,
    /// Records to score; without it the pipeline runs on the gold texts.
    #[arg(long)]
    pub pred: Option<PathBuf>,
    /// List up to N false positives and negatives with their context.
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
    /// Entity label map: conll, or A=B,C=D.
    #[arg(long)]
    pub labels: Option<String>,
    /// A gold money mention with currency null accepts any predicted currency.
    #[arg(long)]
    pub null_currency_any: bool,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    pub old: PathBuf,
    pub new: PathBuf,
    /// Examples per field and label.
    #[arg(long, default_value_t = 5)]
    pub examples: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rule files (file:line errors) and run every rule's examples; exit 1 on failure.
    Check {
        /// A rules folder to lay over the built-in rules (default: the built-in rules alone).
        dir: Option<PathBuf>,
    },
    /// List rule ids, kinds, sources and entry counts.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Folders (recursive), .txt/.md files, .jsonl files of {"doc_id","text","published"?}, or - for JSONL on stdin.
    #[arg(default_value = "corpus")]
    pub inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(short = 'o', long = "output", default_value = "output")]
    pub output: PathBuf,
    /// Stream records to stdout instead of writing files (errors inline, one line per input).
    #[arg(long)]
    pub stdout: bool,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Documents larger than this become `too_large` errors.
    #[arg(long, default_value_t = newsextract::run::DEFAULT_MAX_DOC_BYTES)]
    pub max_doc_bytes: u64,
    /// Print the time per stage on stderr (always in run.json).
    #[arg(long)]
    pub timings: bool,
    /// Also write one JSONL file per mention type (sentences.jsonl, entities.jsonl, …), each row with doc_id.
    #[arg(long)]
    pub flat: bool,
    /// Process only shard K of N (K/N, 0-based): a stable split by a hash of doc_id.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Reuse records of the previous complete run in the output folder for unchanged documents (same doc_id and content hash, same version and rules).
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args, Clone)]
pub struct RuleArgs {
    /// A folder laid over the built-in rules: adds entries, overrides them, disables rule ids (disabled.txt).
    #[arg(long = "rules")]
    pub rules_dir: Option<PathBuf>,
    /// ISO 4217 code for a bare "$".
    #[arg(long, default_value = "USD")]
    pub default_dollar: String,
    /// Anchor date (YYYY-MM-DD) for documents that carry none.
    #[arg(long)]
    pub published: Option<String>,
    /// Read 03/04/2026 as month/day instead of day/month.
    #[arg(long)]
    pub month_first: bool,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not K/N"))?;
    let k: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: K is not a number"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("{s:?}: N is not a number"))?;
    if n == 0 || k >= n {
        return Err(format!("{s:?}: need 0 <= K < N"));
    }
    Ok((k, n))
}
