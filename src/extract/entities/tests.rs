use super::*;
use crate::pipeline::Pipeline;

fn run(text: &str) -> Vec<(String, &'static str, String)> {
    let rules = RuleSet::builtin();
    let p = Pipeline::new(&rules, &Options::default()).unwrap();
    let doc = Document::new("t", text);
    let ann = p.process(&doc);
    ann.entities
        .iter()
        .map(|e| {
            (
                text[e.span.start..e.span.end].to_string(),
                e.label,
                e.rule.to_string(),
            )
        })
        .collect()
}

fn has(ents: &[(String, &'static str, String)], text: &str, label: &str) -> bool {
    ents.iter().any(|(t, l, _)| t == text && *l == label)
}

#[test]
fn smoke() {
    let e = run(
        "Prime Minister Narendra Modi met Giorgia Meloni in Rome. Modi said India's ties grew.",
    );
    eprintln!("{e:?}");
    assert!(has(&e, "Narendra Modi", "PERSON"));
}
