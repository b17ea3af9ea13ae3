//! A run: plan the inputs, process them in parallel in ordered chunks, write records in order,
//! and account for every input in `run.json`.
//!
//! Ordered parallelism: items are cut into chunks of bounded size as the folders are walked; two
//! chunks at a time are processed by the rayon pool while the writer thread writes the ones
//! before, in order. Memory is bounded by a few chunks, never by the corpus; output is
//! byte-identical whatever the number of threads.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;

use crate::corpus::{self, DocError, Item, Skipped};
use crate::output::{ErrorRecord, FolderSink, Sink, StdoutSink, write_json_atomic};
use crate::pipeline::{Pipeline, StageTimes, stage_names};
use crate::record::{FlatLines, SCHEMA};
use crate::resume::Previous;

/// Default `--max-doc-bytes`: 64 MiB.
pub const DEFAULT_MAX_DOC_BYTES: u64 = 64 << 20;
// A chunk's records are ~3.5 times its input, and two chunks are in memory (one processed, one
// written): 2 MB keeps peak memory low (8 MB chunks made it 140 MB instead of 92 MB on 1 GB).
const CHUNK_BYTES: u64 = 2 << 20;
const CHUNK_DOCS: usize = 512;

#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Folders, files, `.jsonl` files, or `-` for JSONL on stdin.
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub stdout: bool,
    /// 0: one per core.
    pub threads: usize,
    pub quiet: bool,
    pub max_doc_bytes: u64,
    /// Print the time per stage on stderr.
    pub timings: bool,
    pub rules_hash: String,
    /// Also write one JSONL file per mention type (`--flat`).
    pub flat: bool,
    /// `--shard K/N`: only the inputs whose doc_id hashes to K of N.
    pub shard: Option<(u64, u64)>,
    /// `--resume`: reuse unchanged records of the previous complete run in `out_dir`.
    pub resume: bool,
}

/// What a run did; `run.json` is this, serialised.
#[derive(Debug, Default, Serialize)]
pub struct RunSummary {
    pub schema: &'static str,
    pub version: &'static str,
    pub rules_hash: String,
    pub inputs: Vec<String>,
    pub threads: usize,
    pub counts: Counts,
    pub errors_by_kind: BTreeMap<String, u64>,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first 1,000 skipped files with their reasons.
    pub skipped: Vec<SkippedRec>,
    /// Records copied from the previous run by `--resume` (part of `counts.records`).
    pub resumed: u64,
    pub bytes: u64,
    pub wall_seconds: f64,
    pub mb_per_second: f64,
    /// Seconds per stage, summed over threads.
    pub stage_seconds: BTreeMap<String, f64>,
    #[serde(skip)]
    pub broken_pipe: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    /// Everything the run was given: records + errors + skipped.
    pub inputs: u64,
    pub records: u64,
    pub errors: u64,
    pub skipped: u64,
}

#[derive(Debug, Serialize)]
pub struct SkippedRec {
    pub path: String,
    pub reason: String,
}

impl RunSummary {
    pub fn exit_code(&self) -> i32 {
        if self.counts.errors > 0 { 2 } else { 0 }
    }
}

/// One processed item, in output order.
struct Outcome {
    result: Result<(Vec<u8>, Option<FlatLines>), ErrorRecord>,
    resumed: bool,
    bytes: u64,
    times: StageTimes,
}

pub fn run(pipeline: &Pipeline, cfg: &RunConfig) -> Result<RunSummary> {
    let started = Instant::now();
    let threads = if cfg.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        cfg.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let mut summary = RunSummary {
        schema: SCHEMA,
        version: env!("CARGO_PKG_VERSION"),
        rules_hash: cfg.rules_hash.clone(),
        inputs: cfg.inputs.iter().map(|p| p.display().to_string()).collect(),
        threads,
        ..Default::default()
    };
    let stdin_mode = cfg.inputs.len() == 1 && cfg.inputs[0].as_os_str() == "-";
    if cfg.inputs.iter().any(|p| p.as_os_str() == "-") && !stdin_mode {
        anyhow::bail!("'-' (stdin) cannot be combined with other inputs");
    }
    if stdin_mode && cfg.shard.is_some() {
        anyhow::bail!("--shard splits folders and files; stdin is already split by its caller");
    }
    let mut sink: Box<dyn Sink> =
        if cfg.stdout {
            Box::new(StdoutSink::new(stdin_mode))
        } else {
            Box::new(FolderSink::create(&cfg.out_dir, cfg.flat).with_context(|| {
                format!("cannot write to output folder {}", cfg.out_dir.display())
            })?)
        };
    let mut times = StageTimes::default();
    let previous = if cfg.resume {
        if cfg.stdout || stdin_mode || cfg.flat {
            anyhow::bail!(
                "--resume needs an output folder, and cannot be combined with --stdout, stdin or --flat"
            );
        }
        match Previous::open(&cfg.out_dir, &cfg.rules_hash) {
            Ok(p) => Some(p),
            Err(why) => {
                if !cfg.quiet {
                    eprintln!("newsextract: --resume: {why}; processing everything");
                }
                None
            }
        }
    } else {
        None
    };
    let resume = previous.as_ref();

    let write_result = if stdin_mode {
        run_stdin(
            pipeline,
            cfg,
            &pool,
            sink.as_mut(),
            &mut summary,
            &mut times,
        )
    } else {
        let keep = |id: &str| cfg.shard.is_none_or(|(k, n)| shard_of(id, n) == k);
        // the sizes are for the progress bar's total: not measured when there is no bar
        let sizes = progress_shown(cfg);
        let plan = corpus::plan(&cfg.inputs, &keep, sizes).context("cannot read input")?;
        record_skips(&mut summary, &plan.skipped);
        run_items(
            pipeline,
            cfg,
            &pool,
            plan.items(&keep),
            (plan.docs, plan.bytes),
            resume,
            sink.as_mut(),
            &mut summary,
            &mut times,
        )
    };
    match write_result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            summary.broken_pipe = true;
            return Ok(summary);
        }
        Err(e) => return Err(e).context("cannot write output"),
        Ok(()) => {}
    }
    match sink.finish() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            summary.broken_pipe = true;
            return Ok(summary);
        }
        r => r.context("cannot finish output")?,
    }

    summary.counts.inputs = summary.counts.records + summary.counts.errors + summary.counts.skipped;
    summary.wall_seconds = started.elapsed().as_secs_f64();
    summary.mb_per_second = if summary.wall_seconds > 0.0 {
        summary.bytes as f64 / 1e6 / summary.wall_seconds
    } else {
        0.0
    };
    for (name, ns) in stage_names(pipeline).into_iter().zip(&times.0) {
        summary
            .stage_seconds
            .insert(name.to_string(), *ns as f64 / 1e9);
    }
    if !cfg.stdout {
        write_json_atomic(&cfg.out_dir.join("run.json"), &summary)
            .context("cannot write run.json")?;
    }
    if cfg.timings {
        eprintln!("stage seconds (summed over threads):");
        for (name, s) in &summary.stage_seconds {
            eprintln!("  {name:<12} {s:>9.3}");
        }
    }
    Ok(summary)
}

fn record_skips(summary: &mut RunSummary, skipped: &[Skipped]) {
    for s in skipped {
        summary.counts.skipped += 1;
        *summary
            .skipped_by_reason
            .entry(s.reason.clone())
            .or_default() += 1;
        if summary.skipped.len() < 1000 {
            summary.skipped.push(SkippedRec {
                path: s.path.clone(),
                reason: s.reason.clone(),
            });
        }
    }
}

/// Which of `n` shards a doc_id belongs to: a stable hash, the same on every machine.
pub fn shard_of(doc_id: &str, n: u64) -> u64 {
    let h = blake3::hash(doc_id.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(first) % n.max(1)
}

/// Documents per stage-major batch (see [`Pipeline::run_batch`]), and its byte budget.
const BATCH_DOCS: usize = 32;
const BATCH_BYTES: u64 = 256 << 10;

/// Whether a chunk or batch of `n` items and `bytes` bytes takes one more (it always takes one).
fn has_room(n: usize, bytes: u64, max_docs: usize, max_bytes: u64) -> bool {
    n < max_docs && (bytes < max_bytes || n == 0)
}

/// Consecutive ranges of `0..len` with at most `max_docs` items and about `max_bytes` each (an
/// item larger than that makes a range of its own): the ordered chunks and the batches in them.
fn bounded_ranges(
    len: usize,
    size: impl Fn(usize) -> u64,
    max_docs: usize,
    max_bytes: u64,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < len {
        let mut end = start;
        let mut bytes = 0;
        while end < len && has_room(end - start, bytes, max_docs, max_bytes) {
            bytes += size(end);
            end += 1;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// Outcomes of a batch of items, in order: reused from `--resume` where possible, the rest
/// annotated together.
fn process_batch(
    pipeline: &Pipeline,
    items: &[Item],
    cfg: &RunConfig,
    resume: Option<&Previous>,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = items
        .iter()
        .map(|item| {
            let line = resume.and_then(|p| p.reuse(item, cfg.max_doc_bytes))?;
            Some(Outcome {
                bytes: item.size(),
                result: Ok((line, None)),
                resumed: true,
                times: StageTimes::default(),
            })
        })
        .collect();
    let todo: Vec<&Item> = items
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.is_none())
        .map(|(item, _)| item)
        .collect();
    let mut times = StageTimes::default();
    let keep_open = corpus::KeepOpen::new();
    let mut done = pipeline
        .run_batch(&todo, cfg.max_doc_bytes, cfg.flat, &mut times)
        .into_iter();
    drop(keep_open);
    for (item, slot) in items.iter().zip(outcomes.iter_mut()) {
        if slot.is_some() {
            continue;
        }
        let result = done
            .next()
            .unwrap_or_else(|| Err(DocError::new("internal", "no outcome")));
        *slot = Some(Outcome {
            bytes: item.size(),
            resumed: false,
            result: result
                .map(|d| (d.line, d.flat))
                .map_err(|e| error_record(item, e)),
            // the batch's stage times go with its first fresh document
            times: std::mem::take(&mut times),
        });
    }
    outcomes.into_iter().flatten().collect()
}

fn error_record(item: &Item, e: DocError) -> ErrorRecord {
    let (source, line) = match item {
        Item::File { path, .. } | Item::JsonlLine { path, .. } => {
            (path.display().to_string(), line_of(item))
        }
        Item::Inline { source, line, .. } => (source.clone(), Some(*line)),
        Item::Failed { source, line, .. } => (source.clone(), *line),
    };
    let doc_id = match item {
        Item::Inline { raw, line, .. } => {
            corpus::inline_doc_id(raw).unwrap_or_else(|| format!("-:{line}"))
        }
        other => other.doc_id().to_string(),
    };
    ErrorRecord::new(doc_id, source, line, e)
}

fn line_of(item: &Item) -> Option<u64> {
    match item {
        Item::JsonlLine { line, .. } => Some(*line),
        _ => None,
    }
}

fn write_outcomes(
    outcomes: Vec<Outcome>,
    sink: &mut dyn Sink,
    summary: &mut RunSummary,
    times: &mut StageTimes,
) -> io::Result<()> {
    // Consecutive plain records are handed to the sink together (written straight from their
    // buffers); anything else is written in its place after them.
    let mut run: Vec<&[u8]> = Vec::with_capacity(outcomes.len());
    for o in &outcomes {
        summary.bytes += o.bytes;
        summary.resumed += u64::from(o.resumed);
        times.add(&o.times);
        match &o.result {
            Ok((line, None)) => {
                summary.counts.records += 1;
                run.push(line);
            }
            Ok((line, Some(flat))) => {
                summary.counts.records += 1;
                sink.records(&run)?;
                run.clear();
                sink.record(line, Some(flat))?;
            }
            Err(e) => {
                summary.counts.errors += 1;
                *summary
                    .errors_by_kind
                    .entry(e.kind.to_string())
                    .or_default() += 1;
                sink.records(&run)?;
                run.clear();
                sink.error(e)?;
            }
        }
    }
    sink.records(&run)?;
    Ok(())
}

fn progress_shown(cfg: &RunConfig) -> bool {
    !cfg.quiet && io::stderr().is_terminal()
}

fn progress_bar(cfg: &RunConfig, total_bytes: u64) -> Option<indicatif::ProgressBar> {
    if !progress_shown(cfg) {
        return None;
    }
    let pb = indicatif::ProgressBar::new(total_bytes);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(pb)
}

/// Folder, file and JSONL-file inputs: sorted items, ordered chunks, a writer thread.
#[allow(clippy::too_many_arguments)] // the run's parts, each used once
fn run_items(
    pipeline: &Pipeline,
    cfg: &RunConfig,
    pool: &rayon::ThreadPool,
    mut items: impl Iterator<Item = Item>,
    (n_items, total): (usize, u64),
    resume: Option<&Previous>,
    sink: &mut dyn Sink,
    summary: &mut RunSummary,
    times: &mut StageTimes,
) -> io::Result<()> {
    let pb = progress_bar(cfg, total);
    let (tx, rx) = sync_channel::<Vec<Outcome>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            let mut done = 0usize;
            for chunk in rx {
                let bytes: u64 = chunk.iter().map(|o| o.bytes).sum();
                done += chunk.len();
                write_outcomes(chunk, sink, summary, times)?;
                if let Some(pb) = &pb {
                    pb.inc(bytes);
                    pb.set_message(format!("{done}/{n_items} documents"));
                }
            }
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            Ok(())
        });
        // Two chunks in flight: the pool starts on the next one while the last batches of the
        // current one finish (no idle thread at a chunk's end), and the folders are walked on
        // while it works; finished chunks go to the writer in order.
        pool.in_place_scope(|s| {
            let mut in_flight: VecDeque<Receiver<Vec<Outcome>>> = VecDeque::new();
            loop {
                let chunk = next_chunk(&mut items);
                let end = chunk.is_empty();
                if !end {
                    let (done_tx, done_rx) = sync_channel(1);
                    s.spawn(move |_| {
                        let _ = done_tx.send(process_chunk(pipeline, &chunk, cfg, resume));
                    });
                    in_flight.push_back(done_rx);
                }
                while in_flight.len() > usize::from(!end) {
                    let Some(Ok(outcomes)) = in_flight.pop_front().map(|rx| rx.recv()) else {
                        return; // the job panicked: the scope passes the panic on
                    };
                    if tx.send(outcomes).is_err() {
                        return; // the writer failed; its error is returned below
                    }
                }
                if end {
                    return;
                }
            }
        });
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer thread panicked")))
    })
}

/// Outcomes of a chunk, in order: its batches processed in parallel.
fn process_chunk(
    pipeline: &Pipeline,
    chunk: &[Item],
    cfg: &RunConfig,
    resume: Option<&Previous>,
) -> Vec<Outcome> {
    let batches = bounded_ranges(chunk.len(), |i| chunk[i].size(), BATCH_DOCS, BATCH_BYTES);
    batches
        .par_iter()
        .map(|b| process_batch(pipeline, &chunk[b.clone()], cfg, resume))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// The next items up to [`CHUNK_DOCS`] documents or [`CHUNK_BYTES`] bytes (at least one).
fn next_chunk(items: &mut impl Iterator<Item = Item>) -> Vec<Item> {
    let mut chunk = Vec::new();
    let mut bytes = 0;
    while has_room(chunk.len(), bytes, CHUNK_DOCS, CHUNK_BYTES) {
        let Some(item) = items.next() else { break };
        bytes += item.size();
        chunk.push(item);
    }
    chunk
}

/// `-`: JSONL on stdin, one output line per input line, in input order. Lines are taken as they
/// arrive (whatever is ready, up to a chunk) so a caller that waits for each answer is served.
fn run_stdin(
    pipeline: &Pipeline,
    cfg: &RunConfig,
    pool: &rayon::ThreadPool,
    sink: &mut dyn Sink,
    summary: &mut RunSummary,
    times: &mut StageTimes,
) -> io::Result<()> {
    let (tx, rx) = sync_channel::<io::Result<(u64, String)>>(4096);
    std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut lock = stdin.lock();
        let mut line_no = 0u64;
        loop {
            let mut buf = Vec::new();
            match lock.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    line_no += 1;
                    while matches!(buf.last(), Some(b'\n' | b'\r')) {
                        buf.pop();
                    }
                    let raw = String::from_utf8(buf)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                    if tx.send(Ok((line_no, raw))).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        }
    });
    let source = "-".to_string();
    loop {
        let Some(batch) = next_batch(&rx, &source)? else {
            return Ok(());
        };
        // one document per batch: lines arrive one by one and each is answered at once
        let outcomes: Vec<Outcome> = pool.install(|| {
            batch
                .par_iter()
                .flat_map_iter(|item| {
                    process_batch(pipeline, std::slice::from_ref(item), cfg, None)
                })
                .collect()
        });
        write_outcomes(outcomes, sink, summary, times)?;
    }
}

/// Block for one line, then take whatever else is ready (up to a chunk). Blank lines are skipped.
fn next_batch(
    rx: &Receiver<io::Result<(u64, String)>>,
    source: &str,
) -> io::Result<Option<Vec<Item>>> {
    let mut batch = Vec::new();
    let mut bytes = 0u64;
    loop {
        let msg = if batch.is_empty() {
            match rx.recv() {
                Ok(m) => m,
                Err(_) => return Ok(None),
            }
        } else {
            match rx.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => {
                    return Ok(Some(batch));
                }
            }
        };
        let (line, raw) = msg?;
        if raw.trim().is_empty() {
            continue;
        }
        bytes += raw.len() as u64;
        batch.push(Item::Inline {
            source: source.to_string(),
            line,
            raw,
        });
        if batch.len() >= CHUNK_DOCS || bytes >= CHUNK_BYTES {
            return Ok(Some(batch));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logs what it is given, in order.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl Sink for Log {
        fn record(&mut self, line: &[u8], flat: Option<&FlatLines>) -> io::Result<()> {
            let flat = if flat.is_some() { " +flat" } else { "" };
            self.0
                .push(format!("{}{flat}", String::from_utf8_lossy(line)));
            Ok(())
        }
        fn error(&mut self, e: &ErrorRecord) -> io::Result<()> {
            self.0.push(format!("error {}", e.doc_id));
            Ok(())
        }
        fn finish(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn outcome(result: Result<(Vec<u8>, Option<FlatLines>), ErrorRecord>) -> Outcome {
        Outcome {
            result,
            resumed: false,
            bytes: 10,
            times: StageTimes::default(),
        }
    }

    #[test]
    fn outcomes_are_written_in_order_around_errors_and_flat_rows() {
        let ok = |s: &str| outcome(Ok((s.as_bytes().to_vec(), None)));
        let err = |id: &str| {
            let e = DocError::new("unreadable", "gone");
            outcome(Err(ErrorRecord::new(id.into(), "src".into(), None, e)))
        };
        let flat = outcome(Ok((b"f".to_vec(), Some(FlatLines::default()))));
        let chunk = vec![ok("a"), ok("b"), err("x"), ok("c"), flat, ok("d"), err("y")];
        let (mut log, mut summary) = (Log::default(), RunSummary::default());
        write_outcomes(chunk, &mut log, &mut summary, &mut StageTimes::default()).unwrap();
        let want = ["a", "b", "error x", "c", "f +flat", "d", "error y"];
        assert_eq!(log.0, want);
        assert_eq!(summary.counts.records, 5);
        assert_eq!(summary.counts.errors, 2);
        assert_eq!(summary.errors_by_kind["unreadable"], 2);
        assert_eq!(summary.bytes, 70);
    }
}
