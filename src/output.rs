//! Where records go: files in an output folder (written beside their final names and renamed at
//! the end, so an interrupted run never leaves a truncated file that looks complete), or stdout.

use std::fs::File;
use std::io::{self, BufWriter, IoSlice, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::corpus::DocError;
use crate::record::{FLAT_FILES, FlatLines, SCHEMA};

/// A document that could not be processed.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorRecord {
    pub doc_id: String,
    pub source: String,
    pub line: Option<u64>,
    pub kind: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct InlineError<'a> {
    schema: &'static str,
    doc_id: &'a str,
    source: &'a str,
    line: Option<u64>,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: &'a str,
}

impl ErrorRecord {
    pub fn new(doc_id: String, source: String, line: Option<u64>, e: DocError) -> Self {
        ErrorRecord {
            doc_id,
            source,
            line,
            kind: e.kind,
            message: e.message,
        }
    }
}

/// Receives records and errors in output order.
pub trait Sink: Send {
    /// A record line, and its `--flat` rows when asked for.
    fn record(&mut self, line: &[u8], flat: Option<&FlatLines>) -> io::Result<()>;
    fn error(&mut self, e: &ErrorRecord) -> io::Result<()>;
    /// Record lines without `--flat` rows, in order: the same as [`Sink::record`] on each.
    fn records(&mut self, lines: &[&[u8]]) -> io::Result<()> {
        for line in lines {
            self.record(line, None)?;
        }
        Ok(())
    }
    /// Make the output final (rename temporary files); called once, after the last item.
    fn finish(&mut self) -> io::Result<()>;
}

/// `DIR/articles.jsonl` and `DIR/errors.jsonl`, via temporary names.
/// With `--flat`, also `DIR/sentences.jsonl`, `DIR/entities.jsonl`, … (see [`FLAT_FILES`]).
pub struct FolderSink {
    articles: AtomicFile,
    errors: AtomicFile,
    flat: Vec<AtomicFile>,
}

impl FolderSink {
    pub fn create(dir: &Path, flat: bool) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        remove_stale_temporaries(dir);
        let flat = if flat {
            FLAT_FILES
                .iter()
                .map(|name| AtomicFile::create(dir.join(format!("{name}.jsonl"))))
                .collect::<io::Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        Ok(FolderSink {
            articles: AtomicFile::create(dir.join("articles.jsonl"))?,
            errors: AtomicFile::create(dir.join("errors.jsonl"))?,
            flat,
        })
    }
}

impl Sink for FolderSink {
    fn record(&mut self, line: &[u8], flat: Option<&FlatLines>) -> io::Result<()> {
        if let Some(rows) = flat {
            for (file, buf) in self.flat.iter_mut().zip(&rows.0) {
                file.write_all(buf)?;
            }
        }
        self.articles.write_all(line)
    }
    fn records(&mut self, lines: &[&[u8]]) -> io::Result<()> {
        self.articles.write_all_slices(lines)
    }
    fn error(&mut self, e: &ErrorRecord) -> io::Result<()> {
        serde_json::to_writer(&mut self.errors, e)?;
        self.errors.write_all(b"\n")
    }
    fn finish(&mut self) -> io::Result<()> {
        for f in &mut self.flat {
            f.commit()?;
        }
        self.errors.commit()?;
        // articles.jsonl last: when it exists under its name, the run completed.
        self.articles.commit()
    }
}

/// Records on stdout, one line per input (errors inline as `{"doc_id", "error": {…}}`),
/// flushed after each line when `flush_each` (the stdin streaming contract).
pub struct StdoutSink {
    out: BufWriter<io::Stdout>,
    flush_each: bool,
}

impl StdoutSink {
    pub fn new(flush_each: bool) -> Self {
        StdoutSink {
            out: BufWriter::with_capacity(1 << 16, io::stdout()),
            flush_each,
        }
    }
}

impl Sink for StdoutSink {
    fn record(&mut self, line: &[u8], _flat: Option<&FlatLines>) -> io::Result<()> {
        self.out.write_all(line)?;
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }
    fn error(&mut self, e: &ErrorRecord) -> io::Result<()> {
        serde_json::to_writer(
            &mut self.out,
            &InlineError {
                schema: SCHEMA,
                doc_id: &e.doc_id,
                source: &e.source,
                line: e.line,
                error: ErrorBody {
                    kind: e.kind,
                    message: &e.message,
                },
            },
        )?;
        self.out.write_all(b"\n")?;
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A file written under `.NAME.tmp-PID` and renamed to `NAME` by [`AtomicFile::commit`].
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(dest: PathBuf) -> io::Result<Self> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", tmp.display()))
        })?;
        Ok(AtomicFile {
            tmp,
            dest,
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Writes `bufs` one after the other. A chunk's records, larger than the buffer, go to the
    /// file in `writev` calls straight from their own buffers instead of being copied first.
    pub fn write_all_slices(&mut self, bufs: &[&[u8]]) -> io::Result<()> {
        let mut slices: Vec<IoSlice> = bufs.iter().map(|b| IoSlice::new(b)).collect();
        let mut rest = &mut slices[..];
        IoSlice::advance_slices(&mut rest, 0); // skips empty slices
        while !rest.is_empty() {
            match self.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    pub fn commit(&mut self) -> io::Result<()> {
        if let Some(mut out) = self.out.take() {
            out.flush()?;
            out.get_ref().sync_all()?;
            drop(out);
            std::fs::rename(&self.tmp, &self.dest)?;
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Some(o) => o.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match &mut self.out {
            Some(o) => o.write_vectored(bufs),
            None => Err(io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed: an interrupted or failed run leaves no file under the final name.
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Remove `.NAME.tmp-PID` files left by runs that were killed (their process is gone). Only
/// where `/proc` tells which processes live; elsewhere they stay (harmless, never read).
fn remove_stale_temporaries(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, pid)) = name.rsplit_once(".tmp-") else {
            continue;
        };
        if name.starts_with('.')
            && pid.parse::<u32>().is_ok()
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Write `value` as pretty JSON to `path` atomically.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let mut f = AtomicFile::create(path.to_path_buf())?;
    serde_json::to_writer_pretty(&mut f, value)?;
    f.write_all(b"\n")?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_written_whole_and_in_order() {
        let dir = std::env::temp_dir().join(format!("nx-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("slices.jsonl");
        let mut f = AtomicFile::create(dest.clone()).unwrap();
        // small runs (copied into the buffer), empty slices, and runs larger than the buffer
        // (written from the slices themselves, across several writev calls)
        let big: Vec<Vec<u8>> = (0..1500u32)
            .map(|i| vec![b'a' + (i % 26) as u8; 1000 + i as usize % 7])
            .collect();
        let big: Vec<&[u8]> = big.iter().map(|b| b.as_slice()).collect();
        let runs: [&[&[u8]]; 5] = [
            &[b"one\n", b"", b"two\n"],
            &[],
            &big,
            &[b"", b""],
            &[b"three\n"],
        ];
        let mut want = Vec::new();
        for run in runs {
            f.write_all_slices(run).unwrap();
            want.extend(run.iter().flat_map(|s| s.iter().copied()));
            f.write_all(b"|").unwrap();
            want.push(b'|');
        }
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), want);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
