//! A decoded document: its immutable text, where it came from, and the one byte↔char offset
//! index every span goes through on its way out.
//!
//! Extractors work in **byte** offsets (what `regex` and `aho-corasick` report); records carry
//! **code point** offsets (what Python's `text[start:end]` means). The conversion happens once
//! per document, through [`CharIndex`], when the record is built.

/// Where a document's text came from and how it was decoded.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Path as given on the command line plus the file's path under it (or the JSONL file).
    pub path: String,
    /// 1-based line number in a JSONL input; `None` for a plain file.
    pub line: Option<u64>,
    /// Size of the raw input in bytes (for JSONL: the UTF-8 size of `text`).
    pub bytes: u64,
    /// BLAKE3 hash of the raw bytes, hex.
    pub blake3: String,
    /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `windows-1252`.
    pub encoding: &'static str,
}

/// Metadata that came with the input rather than from the text.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    /// `published` from a JSONL line, Markdown front matter or `--published`.
    pub published: Option<String>,
    /// `input`, `front_matter` or `option`.
    pub published_source: Option<&'static str>,
    /// `title:` from Markdown front matter.
    pub title: Option<String>,
}

/// One article, decoded. The text is never rewritten after decoding.
#[derive(Debug, Clone)]
pub struct Document {
    pub doc_id: String,
    pub text: String,
    pub source: Source,
    pub meta: Metadata,
    /// Byte offset where the body starts (after Markdown front matter, if any).
    pub body_start: usize,
    /// Warnings raised while reading (e.g. a Windows-1252 fallback).
    pub warnings: Vec<String>,
    chars: CharIndex,
}

impl Document {
    pub fn new(doc_id: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let chars = CharIndex::new(&text);
        Document {
            doc_id: doc_id.into(),
            text,
            source: Source {
                encoding: "utf-8",
                ..Source::default()
            },
            meta: Metadata::default(),
            body_start: 0,
            warnings: Vec::new(),
            chars,
        }
    }

    /// Code point offset of a byte offset (which must be on a char boundary).
    #[inline]
    pub fn char_offset(&self, byte: usize) -> usize {
        self.chars.char_offset(&self.text, byte)
    }

    /// The body text (after any front matter) with its byte offset.
    pub fn body(&self) -> (usize, &str) {
        (self.body_start, &self.text[self.body_start..])
    }
}

/// Byte → code point offsets in O(1) amortised: identity for ASCII text; otherwise the code point
/// count at every 64-byte block start, plus a count of non-continuation bytes inside the block.
/// Memory: 4 bytes per 64 bytes of text.
#[derive(Debug, Clone)]
pub struct CharIndex {
    blocks: Option<Vec<u32>>,
}

const BLOCK: usize = 64;

impl CharIndex {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharIndex { blocks: None };
        }
        let bytes = text.as_bytes();
        let mut blocks = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count: u32 = 0;
        for chunk in bytes.chunks(BLOCK) {
            blocks.push(count);
            count += count_chars(chunk) as u32;
        }
        blocks.push(count);
        CharIndex {
            blocks: Some(blocks),
        }
    }

    #[inline]
    pub fn char_offset(&self, text: &str, byte: usize) -> usize {
        match &self.blocks {
            None => byte,
            Some(blocks) => {
                let block = byte / BLOCK;
                let start = block * BLOCK;
                blocks[block] as usize + count_chars(&text.as_bytes()[start..byte])
            }
        }
    }
}

#[inline]
fn is_continuation(b: u8) -> bool {
    (b & 0xC0) == 0x80
}

/// Code points in `bytes` (at most one block: its non-continuation bytes), eight bytes at a
/// time: a continuation byte (10xxxxxx) is one whose bit 7 is set and bit 6 clear.
#[inline]
fn count_chars(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    debug_assert!(bytes.len() <= BLOCK);
    let mut chunks = bytes.chunks_exact(8);
    // one continuation count per byte lane (at most eight each: no carry between lanes)
    let mut lanes = 0u64;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
        lanes += (w & !(w << 1) & HIGH) >> 7;
    }
    let continuations = (lanes.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
    let tail = chunks.remainder();
    (bytes.len() - tail.len() - continuations)
        + tail.iter().filter(|&&b| !is_continuation(b)).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_chars_counts_code_points_at_every_length() {
        let text = "a€b😀cé参考文献xyz—“q”".repeat(4);
        let bytes = text.as_bytes();
        for start in 0..bytes.len() {
            for end in start..bytes.len().min(start + BLOCK) + 1 {
                let slow = bytes[start..end]
                    .iter()
                    .filter(|&&b| !is_continuation(b))
                    .count();
                assert_eq!(count_chars(&bytes[start..end]), slow, "{start}..{end}");
            }
        }
    }

    #[test]
    fn char_offsets_match_char_indices_for_multibyte_text() {
        let text = "€20 billion — “quoted” 参考文献：[1] and more text ".repeat(20);
        let doc = Document::new("x", text.clone());
        for (ci, (bi, _)) in text.char_indices().enumerate() {
            assert_eq!(doc.char_offset(bi), ci, "byte {bi}");
        }
        assert_eq!(doc.char_offset(text.len()), text.chars().count());
    }

    #[test]
    fn ascii_text_maps_bytes_to_themselves() {
        let doc = Document::new("x", "plain ascii");
        assert_eq!(doc.char_offset(5), 5);
        assert_eq!(doc.char_offset(11), 11);
    }
}
