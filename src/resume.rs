//! `--resume`: reuse the records of a previous complete run for documents whose `doc_id` and
//! content hash are unchanged, when the previous run used the same version and rules.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use serde::Deserialize;

use crate::corpus::{self, Item};

/// Where each previous record is, by `doc_id`.
pub struct Previous {
    file: Mutex<File>,
    index: HashMap<String, (String, u64, u64)>,
}

#[derive(Deserialize)]
struct Head {
    doc_id: String,
    source: HeadSource,
}

#[derive(Deserialize)]
struct HeadSource {
    blake3: String,
}

#[derive(Deserialize)]
struct PrevRun {
    version: String,
    rules_hash: String,
}

impl Previous {
    /// The previous output in `dir`, if it is complete and made by this version with these
    /// rules; otherwise `Err` with the reason it cannot be used.
    pub fn open(dir: &Path, rules_hash: &str) -> Result<Previous, String> {
        let run: PrevRun = std::fs::read_to_string(dir.join("run.json"))
            .map_err(|e| format!("no previous run.json ({e})"))
            .and_then(|s| serde_json::from_str(&s).map_err(|e| format!("run.json: {e}")))?;
        if run.version != env!("CARGO_PKG_VERSION") || run.rules_hash != rules_hash {
            return Err("the previous run used another version or other rules".into());
        }
        let path = dir.join("articles.jsonl");
        let file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut reader = BufReader::new(file.try_clone().map_err(|e| e.to_string())?);
        let mut index = HashMap::new();
        let mut offset = 0u64;
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            if let Ok(h) = serde_json::from_slice::<Head>(&line) {
                index.insert(h.doc_id, (h.source.blake3, offset, n as u64));
            }
            offset += n as u64;
        }
        Ok(Previous {
            file: Mutex::new(file),
            index,
        })
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The previous record line of `item`, if its content is unchanged.
    pub fn reuse(&self, item: &Item, max_doc_bytes: u64) -> Option<Vec<u8>> {
        let (hash, offset, len) = self.index.get(item.doc_id())?;
        let current = match item {
            Item::File { .. } | Item::JsonlLine { .. } => {
                corpus::load(item, max_doc_bytes).ok()?.source.blake3
            }
            _ => return None,
        };
        if &current != hash {
            return None;
        }
        let mut file = self.file.lock().ok()?;
        file.seek(SeekFrom::Start(*offset)).ok()?;
        let mut buf = vec![0u8; *len as usize];
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    }
}
