//! Fuzz the library's document entry point: raw bytes → decode → every stage → record → JSON,
//! checking that every span's text is the decoded text's slice in code points.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsextract::corpus::decode_document;
use newsextract::extract::Options;
use newsextract::record::Record;
use newsextract::{Pipeline, RuleSet};

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&RuleSet::builtin(), &Options::default()).expect("rules"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = decode_document("fuzz", data) else {
        return;
    };
    let ann = pipeline().process(&doc);
    let record = Record::build(&doc, &ann);
    let json = serde_json::to_vec(&record).expect("serialise");
    let value: serde_json::Value = serde_json::from_slice(&json).expect("parse back");
    let chars: Vec<char> = doc.text.chars().collect();
    for field in ["sentences", "entities", "money", "dates", "citations"] {
        for s in value[field].as_array().expect("list") {
            let a = s["start"].as_u64().expect("start") as usize;
            let b = s["end"].as_u64().expect("end") as usize;
            assert!(a <= b && b <= chars.len());
            let got: String = chars[a..b].iter().collect();
            assert_eq!(got, s["text"].as_str().expect("text"));
        }
    }
});
