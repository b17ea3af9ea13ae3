//! `newsextract schema` against real records: every record of a run over `corpus/` (and over
//! documents made to exercise every field) validates against the printed schema. The checker
//! below implements the part of JSON Schema 2020-12 the schema uses (`type`, `const`, `enum`,
//! `minimum`, `pattern`, `properties`, `required`, `additionalProperties`, `items`, local
//! `$ref`), and refuses any other keyword so the schema cannot silently outgrow it.
//! `scripts/duckdb/test.sh` also validates the corpus run with Python's `jsonschema`.

mod common;
use common::bin;

use std::io::Write;
use std::process::Stdio;

use regex::Regex;
use serde_json::Value;

fn schema() -> Value {
    let out = bin().arg("schema").output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "const",
    "enum",
    "minimum",
    "pattern",
    "properties",
    "required",
    "additionalProperties",
    "items",
];

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

fn validate(root: &Value, s: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let m = s.as_object().expect("a schema is an object");
    for k in m.keys() {
        assert!(KNOWN.contains(&k.as_str()), "keyword {k} is not checked");
    }
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local $ref");
        validate(root, &root["$defs"][name], v, at, errors);
        return;
    }
    if let Some(t) = m.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
            _ => panic!("bad type"),
        };
        if !ok {
            errors.push(format!("{at}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(c) = m.get("const")
        && c != v
    {
        errors.push(format!("{at}: {v} != {c}"));
    }
    if let Some(e) = m.get("enum").and_then(Value::as_array)
        && !v.is_null()
        && !e.contains(v)
    {
        errors.push(format!("{at}: {v} not in {e:?}"));
    }
    if let (Some(min), Some(x)) = (m.get("minimum").and_then(Value::as_f64), v.as_f64())
        && x < min
    {
        errors.push(format!("{at}: {x} < {min}"));
    }
    if let (Some(p), Some(x)) = (m.get("pattern").and_then(Value::as_str), v.as_str())
        && !Regex::new(p).unwrap().is_match(x)
    {
        errors.push(format!("{at}: {x:?} does not match {p}"));
    }
    if let Some(obj) = v.as_object() {
        let props = m.get("properties").and_then(Value::as_object);
        for r in m
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errors.push(format!("{at}: missing {r}"));
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, x, &format!("{at}.{k}"), errors),
                None if m.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: unexpected key {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (m.get("items"), v.as_array()) {
        for (k, x) in arr.iter().enumerate() {
            validate(root, items, x, &format!("{at}[{k}]"), errors);
        }
    }
}

fn check_all(schema: &Value, stdout: &[u8]) -> usize {
    let text = std::str::from_utf8(stdout).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let mut errors = Vec::new();
        validate(schema, schema, &v, "$", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:#?}", v["doc_id"]);
        n += 1;
    }
    n
}

#[test]
fn schema_is_draft_2020_12_with_every_field_required() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["properties"]["schema"]["const"], "newsextract/1");
    let keys: Vec<&str> = s["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for k in [
        "schema",
        "doc_id",
        "source",
        "sentences",
        "entities",
        "money",
        "dates",
        "citations",
        "references",
        "targets",
        "warnings",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
}

#[test]
fn every_corpus_record_validates_against_the_schema() {
    let s = schema();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let out = bin()
        .args(["run", corpus, "--stdout", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let n = check_all(&s, &out.stdout);
    assert!(n >= 5, "{n} records");
}

#[test]
fn documents_made_to_fill_optional_fields_validate() {
    let s = schema();
    let docs = [
        // Money, dates, targets, citations and a reference list with a URL.
        r#"{"doc_id":"a","published":"2026-05-20","text":"Acme Corp said on Monday it will invest $2.5 billion in India by 2030 [1].\n\nReferences\n1. Acme press release. https://example.org/acme"}"#,
        // Windows-1252 bytes, Markdown front matter, and no mentions at all.
        r#"{"doc_id":"b.md","raw_b64":"LS0tCnRpdGxlOiBYCmRhdGU6IDIwMjYtMDEtMDIKLS0tCkEgo2xpbmUu"}"#,
        r#"{"doc_id":"c","text":""}"#,
    ];
    let mut child = bin()
        .args(["run", "-", "--stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for d in docs {
            writeln!(stdin, "{d}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(check_all(&s, &out.stdout), docs.len());
}

#[test]
fn the_schema_names_exactly_the_keys_records_have() {
    // Every key a record or a mention serialises is a property, and the other way round.
    let s = schema();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
    let out = bin()
        .args(["run", corpus, "--stdout", "--quiet"])
        .output()
        .unwrap();
    let mut seen: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for line in std::str::from_utf8(&out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let o = v.as_object().unwrap();
        seen.entry("record".into())
            .or_default()
            .extend(o.keys().cloned());
        seen.entry("source".into())
            .or_default()
            .extend(v["source"].as_object().unwrap().keys().cloned());
        for (list, def) in [
            ("sentences", "sentence"),
            ("entities", "entity"),
            ("money", "money"),
            ("dates", "date"),
            ("citations", "citation"),
            ("references", "reference"),
            ("targets", "target"),
        ] {
            for m in v[list].as_array().unwrap() {
                seen.entry(def.into())
                    .or_default()
                    .extend(m.as_object().unwrap().keys().cloned());
            }
        }
    }
    for (def, keys) in seen {
        let props = if def == "record" {
            &s["properties"]
        } else {
            &s["$defs"][&def]["properties"]
        };
        let names: std::collections::BTreeSet<String> =
            props.as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, keys, "{def}");
    }
}
