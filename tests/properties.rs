//! Invariants over arbitrary text (property tests): no panic; every span's text equals the decoded
//! text's `[start:end]` in code points; sentences in order, disjoint and inside the text; every
//! index points at something that exists.

use newsextract::corpus::decode_document;
use newsextract::extract::Options;
use newsextract::record::Record;
use newsextract::{Document, Pipeline, RuleSet};
use proptest::prelude::*;
use std::sync::OnceLock;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| Pipeline::new(&RuleSet::builtin(), &Options::default()).unwrap())
}

fn check(doc: &Document) -> Result<(), TestCaseError> {
    let ann = pipeline().process(doc);
    let record = Record::build(doc, &ann);
    let mut line = Vec::new();
    record.write_json(&mut line);
    prop_assert_eq!(
        String::from_utf8(line).unwrap(),
        serde_json::to_string(&record).unwrap(),
        "write_json differs from serde_json"
    );
    let rec = serde_json::to_value(record).unwrap();
    let chars: Vec<char> = doc.text.chars().collect();
    let n_sent = rec["sentences"].as_array().unwrap().len();
    let mut prev_end = 0;
    for s in rec["sentences"].as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        prop_assert!(
            prev_end <= a && a < b && b <= chars.len(),
            "sentence order {a}..{b}"
        );
        prev_end = b;
    }
    for field in ["sentences", "entities", "money", "dates", "citations"] {
        for s in rec[field].as_array().unwrap() {
            let (a, b) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            prop_assert!(a <= b && b <= chars.len());
            let got: String = chars[a..b].iter().collect();
            prop_assert_eq!(got.as_str(), s["text"].as_str().unwrap());
            if field != "sentences" {
                prop_assert!((s["sentence"].as_u64().unwrap() as usize) < n_sent.max(1));
            }
        }
    }
    for (k, s) in rec["sentences"].as_array().unwrap().iter().enumerate() {
        for c in s["citations"].as_array().unwrap() {
            let c = &rec["citations"][c.as_u64().unwrap() as usize];
            prop_assert_eq!(c["sentence"].as_u64().unwrap() as usize, k);
        }
    }
    let n_money = rec["money"].as_array().unwrap().len();
    let n_dates = rec["dates"].as_array().unwrap().len();
    for t in rec["targets"].as_array().unwrap() {
        prop_assert!((t["money"].as_u64().unwrap() as usize) < n_money);
        if let Some(d) = t["deadline"].as_u64() {
            prop_assert!((d as usize) < n_dates);
        }
        prop_assert!(t["sentence"].as_u64().unwrap() as usize <= n_sent);
    }
    Ok(())
}

/// Text made of the tokens the rules care about, so the interesting paths are hit often.
fn newsy() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "Mr.",
        "U.S.",
        "Inc.",
        "Dr.",
        "No.",
        "p.",
        "a.m.",
        "J.P.",
        "A.",
        "I.",
        "the",
        "said",
        "It",
        "The",
        "India",
        "Italy",
        "€20 billion",
        "$3.2bn",
        "Rs 2,500 crore",
        "₹1.5 lakh crore",
        "£50m",
        "May",
        "20,",
        "2026",
        "Wednesday",
        "last week",
        "by 2029",
        "Q3",
        "[1]",
        "[2-4]",
        "[1, 3]",
        "[citation needed]",
        "[41-23]",
        "[",
        "]",
        "(",
        ")",
        ".",
        "...",
        ". . .",
        "…",
        "!",
        "?",
        "\"",
        "“",
        "”",
        "'",
        "’",
        "\n",
        "\n\n",
        "\r\n",
        "# References",
        "[3] https://x.example/a - T",
        "1.)",
        "•",
        "-",
        "参考文献：",
        "日本。",
        "Prime Minister",
        "Narendra Modi",
        "Ltd",
        "3-1",
        "10:30",
        "percent",
        "%",
        ",",
        ";",
        "—",
        "\u{a0}",
        "\t",
        "e.g.",
        "others.No",
        "x",
    ]);
    prop::collection::vec(
        (tokens, prop::sample::select(vec![" ", "", " ", "  "])),
        0..80,
    )
    .prop_map(|v| v.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_unicode_text_keeps_the_invariants(text in "\\PC{0,400}") {
        check(&Document::new("p", text))?;
    }

    #[test]
    fn newsy_token_soup_keeps_the_invariants(text in newsy()) {
        check(&Document::new("p", text))?;
    }

    #[test]
    fn arbitrary_bytes_decode_or_fail_cleanly_and_keep_the_invariants(
        bytes in prop::collection::vec(any::<u8>(), 0..600)
    ) {
        if let Ok(doc) = decode_document("p", &bytes) {
            check(&doc)?;
        }
    }
}
