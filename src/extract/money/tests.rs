use super::*;

fn money(text: &str) -> Vec<(String, f64, Option<String>, Option<f64>, Option<&'static str>, String)> {
    let ex = MoneyExtractor::new(&RuleSet::builtin(), &Options::default()).unwrap();
    let doc = Document::new("t", text);
    let mut ann = Annotations::default();
    ex.extract(&doc, &mut ann);
    ann.money
        .iter()
        .map(|m| {
            (
                text[m.span.start..m.span.end].to_string(),
                m.amount,
                m.currency.clone(),
                m.amount_max,
                m.qualifier,
                m.rule.to_string(),
            )
        })
        .collect()
}

#[test]
fn smoke() {
    for t in ["The two leaders set a target for bilateral trade to reach €20 billion by 2029.", "usd 200 and $ 75 million", "five million yen", "3 dollars 50 cents"] {
        eprintln!("{t}: {:?}", money(t));
    }
}
