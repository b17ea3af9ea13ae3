//! Rule and gazetteer files: the built-in defaults compiled into the binary from `rules/`, plus an
//! optional user folder (`--rules DIR`) laid over them.
//!
//! Overlay semantics: a user file at the same relative path as a built-in one is read *after* it
//! (so it adds entries, and a later entry with the same key overrides an earlier one); a user file
//! at a new path is added; `disabled.txt` lists rule ids to switch off. Every parse error names
//! `file:line`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

pub mod check;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// A rule-file error with its location, printed as `file:line: message` (`file: message` when
/// it is about the whole file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", LineSuffix(*.line))]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// `:N`, or nothing for line 0.
struct LineSuffix(usize);

impl fmt::Display for LineSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            Ok(())
        } else {
            write!(f, ":{}", self.0)
        }
    }
}

/// One source of a rule file's text: the built-in copy or the user's overlay.
#[derive(Debug, Clone)]
pub struct RuleText {
    /// What to print in errors: `rules/segment/abbreviations.tsv` or the user's path.
    pub origin: String,
    pub text: String,
}

/// One meaningful line of a rule file (blank lines and `#` comments are skipped).
#[derive(Debug, Clone, Copy)]
pub struct RuleLine<'a> {
    pub origin: &'a str,
    pub line: usize,
    pub text: &'a str,
}

impl<'a> RuleLine<'a> {
    /// Tab-separated fields.
    pub fn fields(&self) -> Vec<&'a str> {
        self.text.split('\t').collect()
    }
    pub fn error(&self, message: impl Into<String>) -> RuleError {
        RuleError {
            file: self.origin.to_string(),
            line: self.line,
            message: message.into(),
        }
    }
}

/// All rule files of a run: built-in first, overlay after, plus the disabled ids.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    files: BTreeMap<String, Vec<RuleText>>,
    disabled: BTreeSet<String>,
}

impl RuleSet {
    /// The defaults compiled into the binary.
    pub fn builtin() -> Self {
        let mut files: BTreeMap<String, Vec<RuleText>> = BTreeMap::new();
        for (path, text) in embedded::EMBEDDED {
            files.entry(path.to_string()).or_default().push(RuleText {
                origin: format!("rules/{path}"),
                text: text.to_string(),
            });
        }
        RuleSet {
            files,
            disabled: BTreeSet::new(),
        }
    }

    /// Only the files under `dir` (no built-ins): what `rules check DIR` validates.
    pub fn from_dir(dir: &Path) -> Result<Self, RuleError> {
        let mut set = RuleSet::default();
        set.overlay(dir)?;
        Ok(set)
    }

    /// The defaults with a user folder laid over them.
    pub fn with_overlay(dir: Option<&Path>) -> Result<Self, RuleError> {
        let mut set = RuleSet::builtin();
        if let Some(dir) = dir {
            set.overlay(dir)?;
        }
        Ok(set)
    }

    fn overlay(&mut self, dir: &Path) -> Result<(), RuleError> {
        let err = |p: &Path, m: String| RuleError {
            file: p.display().to_string(),
            line: 0,
            message: m,
        };
        if !dir.is_dir() {
            return Err(err(dir, "not a folder".into()));
        }
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| err(dir, e.to_string()))?;
            if entry.file_type().is_file() {
                paths.push(entry.into_path());
            }
        }
        for path in paths {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| err(&path, e.to_string()))?;
            if rel == "disabled.txt" {
                for line in text.lines() {
                    let id = line.split('#').next().unwrap_or("").trim();
                    if !id.is_empty() {
                        self.disabled.insert(id.to_string());
                    }
                }
            }
            self.files.entry(rel).or_default().push(RuleText {
                origin: path.display().to_string(),
                text,
            });
        }
        Ok(())
    }

    /// Relative paths of all files (built-in and overlay).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(|s| s.as_str())
    }

    /// The texts of a file, built-in first.
    pub fn texts(&self, path: &str) -> &[RuleText] {
        self.files.get(path).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Meaningful lines of a file across built-in and overlay, in that order.
    pub fn lines<'a>(&'a self, path: &str) -> impl Iterator<Item = RuleLine<'a>> + 'a {
        self.texts(path).iter().flat_map(|t| {
            t.text.lines().enumerate().filter_map(move |(i, line)| {
                let line = line.trim_end_matches('\r');
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    None
                } else {
                    Some(RuleLine {
                        origin: t.origin.as_str(),
                        line: i + 1,
                        text: line,
                    })
                }
            })
        })
    }

    /// Is this rule id switched off by the user?
    pub fn is_disabled(&self, id: &str) -> bool {
        self.disabled.contains(id)
            || self
                .disabled
                .iter()
                .any(|d| d.ends_with(".*") && id.starts_with(&d[..d.len() - 1]))
    }

    pub fn disabled(&self) -> impl Iterator<Item = &str> {
        self.disabled.iter().map(|s| s.as_str())
    }

    /// A hash of every file's content and the disabled ids: two runs with the same hash used the
    /// same rules.
    pub fn hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (path, texts) in &self.files {
            h.update(path.as_bytes());
            h.update(&[0]);
            for t in texts {
                h.update(t.text.as_bytes());
                h.update(&[0]);
            }
        }
        for d in &self.disabled {
            h.update(d.as_bytes());
            h.update(&[1]);
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_are_embedded() {
        let rules = RuleSet::builtin();
        assert!(rules.paths().any(|p| p == "segment/abbreviations.tsv"));
        assert!(rules.lines("segment/abbreviations.tsv").count() > 50);
    }

    #[test]
    fn overlay_appends_after_builtin_and_disables_ids() {
        let dir = std::env::temp_dir().join(format!("nx-rules-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("segment")).unwrap();
        std::fs::write(dir.join("segment/abbreviations.tsv"), "Zzq\tregular\n").unwrap();
        std::fs::write(dir.join("disabled.txt"), "seg.missing_space\n# comment\n").unwrap();
        let rules = RuleSet::with_overlay(Some(&dir)).unwrap();
        let last = rules.lines("segment/abbreviations.tsv").last().unwrap();
        assert_eq!(last.text, "Zzq\tregular");
        assert_eq!(last.line, 1);
        assert!(rules.is_disabled("seg.missing_space"));
        assert_ne!(rules.hash(), RuleSet::builtin().hash());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
