//! Inputs: walk folders in sorted order, index JSONL files, read and decode bytes, and build
//! [`Document`]s. Every input ends up as a document, an error, or a skip with its reason.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::document::{Document, Metadata, Source};

/// Extensions read as articles from folders.
pub const ARTICLE_EXTENSIONS: &[&str] = &["txt", "md", "markdown", "text"];

/// Why a document could not be read. `kind` values are stable (they go into `errors.jsonl`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct DocError {
    pub kind: &'static str,
    pub message: String,
}

impl DocError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        DocError {
            kind,
            message: message.into(),
        }
    }
}

/// One unit of work, cheap to hold for a whole corpus: the text is read later.
#[derive(Debug, Clone)]
pub enum Item {
    File {
        path: PathBuf,
        doc_id: String,
        size: u64,
    },
    JsonlLine {
        path: PathBuf,
        line: u64,
        offset: u64,
        len: u64,
        doc_id: String,
    },
    /// A JSONL line already in memory (stdin).
    Inline {
        source: String,
        line: u64,
        raw: String,
    },
    /// Known bad before reading (walk error, malformed JSONL line, duplicate id).
    Failed {
        doc_id: String,
        source: String,
        line: Option<u64>,
        error: DocError,
    },
}

impl Item {
    pub fn doc_id(&self) -> &str {
        match self {
            Item::File { doc_id, .. }
            | Item::JsonlLine { doc_id, .. }
            | Item::Failed { doc_id, .. } => doc_id,
            Item::Inline { raw, .. } => raw.as_str(),
        }
    }
    /// Approximate size in bytes, for chunking.
    pub fn size(&self) -> u64 {
        match self {
            Item::File { size, .. } => *size,
            Item::JsonlLine { len, .. } => *len,
            Item::Inline { raw, .. } => raw.len() as u64,
            Item::Failed { .. } => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// Everything a run will do, in output order.
///
/// Article files under folder inputs are counted here but not listed: [`Plan::items`] walks the
/// folders again as the run goes, in `doc_id` order, so memory does not grow with the number of
/// files. What is listed up front is what cannot be found in order by walking: JSONL lines
/// (their ids are inside the file), files named on the command line, walk errors.
#[derive(Debug, Default)]
pub struct Plan {
    /// The listed items, sorted by `doc_id` (stable).
    listed: Items,
    /// Skipped inputs (already filtered).
    pub skipped: Vec<Skipped>,
    /// Folder inputs with the number of folder files walked before each.
    folders: Vec<(PathBuf, u64)>,
    /// Documents the run will read, and their bytes (what the filter keeps; for progress).
    pub docs: usize,
    pub bytes: u64,
}

/// The listed items, kept compact: a 40-byte entry and the `doc_id`'s bytes per item (a JSONL
/// file of millions of lines stays small). Whole [`Item`]s are made one at a time by `get`.
#[derive(Debug, Default)]
struct Items {
    /// Every `doc_id`, one after the other.
    ids: String,
    entries: Vec<Entry>,
    /// JSONL files.
    sources: Vec<PathBuf>,
    /// JSONL lines: (index into `sources`, line number).
    lines: Vec<(u32, u64)>,
    /// Items kept whole: errors, files named on the command line, non-UTF-8 paths.
    whole: Vec<Item>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    id_start: u64,
    /// Bytes to read (a file's size, a JSONL line's length).
    size: u64,
    /// A JSONL line's byte offset.
    offset: u64,
    id_len: u32,
    /// Kind in the top bit ([`LINE`], [`WHOLE`]), an index below it.
    src: u32,
    /// Folder files walked before this item was listed: where it falls among them when ids tie.
    seq: u64,
}

const KIND: u32 = 1 << 31;
const LINE: u32 = 0;
const WHOLE: u32 = 1 << 31;

impl Items {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn doc_id(&self, i: usize) -> &str {
        self.id_of(&self.entries[i])
    }

    /// The whole item `i`.
    fn get(&self, i: usize) -> Item {
        let e = self.entries[i];
        let idx = (e.src & !KIND) as usize;
        match e.src & KIND {
            LINE => {
                let (file, line) = self.lines[idx];
                Item::JsonlLine {
                    path: self.sources[file as usize].clone(),
                    line,
                    offset: e.offset,
                    len: e.size,
                    doc_id: self.doc_id(i).to_string(),
                }
            }
            _ => self.whole[idx].clone(),
        }
    }

    fn push_id(&mut self, id: &str) -> (u64, u32) {
        let start = self.ids.len() as u64;
        self.ids.push_str(id);
        (start, id.len() as u32)
    }

    fn add_source(&mut self, path: &Path) -> u32 {
        if self.sources.last().is_some_and(|p| p == path) {
            return self.sources.len() as u32 - 1;
        }
        self.sources.push(path.to_path_buf());
        self.sources.len() as u32 - 1
    }

    /// Adds an item listed after `seq` folder files; a JSONL line is kept compact.
    fn push(&mut self, item: Item, seq: u64) {
        match item {
            Item::JsonlLine {
                path,
                line,
                offset,
                len,
                doc_id,
            } if doc_id.len() < u32::MAX as usize => {
                let file = self.add_source(&path);
                let (id_start, id_len) = self.push_id(&doc_id);
                self.lines.push((file, line));
                self.entries.push(Entry {
                    id_start,
                    size: len,
                    offset,
                    id_len,
                    src: LINE | (self.lines.len() as u32 - 1),
                    seq,
                });
            }
            other => {
                let e = self.keep_whole(other, seq);
                self.entries.push(e);
            }
        }
    }

    /// Stores `item` whole and returns the entry that refers to it.
    fn keep_whole(&mut self, item: Item, seq: u64) -> Entry {
        let e = Entry {
            id_start: 0,
            size: item.size(),
            offset: 0,
            id_len: 0,
            src: WHOLE | self.whole.len() as u32,
            seq,
        };
        self.whole.push(item);
        e
    }

    /// The item an entry keeps whole, if it is one.
    fn whole_item(&self, e: &Entry) -> Option<&Item> {
        (e.src & KIND == WHOLE).then(|| &self.whole[(e.src & !KIND) as usize])
    }

    /// Sorts by `doc_id` (stable: inputs keep their order for equal ids).
    fn sort(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.id_of(a).cmp(self.id_of(b)));
        self.entries = entries;
    }

    fn id_of(&self, e: &Entry) -> &str {
        match self.whole_item(e) {
            Some(item) => item.doc_id(),
            None => &self.ids[e.id_start as usize..e.id_start as usize + e.id_len as usize],
        }
    }
}

/// Walk the inputs once to count folder files and list everything else: JSONL lines, files
/// named on the command line, walk errors, skips. `keep` (a shard) filters what is counted and
/// skipped here and what [`Plan::items`] gives. `sizes`: whether `bytes` is measured (a `stat`
/// per folder file; 0 if not).
pub fn plan(
    inputs: &[PathBuf],
    keep: &dyn Fn(&str) -> bool,
    sizes: bool,
) -> Result<Plan, std::io::Error> {
    let mut plan = Plan::default();
    let mut files = 0u64;
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", input.display())))?;
        if meta.is_dir() {
            plan.folders.push((input.clone(), files));
            for walked in walk(input, sizes) {
                match walked {
                    Walked::File { doc_id, size, .. } => {
                        files += 1;
                        if keep(&doc_id) {
                            plan.docs += 1;
                            plan.bytes += size;
                        }
                    }
                    Walked::Jsonl(path) => index_jsonl(&path, &mut plan.listed, files),
                    Walked::Skip(skip) => plan.skipped.push(skip),
                    Walked::Error(item) => plan.listed.push(item, files),
                }
            }
        } else if is_jsonl(input) {
            index_jsonl(input, &mut plan.listed, files);
        } else {
            let doc_id = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.display().to_string());
            let item = Item::File {
                path: input.clone(),
                doc_id,
                size: meta.len(),
            };
            plan.listed.push(item, files);
        }
    }
    plan.listed.sort();
    plan.skipped.retain(|s| keep(&s.path));
    for i in 0..plan.listed.len() {
        if keep(plan.listed.doc_id(i)) {
            plan.docs += 1;
            plan.bytes += plan.listed.entries[i].size;
        }
    }
    Ok(plan)
}

impl Plan {
    /// Every item in output order (sorted by `doc_id`): the listed items merged with the folders'
    /// article files, walked again. Two inputs with one id: the first wins, the rest are
    /// errors. Only the items whose id passes `keep` come out.
    pub fn items<'a>(&'a self, keep: &'a dyn Fn(&str) -> bool) -> impl Iterator<Item = Item> + 'a {
        // (item, where it falls among equal ids): a listed item before the folder file it was
        // listed ahead of (2k), a folder file after (2k + 1)
        type Keyed<'b> = Box<dyn Iterator<Item = (Item, u64)> + 'b>;
        let mut sources: Vec<Keyed<'a>> = Vec::new();
        sources
            .push(Box::new((0..self.listed.len()).map(move |i| {
                (self.listed.get(i), 2 * self.listed.entries[i].seq)
            })));
        for (root, before) in &self.folders {
            let files = walk(root, true)
                .filter_map(|w| match w {
                    Walked::File { path, doc_id, size } => Some(Item::File { path, doc_id, size }),
                    _ => None,
                })
                .zip(*before..)
                .map(|(item, n)| (item, 2 * n + 1));
            sources.push(Box::new(files));
        }
        // the next item of each source
        let mut heads: Vec<Option<(Item, u64)>> = sources.iter_mut().map(|s| s.next()).collect();
        let mut winner: Option<String> = None;
        std::iter::from_fn(move || {
            let best = (0..heads.len())
                .filter_map(|k| {
                    heads[k]
                        .as_ref()
                        .map(|(item, seq)| (item.doc_id(), *seq, k))
                })
                .min()?
                .2;
            let (item, _) = std::mem::replace(&mut heads[best], sources[best].next())?;
            let item = if winner.as_deref() == Some(item.doc_id()) {
                duplicate(item)
            } else {
                if !matches!(item, Item::Failed { .. }) {
                    winner = Some(item.doc_id().to_string());
                }
                item
            };
            Some(item)
        })
        .filter(move |item| keep(item.doc_id()))
    }
}

/// The error item for a second input with an id already taken.
fn duplicate(item: Item) -> Item {
    let doc_id = item.doc_id().to_string();
    let (source, line) = item_source(&item);
    Item::Failed {
        error: DocError::new(
            "duplicate_doc_id",
            format!("doc_id {doc_id:?} was already given by an earlier input"),
        ),
        doc_id,
        source,
        line,
    }
}

fn item_source(item: &Item) -> (String, Option<u64>) {
    match item {
        Item::File { path, .. } => (path.display().to_string(), None),
        Item::JsonlLine { path, line, .. } => (path.display().to_string(), Some(*line)),
        Item::Inline { source, line, .. } => (source.clone(), Some(*line)),
        Item::Failed { source, line, .. } => (source.clone(), *line),
    }
}

fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// What walking a folder finds.
enum Walked {
    File {
        path: PathBuf,
        doc_id: String,
        size: u64,
    },
    Jsonl(PathBuf),
    Skip(Skipped),
    Error(Item),
}

/// Walks `root` depth-first, each folder's entries sorted so that files come out in `doc_id`
/// order: a folder sorts as its name followed by `/`, as it reads inside a `doc_id` (`a.txt`
/// before `a/`, `a/` before `a0.txt`). Memory: the listings of the folders on the current path.
/// `sizes`: whether article files are measured (one `stat` each; their `size` is 0 if not).
fn walk(root: &Path, sizes: bool) -> impl Iterator<Item = Walked> + '_ {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by(walk_order)
        .into_iter()
        .filter_map(move |entry| classify(root, entry, sizes))
}

fn walk_order(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> std::cmp::Ordering {
    fn key(e: &walkdir::DirEntry) -> (std::borrow::Cow<'_, [u8]>, &'static [u8]) {
        let slash: &'static [u8] = if e.file_type().is_dir() { b"/" } else { b"" };
        // The entry's path is its folder joined with its name: the name is what follows the
        // last separator (`DirEntry::file_name` parses every component, on every comparison).
        let path = e.path().as_os_str().as_encoded_bytes();
        let name = match last_separator(path) {
            Some(i) => &path[i + 1..],
            None => path,
        };
        // sorted as the doc_id will read: bad UTF-8 as U+FFFD (ASCII, the usual case, as is)
        let name = if name.is_ascii() {
            std::borrow::Cow::Borrowed(name)
        } else {
            match String::from_utf8_lossy(name) {
                std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
                std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
            }
        };
        (name, slash)
    }
    let ((na, sa), (nb, sb)) = (key(a), key(b));
    let (na, nb) = (&*na, &*nb);
    // Names mostly differ early: compare the common length as slices (memcmp), and only
    // chain the `/` of a folder onto what is left when one name is a prefix of the other.
    let n = na.len().min(nb.len());
    na[..n]
        .cmp(&nb[..n])
        .then_with(|| na[n..].iter().chain(sa).cmp(nb[n..].iter().chain(sb)))
}

/// Where the last path separator is (a walk sorts each folder by names: this runs on every
/// comparison).
#[cfg(unix)]
fn last_separator(path: &[u8]) -> Option<usize> {
    memchr::memrchr(b'/', path)
}

#[cfg(not(unix))]
fn last_separator(path: &[u8]) -> Option<usize> {
    path.iter()
        .rposition(|&b| std::path::is_separator(b as char))
}

fn classify(root: &Path, entry: walkdir::Result<walkdir::DirEntry>, sizes: bool) -> Option<Walked> {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => {
            let path = e
                .path()
                .map(|p| p.to_path_buf())
                .unwrap_or_else(|| root.to_path_buf());
            let kind = if e.loop_ancestor().is_some() {
                "symlink_loop"
            } else {
                match e.io_error().map(|io| io.kind()) {
                    Some(std::io::ErrorKind::NotFound) => "not_found",
                    Some(std::io::ErrorKind::PermissionDenied) => "permission_denied",
                    _ => "unreadable",
                }
            };
            return Some(Walked::Error(Item::Failed {
                doc_id: relative_id(root, &path),
                source: path.display().to_string(),
                line: None,
                error: DocError::new(kind, e.to_string()),
            }));
        }
    };
    let path = entry.path();
    let hidden = entry.depth() > 0
        && entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with('.'));
    let kind = entry.file_type();
    if kind.is_dir() || (hidden && !kind.is_file()) {
        return None;
    }
    let rel = relative_id(root, path);
    let skip = |reason: String| {
        Some(Walked::Skip(Skipped {
            path: rel.clone(),
            reason,
        }))
    };
    if hidden {
        return skip("hidden file".into());
    }
    if !kind.is_file() {
        return skip("not a regular file (fifo, socket or device)".into());
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some(e) if ARTICLE_EXTENSIONS.contains(&e) => Some(Walked::File {
            path: path.to_path_buf(),
            size: if sizes {
                entry.metadata().map(|m| m.len()).unwrap_or(0)
            } else {
                0
            },
            doc_id: rel,
        }),
        Some("jsonl") | Some("ndjson") => Some(Walked::Jsonl(path.to_path_buf())),
        _ => skip(format!(
            "not an article file (extension {})",
            ext.map_or("none".to_string(), |e| format!(".{e}"))
        )),
    }
}

/// `doc_id`: the path relative to the input root, `/`-separated.
fn relative_id(root: &Path, path: &Path) -> String {
    // the usual case, once per file and walk: the walk joined `root` and the rest with a `/`,
    // and the rest is clean `/`-separated UTF-8 (a string prefix is far cheaper than
    // `strip_prefix`, which compares components)
    let clean = |s: &str| {
        cfg!(unix)
            && !s.is_empty()
            && !s.starts_with('/')
            && !s.ends_with('/')
            && !s.contains("//")
            && !s.split('/').any(|c| c == ".")
    };
    if let (Some(r), Some(p)) = (root.to_str(), path.to_str())
        && let Some(rest) = p.strip_prefix(r)
        && let Some(rest) = rest
            .strip_prefix('/')
            .or(Some(rest).filter(|_| r.ends_with('/')))
        && clean(rest)
    {
        return rest.to_string();
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    if let Some(s) = rel.to_str()
        && clean(s)
    {
        return s.to_string();
    }
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        parts.join("/")
    }
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow, default)]
    doc_id: Option<std::borrow::Cow<'a, str>>,
}

/// Index a JSONL file: one item per line with its byte range, so lines are read on demand (and
/// memory stays bounded by a chunk, not the file).
fn index_jsonl(path: &Path, items: &mut Items, seq: u64) {
    let source = path.display().to_string();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            items.push(
                Item::Failed {
                    doc_id: source.clone(),
                    source,
                    line: None,
                    error: DocError::new("unreadable", e.to_string()),
                },
                seq,
            );
            return;
        }
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buf = Vec::new();
    let mut offset = 0u64;
    let mut line = 0u64;
    loop {
        buf.clear();
        let n = match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                items.push(
                    Item::Failed {
                        doc_id: format!("{source}:{}", line + 1),
                        source: source.clone(),
                        line: Some(line + 1),
                        error: DocError::new("unreadable", e.to_string()),
                    },
                    seq,
                );
                break;
            }
        };
        line += 1;
        let content = trim_line(&buf);
        if content.iter().all(u8::is_ascii_whitespace) {
            offset += n as u64;
            continue; // blank lines are not documents
        }
        let fallback = || format!("{}:{line}", file_stem(path));
        match serde_json::from_slice::<IdOnly>(content) {
            Ok(id) => items.push(
                Item::JsonlLine {
                    path: path.to_path_buf(),
                    line,
                    offset,
                    len: n as u64,
                    doc_id: id.doc_id.map(|c| c.into_owned()).unwrap_or_else(fallback),
                },
                seq,
            ),
            Err(e) => items.push(
                Item::Failed {
                    doc_id: fallback(),
                    source: source.clone(),
                    line: Some(line),
                    error: DocError::new("bad_json", format!("line {line}: {e}")),
                },
                seq,
            ),
        }
        offset += n as u64;
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &buf[..end]
}

/// The `doc_id` of a JSONL line, if it has a readable one (for error records).
pub fn inline_doc_id(raw: &str) -> Option<String> {
    if !is_json_object(raw) {
        return None;
    }
    serde_json::from_str::<IdOnly>(raw)
        .ok()
        .and_then(|id| id.doc_id.map(|c| c.into_owned()))
}

/// A JSONL document line: `doc_id`, `text`, `published`; other fields are ignored.
#[derive(Deserialize)]
struct JsonDoc {
    #[serde(default)]
    doc_id: Option<serde_json::Value>,
    #[serde(default)]
    text: Option<serde_json::Value>,
    #[serde(default)]
    published: Option<serde_json::Value>,
    /// The raw bytes of a file, base64, instead of `text`: decoded as a file from a folder is.
    #[serde(default)]
    raw_b64: Option<serde_json::Value>,
}

/// Read and decode one item into a document.
pub fn load(item: &Item, max_doc_bytes: u64) -> Result<Document, DocError> {
    match item {
        Item::File { path, doc_id, size } => {
            let bytes = read_file(path, *size, max_doc_bytes)?;
            let mut doc = decode_document_owned(doc_id, bytes)?;
            doc.source.path = path.display().to_string();
            if path.file_name().is_some_and(|n| n.to_str().is_none()) {
                doc.warnings.push(
                    "the file name is not valid UTF-8: doc_id and source.path show U+FFFD for the bad bytes"
                        .to_string(),
                );
            }
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
                || doc.text.starts_with("---")
            {
                apply_front_matter(&mut doc);
            }
            Ok(doc)
        }
        Item::JsonlLine {
            path,
            line,
            offset,
            len,
            doc_id,
        } => {
            if *len > max_doc_bytes {
                return Err(too_large(*len, max_doc_bytes));
            }
            let buf = read_line_at(path, *offset, *len).map_err(io_error)?;
            let raw = std::str::from_utf8(trim_line(&buf))
                .map_err(|e| DocError::new("bad_json", format!("line {line}: not UTF-8: {e}")))?;
            let mut doc = parse_json_doc(raw, *line, Some(doc_id))?;
            doc.source.path = path.display().to_string();
            Ok(doc)
        }
        Item::Inline { source, line, raw } => {
            if raw.len() as u64 > max_doc_bytes {
                return Err(too_large(raw.len() as u64, max_doc_bytes));
            }
            let mut doc = parse_json_doc(raw, *line, None)?;
            doc.source.path = source.clone();
            Ok(doc)
        }
        Item::Failed { error, .. } => Err(error.clone()),
    }
}

thread_local! {
    /// The JSONL file this thread read last, while a [`KeepOpen`] guard lives (`None` inside:
    /// nothing open yet).
    static OPEN: std::cell::RefCell<Option<Option<(PathBuf, File)>>> =
        const { std::cell::RefCell::new(None) };
}

/// While it lives, this thread keeps the last JSONL file it read from open: the lines of one
/// file come in order, so a document costs one read, not an open, a seek, a read and a close.
/// Made for one batch of documents (a file replaced later in the run is opened again).
pub struct KeepOpen(());

impl KeepOpen {
    pub fn new() -> KeepOpen {
        OPEN.with_borrow_mut(|open| *open = Some(None));
        KeepOpen(())
    }
}

impl Default for KeepOpen {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for KeepOpen {
    fn drop(&mut self) {
        OPEN.with_borrow_mut(|open| *open = None);
    }
}

/// `len` bytes at `offset` of a JSONL file.
fn read_line_at(path: &Path, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len as usize];
    OPEN.with_borrow_mut(|open| match open {
        Some(last) => {
            if last.as_ref().is_none_or(|(p, _)| p != path) {
                *last = None; // a failed open leaves nothing open
                *last = Some((path.to_path_buf(), File::open(path)?));
            }
            let (_, file) = last.as_mut().expect("opened above");
            read_exact_at(file, &mut buf, offset)
        }
        None => read_exact_at(&mut File::open(path)?, &mut buf, offset),
    })?;
    Ok(buf)
}

#[cfg(unix)]
fn read_exact_at(file: &mut File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(file: &mut File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

fn too_large(len: u64, max: u64) -> DocError {
    DocError::new(
        "too_large",
        format!("{len} bytes is more than --max-doc-bytes {max}"),
    )
}

fn io_error(e: std::io::Error) -> DocError {
    let kind = match e.kind() {
        std::io::ErrorKind::NotFound => "not_found",
        std::io::ErrorKind::PermissionDenied => "permission_denied",
        _ => "unreadable",
    };
    DocError::new(kind, e.to_string())
}

/// `walked`: the size the folder walk found, so the file is not measured again (one `stat`
/// less per article) unless that size is over the limit.
fn read_file(path: &Path, walked: u64, max: u64) -> Result<Vec<u8>, DocError> {
    let file = File::open(path).map_err(io_error)?;
    let len = if walked > max {
        file.metadata().map_err(io_error)?.len()
    } else {
        walked
    };
    if len > max {
        return Err(too_large(len, max));
    }
    // one byte more: the read that finds the end lands in the buffer, not in a probe
    let mut bytes = Vec::with_capacity(len as usize + 1);
    // Read at most max + 1 bytes: a file that grew since its size was taken is still caught.
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64, max));
    }
    Ok(bytes)
}

/// Parse a JSONL document line. `known_id` is the id the planner already read.
pub fn parse_json_doc(raw: &str, line: u64, known_id: Option<&str>) -> Result<Document, DocError> {
    // serde's derive would also take `["id","text"]` (a struct as a sequence).
    if !is_json_object(raw) {
        return Err(DocError::new(
            "bad_json",
            format!("line {line}: not a JSON object"),
        ));
    }
    let v: JsonDoc = serde_json::from_str(raw)
        .map_err(|e| DocError::new("bad_json", format!("line {line}: {e}")))?;
    let doc_id = match (&v.doc_id, known_id) {
        (_, Some(id)) => id.to_string(),
        (Some(serde_json::Value::String(s)), None) => s.clone(),
        (Some(serde_json::Value::Number(n)), None) => n.to_string(),
        (None | Some(serde_json::Value::Null), None) => {
            return Err(DocError::new(
                "missing_field",
                format!("line {line}: no \"doc_id\""),
            ));
        }
        (Some(other), None) => {
            return Err(DocError::new(
                "bad_field",
                format!(
                    "line {line}: \"doc_id\" must be a string, not {}",
                    json_type(other)
                ),
            ));
        }
    };
    let mut doc = match (v.text, v.raw_b64) {
        (Some(serde_json::Value::String(s)), _) => {
            let mut doc = Document::new(doc_id, s);
            doc.source.bytes = doc.text.len() as u64;
            doc.source.blake3 = blake3::hash(doc.text.as_bytes()).to_hex().to_string();
            doc
        }
        (None | Some(serde_json::Value::Null), Some(raw)) => raw_document(doc_id, &raw, line)?,
        (None | Some(serde_json::Value::Null), None) => {
            return Err(DocError::new(
                "missing_field",
                format!("line {line}: no \"text\""),
            ));
        }
        (Some(other), _) => {
            return Err(DocError::new(
                "bad_field",
                format!(
                    "line {line}: \"text\" must be a string, not {}",
                    json_type(&other)
                ),
            ));
        }
    };
    doc.source.line = Some(line);
    match v.published {
        Some(serde_json::Value::String(s)) => match normalise_date(&s) {
            Some(d) => {
                doc.meta.published = Some(d);
                doc.meta.published_source = Some("input");
            }
            None => doc.warnings.push(format!(
                "\"published\" {s:?} is not a YYYY-MM-DD date; ignored"
            )),
        },
        None | Some(serde_json::Value::Null) => {}
        Some(other) => doc.warnings.push(format!(
            "\"published\" must be a string, not {}; ignored",
            json_type(&other)
        )),
    }
    Ok(doc)
}

/// A JSONL line with `raw_b64` (the Spark adapter sends files this way): the bytes go through
/// the same decoder and front-matter rule as a file read from a folder, so invalid UTF-8, BOMs
/// and UTF-16 survive the JSON transport and the record (text, `source.bytes`, `blake3`,
/// `encoding`, warnings, front matter) equals the one a folder run gives.
fn raw_document(doc_id: String, raw: &serde_json::Value, line: u64) -> Result<Document, DocError> {
    let serde_json::Value::String(b64) = raw else {
        return Err(DocError::new(
            "bad_field",
            format!(
                "line {line}: \"raw_b64\" must be a string, not {}",
                json_type(raw)
            ),
        ));
    };
    let bytes = decode_base64(b64).ok_or_else(|| {
        DocError::new(
            "bad_field",
            format!("line {line}: \"raw_b64\" is not valid base64"),
        )
    })?;
    let mut doc = decode_document_owned(&doc_id, bytes)?;
    if Path::new(&doc_id)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
        || doc.text.starts_with("---")
    {
        apply_front_matter(&mut doc);
    }
    Ok(doc)
}

/// Standard base64 (RFC 4648, `+/`, padding optional); `None` on any other character.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let b = s.trim_end_matches('=').as_bytes();
    if s.len() - b.len() > 2 || b.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3 + 2);
    for chunk in b.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * k);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}

fn is_json_object(raw: &str) -> bool {
    raw.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n'])
        .starts_with('{')
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// `2026-05-20`, `2026-05-20T10:00:00Z`, `2026-05-20 10:00` → `2026-05-20`.
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b' ' | b't'));
    let month: u32 = s.get(5..7)?.parse().ok()?;
    let day: u32 = s.get(8..10)?.parse().ok()?;
    (ok && (1..=12).contains(&month) && (1..=31).contains(&day)).then(|| s[..10].to_string())
}

/// Decode raw bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a
/// warning. NUL bytes outside UTF-16 mean binary.
pub fn decode_document(doc_id: &str, bytes: &[u8]) -> Result<Document, DocError> {
    decode_document_owned(doc_id, bytes.to_vec())
}

/// [`decode_document`] taking the bytes by value: valid UTF-8 (the common case) becomes the text
/// without a copy.
pub fn decode_document_owned(doc_id: &str, bytes: Vec<u8>) -> Result<Document, DocError> {
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let n_bytes = bytes.len() as u64;
    let (text, encoding, warning): (String, &'static str, Option<String>) = if let Some(rest) =
        bytes.strip_prefix(b"\xEF\xBB\xBF")
    {
        match std::str::from_utf8(rest) {
            Ok(s) => (s.to_string(), "utf-8-bom", None),
            Err(e) => {
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(rest);
                (
                    t.into_owned(),
                    "windows-1252",
                    Some(fallback_warning(e.valid_up_to() + 3)),
                )
            }
        }
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (enc, name) = if bytes[0] == 0xFF {
            (encoding_rs::UTF_16LE, "utf-16le")
        } else {
            (encoding_rs::UTF_16BE, "utf-16be")
        };
        let (t, had_errors) = enc.decode_with_bom_removal(&bytes);
        let w = had_errors.then(|| format!("invalid {name} sequences were replaced with U+FFFD"));
        (t.into_owned(), name, w)
    } else if let Some(at) = memchr::memchr(0, &bytes) {
        return Err(DocError::new(
            "binary",
            format!(
                "contains NUL bytes (first at byte {at}): a binary file, or UTF-16 without a byte order mark"
            ),
        ));
    } else {
        match String::from_utf8(bytes) {
            Ok(s) => (s, "utf-8", None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(e.as_bytes());
                (t.into_owned(), "windows-1252", Some(fallback_warning(at)))
            }
        }
    };
    // Plain UTF-8 was searched for NUL bytes above; decoded text is searched here.
    if encoding != "utf-8" && text.contains('\0') {
        return Err(DocError::new(
            "binary",
            "decoded text contains NUL characters",
        ));
    }
    let mut doc = Document::new(doc_id, text);
    doc.source = Source {
        path: String::new(),
        line: None,
        bytes: n_bytes,
        blake3: hash,
        encoding,
    };
    doc.warnings.extend(warning);
    Ok(doc)
}

fn fallback_warning(at: usize) -> String {
    format!("not valid UTF-8 (first bad byte at offset {at}); decoded as Windows-1252")
}

/// Markdown front matter (`---` … `---` at the top): `title:`, `date:`/`published:`. The body
/// starts after it; the text itself is not changed.
fn apply_front_matter(doc: &mut Document) {
    let text = doc.text.as_str();
    let Some(first_end) = text.find('\n') else {
        return;
    };
    if text[..first_end].trim_end() != "---" {
        return;
    }
    let mut pos = first_end + 1;
    let mut meta = Metadata::default();
    for _ in 0..200 {
        let end = text[pos..].find('\n').map_or(text.len(), |k| pos + k);
        let line = text[pos..end].trim_end_matches('\r');
        if line.trim_end() == "---" || line.trim_end() == "..." {
            doc.body_start = (end + 1).min(text.len());
            if meta.published.is_some() {
                doc.meta.published = meta.published;
                doc.meta.published_source = Some("front_matter");
            }
            if meta.title.is_some() {
                doc.meta.title = meta.title;
            }
            return;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim().trim_matches(['"', '\'']).trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "title" if !value.is_empty() => meta.title = Some(value.to_string()),
                "date" | "published" | "pubdate" | "published_at" => {
                    if let Some(d) = normalise_date(value) {
                        meta.published = Some(d);
                    }
                }
                _ => {}
            }
        }
        if end >= text.len() {
            return;
        }
        pos = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temporary folder, removed on drop.
    struct Scratch(PathBuf);
    impl Scratch {
        fn new(name: &str, files: &[&str]) -> Scratch {
            let dir = std::env::temp_dir().join(format!("nx-corpus-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for f in files {
                let path = dir.join(f);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, "Some text.").unwrap();
            }
            Scratch(dir)
        }
    }
    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_file_is_read_whole_whatever_size_the_walk_found() {
        let dir = Scratch::new("sizes", &["a.txt"]);
        let path = dir.0.join("a.txt");
        let item = |size| Item::File {
            path: path.clone(),
            doc_id: "a.txt".into(),
            size,
        };
        // grown or shrunk since the walk: the text is what the file holds now
        for walked in [0, 3, 10, 400] {
            assert_eq!(load(&item(walked), 100).unwrap().text, "Some text.");
        }
        // over the limit, by the walk's size or by what is read
        for walked in [3, 10, 400] {
            assert_eq!(load(&item(walked), 5).unwrap_err().kind, "too_large");
        }
        // a walk size over the limit is measured again: the file is read if it now fits
        assert_eq!(load(&item(400), 10).unwrap().text, "Some text.");
    }

    #[test]
    fn jsonl_lines_are_read_at_their_offsets_with_or_without_a_kept_file() {
        let dir = Scratch::new("keepopen", &["a.jsonl", "b.jsonl"]);
        let (a, b) = (dir.0.join("a.jsonl"), dir.0.join("b.jsonl"));
        std::fs::write(&a, "first\nsecond\n").unwrap();
        std::fs::write(&b, "other\n").unwrap();
        let read = |p: &Path, off, len| String::from_utf8(read_line_at(p, off, len).unwrap());
        {
            let _batch = KeepOpen::new();
            assert_eq!(read(&a, 6, 6).unwrap(), "second");
            assert_eq!(read(&b, 0, 5).unwrap(), "other");
            assert_eq!(read(&a, 0, 5).unwrap(), "first");
            // a file replaced under the same name: the batch still reads the one it opened
            std::fs::remove_file(&a).unwrap();
            std::fs::write(&a, "fresh\n").unwrap();
            assert_eq!(read(&a, 0, 5).unwrap(), "first");
            assert!(read_line_at(&b, 4, 10).is_err(), "past the end");
        }
        // the next batch opens it again
        let _batch = KeepOpen::new();
        assert_eq!(read(&a, 0, 5).unwrap(), "fresh");
        drop(_batch);
        // no batch: nothing kept
        std::fs::remove_file(&a).unwrap();
        std::fs::write(&a, "again\n").unwrap();
        assert_eq!(read(&a, 0, 5).unwrap(), "again");
        std::fs::remove_file(&a).unwrap();
        assert!(read_line_at(&a, 0, 5).is_err());
    }

    #[test]
    fn relative_ids_are_clean_slash_separated_paths() {
        let cases = [
            ("corpus", "corpus/a/b.txt", "a/b.txt"),
            ("corpus/", "corpus/a.txt", "a.txt"),
            ("./corpus", "./corpus/x/y.md", "x/y.md"),
            (".", "./a.txt", "a.txt"),
            ("/tmp/in", "/tmp/in/deep/er/c.md", "deep/er/c.md"),
            ("in", "in//a/./b.txt", "a/b.txt"),
            ("x.txt", "x.txt", "x.txt"),
            // a root that is a string prefix of a sibling folder is not its prefix
            ("corp", "corpus/a.txt", "corpus/a.txt"),
            ("in/", "in/sub/b.txt", "sub/b.txt"),
            ("in", "in/./b.txt", "b.txt"),
        ];
        for (root, path, want) in cases {
            assert_eq!(
                relative_id(Path::new(root), Path::new(path)),
                want,
                "{root} {path}"
            );
        }
    }

    #[test]
    fn folder_files_come_out_in_doc_id_order_without_being_listed() {
        // a folder sorts as "name/": after "a-b.txt" and "a.txt", before "a0.txt"
        let names = [
            "a0.txt",
            "a/x.txt",
            "a.txt",
            "a-b/y.md",
            "a-b.txt",
            "B.txt",
            "b/c/d.txt",
            "b.txt",
            "b/c.txt",
        ];
        let dir = Scratch::new("order", &names);
        let all = |_: &str| true;
        let plan = plan(std::slice::from_ref(&dir.0), &all, true).unwrap();
        assert_eq!(plan.listed.len(), 0, "folder files are walked, not held");
        assert_eq!(
            (plan.docs, plan.bytes),
            (names.len(), 10 * names.len() as u64)
        );
        // without sizes the count is the same and the bytes are not measured
        let counted = super::plan(std::slice::from_ref(&dir.0), &all, false).unwrap();
        assert_eq!((counted.docs, counted.bytes), (names.len(), 0));
        let got: Vec<String> = plan.items(&all).map(|i| i.doc_id().to_string()).collect();
        let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want);
        // a filter (a shard) keeps what it says, in the same order
        let keep = |id: &str| id.starts_with('a');
        let plan = super::plan(std::slice::from_ref(&dir.0), &keep, true).unwrap();
        let got: Vec<String> = plan.items(&keep).map(|i| i.doc_id().to_string()).collect();
        want.retain(|id| id.starts_with('a'));
        assert_eq!((got, plan.docs), (want.clone(), want.len()));
    }

    #[cfg(unix)]
    #[test]
    fn non_ascii_and_bad_utf8_names_come_out_in_doc_id_order() {
        use std::os::unix::ffi::OsStrExt;
        let dir = Scratch::new("names", &["e.txt", "z.txt", "\u{e9}.txt", "\u{fffe}.txt"]);
        // a name that is not UTF-8: its doc_id reads U+FFFD, which sorts before U+FFFE (its
        // first byte, 0xFF, sorts after)
        std::fs::write(
            dir.0.join(std::ffi::OsStr::from_bytes(b"\xff.txt")),
            "Text.",
        )
        .unwrap();
        let all = |_: &str| true;
        let plan = plan(std::slice::from_ref(&dir.0), &all, false).unwrap();
        let got: Vec<String> = plan.items(&all).map(|i| i.doc_id().to_string()).collect();
        let want = [
            "e.txt",
            "z.txt",
            "\u{e9}.txt",
            "\u{fffd}.txt",
            "\u{fffe}.txt",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn of_three_inputs_with_one_id_the_first_wins_and_the_others_are_errors() {
        let dirs = [
            Scratch::new("dup1", &["a.txt", "b.txt"]),
            Scratch::new("dup2", &["a.txt"]),
            Scratch::new("dup3", &["a.txt", "c.txt"]),
        ];
        let inputs: Vec<PathBuf> = dirs.iter().map(|d| d.0.clone()).collect();
        let all = |_: &str| true;
        let plan = plan(&inputs, &all, true).unwrap();
        let got: Vec<(String, Option<&str>, String)> = plan
            .items(&all)
            .map(|i| match &i {
                Item::Failed { error, source, .. } => {
                    (i.doc_id().to_string(), Some(error.kind), source.clone())
                }
                Item::File { path, .. } => {
                    (i.doc_id().to_string(), None, path.display().to_string())
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let at = |d: usize, f: &str| inputs[d].join(f).display().to_string();
        assert_eq!(
            got,
            vec![
                ("a.txt".into(), None, at(0, "a.txt")),
                ("a.txt".into(), Some("duplicate_doc_id"), at(1, "a.txt")),
                ("a.txt".into(), Some("duplicate_doc_id"), at(2, "a.txt")),
                ("b.txt".into(), None, at(0, "b.txt")),
                ("c.txt".into(), None, at(2, "c.txt")),
            ]
        );
    }

    #[test]
    fn decodes_utf8_bom_utf16_and_falls_back_to_windows_1252() {
        let d = decode_document("a", b"\xEF\xBB\xBFHello").unwrap();
        assert_eq!((d.text.as_str(), d.source.encoding), ("Hello", "utf-8-bom"));
        let d = decode_document("a", b"\xFF\xFEH\x00i\x00").unwrap();
        assert_eq!((d.text.as_str(), d.source.encoding), ("Hi", "utf-16le"));
        let d = decode_document("a", b"\xFE\xFF\x00H\x00i").unwrap();
        assert_eq!((d.text.as_str(), d.source.encoding), ("Hi", "utf-16be"));
        let d = decode_document("a", b"a \xA315.8m signing").unwrap();
        assert_eq!(d.text, "a £15.8m signing");
        assert_eq!(d.source.encoding, "windows-1252");
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn nul_bytes_are_binary() {
        let e = decode_document("a", b"PK\x03\x04\x00\x00").unwrap_err();
        assert_eq!(e.kind, "binary");
    }

    #[test]
    fn crlf_is_kept() {
        let d = decode_document("a", b"One.\r\nTwo.").unwrap();
        assert_eq!(d.text, "One.\r\nTwo.");
    }

    #[test]
    fn front_matter_sets_published_and_title_and_body_start() {
        let mut d = Document::new(
            "a",
            "---\ntitle: \"Budget day\"\ndate: 2026-03-03T09:00:00Z\n---\nBody text.",
        );
        apply_front_matter(&mut d);
        assert_eq!(d.meta.published.as_deref(), Some("2026-03-03"));
        assert_eq!(d.meta.published_source, Some("front_matter"));
        assert_eq!(d.meta.title.as_deref(), Some("Budget day"));
        assert_eq!(&d.text[d.body_start..], "Body text.");
    }

    #[test]
    fn json_lines_need_text_of_type_string() {
        let d = parse_json_doc(
            r#"{"doc_id":"x","text":"Hi.","published":"2026-05-20","extra":[1]}"#,
            1,
            None,
        )
        .unwrap();
        assert_eq!((d.doc_id.as_str(), d.text.as_str()), ("x", "Hi."));
        assert_eq!(d.meta.published_source, Some("input"));
        assert_eq!(
            parse_json_doc(r#"{"doc_id":"x"}"#, 2, None)
                .unwrap_err()
                .kind,
            "missing_field"
        );
        assert_eq!(
            parse_json_doc(r#"{"doc_id":"x","text":5}"#, 3, None)
                .unwrap_err()
                .kind,
            "bad_field"
        );
        assert_eq!(
            parse_json_doc("{oops", 4, None).unwrap_err().kind,
            "bad_json"
        );
    }

    #[test]
    fn raw_b64_lines_decode_like_files_from_a_folder() {
        assert_eq!(decode_base64("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("a"), None);
        assert_eq!(decode_base64("a*==").map(|_| ()), None);
        // "a \xA3 5" (Windows-1252 pound sign), base64.
        let d = parse_json_doc(r#"{"doc_id":"x.txt","raw_b64":"YSCjNQ=="}"#, 7, None).unwrap();
        assert_eq!(d.text, "a £5");
        assert_eq!((d.source.encoding, d.source.bytes), ("windows-1252", 4));
        assert_eq!(d.source.line, Some(7));
        assert_eq!(d.warnings.len(), 1);
        // "---\ndate: 2026-01-02\n---\nBody." in a .md file: front matter applies.
        let d = parse_json_doc(
            r#"{"doc_id":"a/b.md","raw_b64":"LS0tCmRhdGU6IDIwMjYtMDEtMDIKLS0tCkJvZHku"}"#,
            1,
            None,
        )
        .unwrap();
        assert_eq!(d.meta.published.as_deref(), Some("2026-01-02"));
        assert_eq!(&d.text[d.body_start..], "Body.");
        let e = parse_json_doc(r#"{"doc_id":"x","raw_b64":"AAAA"}"#, 1, None).unwrap_err();
        assert_eq!(e.kind, "binary");
        let e = parse_json_doc(r#"{"doc_id":"x","raw_b64":"@@"}"#, 1, None).unwrap_err();
        assert_eq!(e.kind, "bad_field");
        // A JSON array is not a document, even one serde could read as a struct.
        let e = parse_json_doc(r#"["x","Some text."]"#, 1, None).unwrap_err();
        assert_eq!(e.kind, "bad_json");
        assert_eq!(inline_doc_id(r#"["x","Some text."]"#), None);
    }
}
