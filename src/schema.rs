//! The JSON Schema (draft 2020-12) of one `newsextract/1` record, as `newsextract schema` prints
//! it. Written by hand to match the serde structs in [`crate::record`] field for field: every key
//! is required (a missing key is a bug, `null` says "unknown"), no other key is allowed, and every
//! field has one JSON type (plus `null` where the struct has an `Option`). Analytics engines can
//! build their column types from it instead of inferring them from a sample.
//!
//! `tests/schema.rs` validates every record of a run over `corpus/` against it, and checks that
//! it names exactly the fields the record structs serialise.

use serde_json::{Value, json};

use crate::record::SCHEMA;

/// The `$id` of the schema.
pub const SCHEMA_ID: &str = "https://newsextract.invalid/schema/newsextract-1.json";

/// OntoNotes entity labels the extractors emit.
pub const ENTITY_LABELS: &[&str] = &[
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT",
];

/// Sentence kinds (`SentenceKind::as_str`).
pub const SENTENCE_KINDS: &[&str] = &["body", "heading", "list_item", "reference"];

/// TIMEX3 types (`TimexType::as_str`).
pub const TIMEX_TYPES: &[&str] = &["DATE", "TIME", "DURATION", "SET"];

fn count(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

fn nullable_string(description: &str) -> Value {
    json!({"type": ["string", "null"], "description": description})
}

fn object(description: &str, properties: Value) -> Value {
    let required: Vec<Value> = properties
        .as_object()
        .map(|m| m.keys().map(|k| Value::String(k.clone())).collect())
        .unwrap_or_default();
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn list_of(def: &str, description: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/$defs/{def}")}, "description": description})
}

/// The span fields every mention starts with.
fn span_fields(mut extra: serde_json::Map<String, Value>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(
        "start".into(),
        count("Start offset in Unicode code points into the decoded text."),
    );
    m.insert(
        "end".into(),
        count("End offset (exclusive) in code points: text[start:end] == this mention's text."),
    );
    m.insert(
        "text".into(),
        json!({"type": "string", "description": "The mention exactly as in the decoded text."}),
    );
    m.append(&mut extra);
    Value::Object(m)
}

fn fields(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// The JSON Schema of one record line.
pub fn record_schema() -> Value {
    let iso_date = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    let source = object(
        "Where the text came from and how it was decoded.",
        json!({
            "path": {"type": "string", "description": "The input path as given plus the file's path under it, the JSONL file, or - for stdin."},
            "line": {"type": ["integer", "null"], "minimum": 1, "description": "1-based line in a JSONL input; null for a plain file."},
            "bytes": count("Size of the raw input in bytes (JSONL: the UTF-8 size of text)."),
            "blake3": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "BLAKE3 hash of the raw bytes, hex."},
            "encoding": {"type": "string", "enum": ["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252"]},
        }),
    );
    let sentence = object(
        "A sentence, heading, list item or reference-list entry.",
        span_fields(fields(json!({
            "paragraph": count("0-based paragraph index."),
            "kind": {"type": "string", "enum": SENTENCE_KINDS},
            "citations": {"type": "array", "items": count("Index into citations."), "description": "Citation markers in this sentence."},
        }))),
    );
    let entity = object(
        "A named entity.",
        span_fields(fields(json!({
            "label": {"type": "string", "enum": ENTITY_LABELS, "description": "OntoNotes label."},
            "sentence": count("Index into sentences."),
            "norm": {"type": "string", "description": "Normalised name."},
            "kb_id": nullable_string("Knowledge-base id (e.g. iso3166:IN), null when none."),
            "rule": {"type": "string", "description": "Rule or gazetteer id."},
        }))),
    );
    let money = object(
        "A money amount.",
        span_fields(fields(json!({
            "sentence": count("Index into sentences."),
            "amount": {"type": "number", "description": "Amount in units of the currency, always a float."},
            "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code, null when the text does not say."},
            "amount_max": {"type": ["number", "null"], "description": "Upper bound of a range."},
            "qualifier": nullable_string("approx, min, max, between, …"),
            "rule": {"type": "string"},
        }))),
    );
    let date = object(
        "A TIMEX3 temporal expression.",
        span_fields(fields(json!({
            "sentence": count("Index into sentences."),
            "type": {"type": "string", "enum": TIMEX_TYPES},
            "value": {"type": "string", "description": "TIMEX3 value: 2026-05-20, 2026-W21, P3Y, PRESENT_REF, …"},
            "mod": nullable_string("TIMEX3 mod: START, MID, END, EARLY, LATE, APPROX, …"),
            "rule": {"type": "string"},
        }))),
    );
    let citation = object(
        "A citation marker such as [1] or [1, 3].",
        span_fields(fields(json!({
            "refs": {"type": "array", "items": count("A reference number."), "description": "The numbers in the marker."},
            "sentence": count("Index into sentences."),
        }))),
    );
    let reference = object(
        "An entry of the reference list.",
        json!({
            "id": count("The reference number."),
            "text": {"type": "string"},
            "url": nullable_string("The URL in the entry."),
            "title": nullable_string("The title in the entry."),
        }),
    );
    let target = object(
        "A money target with an optional deadline.",
        json!({
            "money": count("Index into money."),
            "deadline": {"type": ["integer", "null"], "minimum": 0, "description": "Index into dates."},
            "metric": nullable_string("What the target measures."),
            "cue": {"type": "string", "description": "The word that marks the target."},
            "sentence": count("Index into sentences."),
            "rule": {"type": "string"},
        }),
    );
    let mut record = object(
        "One article.",
        json!({
            "schema": {"const": SCHEMA},
            "doc_id": {"type": "string", "description": "Path relative to the input root, /-separated; for JSONL input its own doc_id."},
            "source": {"$ref": "#/$defs/source"},
            "lang": nullable_string("Language guess (ISO 639-1), null when unsure."),
            "title": nullable_string("Title from front matter or the first heading."),
            "published": {"type": ["string", "null"], "pattern": iso_date, "description": "Publication date, YYYY-MM-DD."},
            "published_source": nullable_string("Where published came from: input, front_matter, option, text."),
            "sentences": list_of("sentence", "Sentences in text order."),
            "entities": list_of("entity", "Named entities."),
            "money": list_of("money", "Money amounts."),
            "dates": list_of("date", "Temporal expressions."),
            "citations": list_of("citation", "Citation markers."),
            "references": list_of("reference", "The reference list."),
            "targets": list_of("target", "Money targets."),
            "warnings": {"type": "array", "items": {"type": "string"}, "description": "Problems met while reading or extracting."},
        }),
    );
    if let Value::Object(m) = &mut record {
        m.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        m.insert("$id".into(), json!(SCHEMA_ID));
        m.insert("title".into(), json!(SCHEMA));
        m.insert(
            "$defs".into(),
            json!({
                "source": source,
                "sentence": sentence,
                "entity": entity,
                "money": money,
                "date": date,
                "citation": citation,
                "reference": reference,
                "target": target,
            }),
        );
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_requires_all_its_properties_and_forbids_others() {
        let s = record_schema();
        let mut objects = vec![&s];
        if let Some(defs) = s["$defs"].as_object() {
            objects.extend(defs.values());
        }
        for o in objects {
            let props: Vec<&String> = o["properties"].as_object().unwrap().keys().collect();
            let required: Vec<&str> = o["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(props.len(), required.len());
            assert!(props.iter().all(|p| required.contains(&p.as_str())));
            assert_eq!(o["additionalProperties"], json!(false));
        }
    }
}
