//! Micro-benchmarks per stage on fixed in-repo texts (the bundled corpus), so that a regression
//! shows in a number: `cargo bench`. Throughput is reported in bytes of article text.

use std::sync::OnceLock;

use divan::counter::BytesCount;
use newsextract::annotations::Annotations;
use newsextract::extract::{self, Extractor, Options};
use newsextract::record::Record;
use newsextract::segment::Segmenter;
use newsextract::{Document, Pipeline, RuleSet};

fn main() {
    divan::main();
}

/// The bundled articles, concatenated as one long document (about 10 KB, repeated to 200 KB).
fn text() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let parts = [
            include_str!("../corpus/world/india_italy_partnership.txt"),
            include_str!("../corpus/world/summit-digest.txt"),
            include_str!("../corpus/markets/rupee-budget.txt"),
            include_str!("../corpus/tech/chip-plant.txt"),
            include_str!("../corpus/business/port-expansion.md"),
        ];
        let one = parts.join("\n\n");
        one.repeat(200_000 / one.len() + 1)
    })
}

fn doc() -> &'static Document {
    static D: OnceLock<Document> = OnceLock::new();
    D.get_or_init(|| Document::new("bench", text()))
}

fn rules() -> &'static RuleSet {
    static R: OnceLock<RuleSet> = OnceLock::new();
    R.get_or_init(RuleSet::builtin)
}

fn segmented() -> &'static Annotations {
    static A: OnceLock<Annotations> = OnceLock::new();
    A.get_or_init(|| {
        let mut ann = Annotations::default();
        Segmenter::new(rules()).unwrap().segment(doc(), &mut ann);
        ann
    })
}

#[divan::bench]
fn segment(bencher: divan::Bencher) {
    let seg = Segmenter::new(rules()).unwrap();
    bencher
        .counter(BytesCount::new(text().len()))
        .bench_local(|| {
            let mut ann = Annotations::default();
            seg.segment(doc(), &mut ann);
            ann
        });
}

/// Each extractor alone, on the segmented document (the annotations of earlier stages as input).
#[divan::bench(args = ["citations", "dates", "money", "entities", "targets"])]
fn extractor(bencher: divan::Bencher, name: &str) {
    let all = extract::build_all(rules(), &Options::default()).unwrap();
    let stage: &dyn Extractor = all
        .iter()
        .find(|e| e.name() == name)
        .map(|b| b.as_ref())
        .expect("stage");
    // Input: the annotations every earlier stage produced.
    let mut base = segmented().clone();
    for e in all.iter().take_while(|e| e.name() != name) {
        e.extract(doc(), &mut base);
    }
    bencher
        .counter(BytesCount::new(text().len()))
        .bench_local(|| {
            let mut ann = base.clone();
            stage.extract(doc(), &mut ann);
            ann
        });
}

#[divan::bench]
fn serialise(bencher: divan::Bencher) {
    let pipeline = Pipeline::new(rules(), &Options::default()).unwrap();
    let ann = pipeline.process(doc());
    let mut buf = Vec::with_capacity(1 << 20);
    bencher
        .counter(BytesCount::new(text().len()))
        .bench_local(|| {
            buf.clear();
            serde_json::to_writer(&mut buf, &Record::build(doc(), &ann)).unwrap();
            buf.len()
        });
}

#[divan::bench]
fn whole_pipeline(bencher: divan::Bencher) {
    let pipeline = Pipeline::new(rules(), &Options::default()).unwrap();
    bencher
        .counter(BytesCount::new(text().len()))
        .bench_local(|| pipeline.process(doc()));
}

#[divan::bench(sample_count = 5)]
fn compile_rules() -> Pipeline {
    Pipeline::new(rules(), &Options::default()).unwrap()
}
