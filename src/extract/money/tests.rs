//! Behaviour of the money patterns, on sentences written for these tests.
use super::*;
use crate::annotations::Annotations;
use crate::document::Document;
use crate::extract::Options;
use crate::rules::RuleSet;

/// (span text, amount, currency, amount_max, qualifier, rule)
type M = (
    String,
    f64,
    Option<String>,
    Option<f64>,
    Option<&'static str>,
    String,
);

fn money(text: &str) -> Vec<M> {
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

/// The single mention of `text`: (span text, amount, currency).
fn one(text: &str) -> (String, f64, Option<String>) {
    let ms = money(text);
    assert_eq!(ms.len(), 1, "{text}: {ms:?}");
    let m: &M = &ms[0];
    (m.0.clone(), m.1, m.2.clone())
}

fn check(text: &str, span: &str, amount: f64, currency: Option<&str>) {
    let (s, a, c) = one(text);
    assert_eq!(s, span, "{text}");
    assert!(
        (a - amount).abs() <= amount.abs() * 1e-9,
        "{text}: {a} != {amount}"
    );
    assert_eq!(c.as_deref(), currency, "{text}");
}

fn none(text: &str) {
    let ms = money(text);
    assert!(ms.is_empty(), "{text}: {ms:?}");
}

#[test]
fn symbol_before_with_magnitude_is_symbol_magnitude() {
    let ms = money("Rome and Delhi want trade to reach €20 billion by 2029.");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].0, "€20 billion");
    assert_eq!(ms[0].1, 20_000_000_000.0);
    assert_eq!(ms[0].2.as_deref(), Some("EUR"));
    assert_eq!(ms[0].5, "money.symbol_magnitude");
}

#[test]
fn symbols_before_or_after_with_or_without_space() {
    check(
        "a fee of $ 75 million was paid",
        "$ 75 million",
        75e6,
        Some("USD"),
    );
    check("tickets cost $12.50 each", "$12.50", 12.5, Some("USD"));
    check("it sells for 75 $ here", "75 $", 75.0, Some("USD"));
    check("only 10 € at the door", "10 €", 10.0, Some("EUR"));
    check("only 10€ at the door", "10€", 10.0, Some("EUR"));
    check("a £3,500 bonus", "£3,500", 3500.0, Some("GBP"));
    check("priced at ¥980", "¥980", 980.0, Some("JPY"));
    check("₩5,000 per ticket", "₩5,000", 5000.0, Some("KRW"));
    check("fined ₽200,000", "₽200,000", 200000.0, Some("RUB"));
}

#[test]
fn prefixed_dollar_symbols_name_their_currency() {
    check(
        "a US$ 3.2 million grant",
        "US$ 3.2 million",
        3.2e6,
        Some("USD"),
    );
    check("an A$40 million deal", "A$40 million", 40e6, Some("AUD"));
    check("raised C$ 12 million", "C$ 12 million", 12e6, Some("CAD"));
    check(
        "HK$8.5 billion in bonds",
        "HK$8.5 billion",
        8.5e9,
        Some("HKD"),
    );
    check("S$300,000 was lost", "S$300,000", 300000.0, Some("SGD"));
    check("a loan of R$45 million", "R$45 million", 45e6, Some("BRL"));
}

#[test]
fn codes_before_or_after_spaced_or_glued_and_lower_case() {
    check("pay USD 200 now", "USD 200", 200.0, Some("USD"));
    check("pay 200 USD now", "200 USD", 200.0, Some("USD"));
    check("a USD115 voucher", "USD115", 115.0, Some("USD"));
    check("a 115USD voucher", "115USD", 115.0, Some("USD"));
    check("pay usd 200 now", "usd 200", 200.0, Some("USD"));
    check(
        "a CHF 3.5 million fee",
        "CHF 3.5 million",
        3.5e6,
        Some("CHF"),
    );
    check(
        "INR 500 crore was set aside",
        "INR 500 crore",
        5e9,
        Some("INR"),
    );
}

#[test]
fn magnitude_after_code_and_million_codes() {
    check(
        "they lost 40 USD million",
        "40 USD million",
        40e6,
        Some("USD"),
    );
    check(
        "costs rose to 25 MUSD last year",
        "25 MUSD",
        25e6,
        Some("USD"),
    );
    check("sales of MEUR 12 were booked", "MEUR 12", 12e6, Some("EUR"));
}

#[test]
fn every_magnitude_word_and_suffix() {
    for (t, v) in [
        ("$4 thousand", 4e3),
        ("$4 million", 4e6),
        ("$4 billion", 4e9),
        ("$4 trillion", 4e12),
        ("$4k", 4e3),
        ("$4K", 4e3),
        ("$4m", 4e6),
        ("$4M", 4e6),
        ("$4mn", 4e6),
        ("$4 mn", 4e6),
        ("$4bn", 4e9),
        ("$4 bn", 4e9),
        ("$4b", 4e9),
        ("$4tn", 4e12),
        ("₹4 lakh", 4e5),
        ("₹4 lac", 4e5),
        ("₹4 crore", 4e7),
        ("₹4 cr", 4e7),
        ("₹4 lakh crore", 4e12),
    ] {
        let text = format!("a sum of {t} today");
        check(
            &text,
            t,
            v,
            Some(if t.starts_with('$') { "USD" } else { "INR" }),
        );
    }
}

#[test]
fn single_letter_magnitudes_need_a_currency_and_to_touch_the_number() {
    none("It sold 5m units and hired 10k people.");
    check("it raised $5 m and more", "$5", 5.0, Some("USD"));
}

#[test]
fn indian_grouping_and_rupee_forms() {
    check(
        "a prize of ₹1,25,000 was paid",
        "₹1,25,000",
        125000.0,
        Some("INR"),
    );
    check(
        "loan of 12,34,567.89 rupees",
        "12,34,567.89 rupees",
        1234567.89,
        Some("INR"),
    );
    check("fee of Rs 450 only", "Rs 450", 450.0, Some("INR"));
    check("fee of Rs. 450 only", "Rs. 450", 450.0, Some("INR"));
    check("fee of Rs450 only", "Rs450", 450.0, Some("INR"));
    check("a 5 crore rupees grant", "5 crore rupees", 5e7, Some("INR"));
    check("Rs 5 crore was spent", "Rs 5 crore", 5e7, Some("INR"));
    check("40 paise more", "40 paise", 0.4, Some("INR"));
}

#[test]
fn western_grouping_and_decimals() {
    check(
        "a $1,234,567.50 settlement",
        "$1,234,567.50",
        1234567.5,
        Some("USD"),
    );
    check("shares rose to $0.75", "$0.75", 0.75, Some("USD"));
}

#[test]
fn number_words_before_a_currency_name() {
    check(
        "paid five million yen",
        "five million yen",
        5e6,
        Some("JPY"),
    );
    check(
        "worth half a billion dollars",
        "half a billion dollars",
        5e8,
        Some("USD"),
    );
    check(
        "it costs half million usd",
        "half million usd",
        5e5,
        Some("USD"),
    );
    check(
        "a quarter million euros",
        "a quarter million euros",
        250000.0,
        Some("EUR"),
    );
    check(
        "three quarters billion dollars",
        "three quarters billion dollars",
        7.5e8,
        Some("USD"),
    );
    check(
        "twenty-five dollars",
        "twenty-five dollars",
        25.0,
        Some("USD"),
    );
    check(
        "one hundred and twenty pounds sterling",
        "one hundred and twenty pounds sterling",
        120.0,
        Some("GBP"),
    );
    check(
        "one and a half million euros",
        "one and a half million euros",
        1.5e6,
        Some("EUR"),
    );
    check("it costs a dollar.", "a dollar", 1.0, Some("USD"));
}

#[test]
fn names_singular_and_plural() {
    check("12 euros", "12 euros", 12.0, Some("EUR"));
    check("1 euro", "1 euro", 1.0, Some("EUR"));
    check("300 Swiss francs", "300 Swiss francs", 300.0, Some("CHF"));
    check(
        "900 million Australian dollars",
        "900 million Australian dollars",
        9e8,
        Some("AUD"),
    );
    check("70 yuan", "70 yuan", 70.0, Some("CNY"));
    check("70 renminbi", "70 renminbi", 70.0, Some("CNY"));
    check("8 billion won", "8 billion won", 8e9, Some("KRW"));
    check("90 roubles", "90 roubles", 90.0, Some("RUB"));
    check(
        "2 million pounds sterling",
        "2 million pounds sterling",
        2e6,
        Some("GBP"),
    );
}

#[test]
fn minor_units_divide_into_the_major_unit() {
    check("up 45 cents", "45 cents", 0.45, Some("USD"));
    check("a 60 pence rise", "60 pence", 0.6, Some("GBP"));
    check("a 50p coin", "50p", 0.5, Some("GBP"));
    check("a 12-cent dividend", "12-cent", 0.12, Some("USD"));
    check("only 5¢", "5¢", 0.05, Some("USD"));
}

#[test]
fn compound_amounts_add_the_cents() {
    check(
        "it cost 7 dollars 25 cents",
        "7 dollars 25 cents",
        7.25,
        Some("USD"),
    );
    check(
        "it cost nine dollars and sixty cents",
        "nine dollars and sixty cents",
        9.6,
        Some("USD"),
    );
    check("it cost 7 dollars 25.", "7 dollars 25", 7.25, Some("USD"));
    check("it cost £4 and 20p", "£4 and 20p", 4.2, Some("GBP"));
}

#[test]
fn a_bare_number_after_an_amount_is_not_cents_before_a_noun() {
    let ms = money("it cost $5 12 times and $4.25 and 32 items");
    let spans: Vec<_> = ms.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(spans, ["$5", "$4.25"]);
}

#[test]
fn ranges_give_low_amount_and_high_max() {
    let ms = money("a deal worth $5-7 billion");
    assert_eq!(ms[0].0, "$5-7 billion");
    assert_eq!((ms[0].1, ms[0].3), (5e9, Some(7e9)));
    let ms = money("worth between €1 and €2 billion");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].0, "€1 and €2 billion");
    assert_eq!(
        (ms[0].1, ms[0].3, ms[0].4),
        (1e9, Some(2e9), Some("between"))
    );
    let ms = money("priced at 30-40 dollars");
    assert_eq!((ms[0].1, ms[0].3), (30.0, Some(40.0)));
    let ms = money("from $3 to $4 a share");
    assert_eq!((ms[0].1, ms[0].3), (3.0, Some(4.0)));
}

#[test]
fn a_change_from_one_amount_to_another_is_two_mentions() {
    let ms = money("Revenue rose from $10 million to $12 million.");
    assert_eq!(ms.len(), 2);
    assert!(ms.iter().all(|m| m.3.is_none()));
}

#[test]
fn qualifiers_stay_outside_the_span() {
    for (t, q) in [
        ("about $5 million", "approx"),
        ("nearly $5 million", "approx"),
        ("more than $5 million", "min"),
        ("at least $5 million", "min"),
        ("above $5 million", "min"),
        ("up to $5 million", "max"),
        ("under $5 million", "max"),
    ] {
        let ms = money(t);
        assert_eq!(ms.len(), 1, "{t}");
        assert_eq!(ms[0].0, "$5 million", "{t}");
        assert_eq!(ms[0].4, Some(q), "{t}");
    }
}

#[test]
fn bare_dollar_follows_the_default_option() {
    let ex = MoneyExtractor::new(
        &RuleSet::builtin(),
        &Options {
            default_dollar: "CAD".into(),
            ..Options::default()
        },
    )
    .unwrap();
    let doc = Document::new("t", "a $40 fee");
    let mut ann = Annotations::default();
    ex.extract(&doc, &mut ann);
    assert_eq!(ann.money[0].currency.as_deref(), Some("CAD"));
}

#[test]
fn bare_dollar_follows_an_explicit_dollar_in_the_text() {
    let ms = money("The A$2 billion plan adds $300 million for roads.");
    assert_eq!(ms[1].2.as_deref(), Some("AUD"));
    let ms = money("The US$2 billion plan adds $300 million, or C$400 million.");
    assert_eq!(ms[1].2.as_deref(), Some("USD"));
}

#[test]
fn weight_pounds_are_not_money() {
    none("Add 3 pounds of flour.");
    none("He weighed 180 pounds at the time.");
    none("She carried a 5-pound bag.");
    check(
        "They won 3 million pounds in damages.",
        "3 million pounds",
        3e6,
        Some("GBP"),
    );
}

#[test]
fn codes_that_are_words_need_upper_case_next_to_a_number() {
    none("All 70 of us came.");
    none("ALL 5 answers were wrong.");
    none("She got mad 3 times.");
    none("He lost his pen 7 times.");
    none("Silica gel absorbs 20 grams.");
    check("a fee of 500 ALL.", "500 ALL", 500.0, Some("ALL"));
    check("a fee of MAD20", "MAD20", 20.0, Some("MAD"));
}

#[test]
fn years_scores_and_percentages_are_not_money() {
    none("In 1997 prices fell 5 percent.");
    none("They won 3-1 in 2019.");
    let ms = money("In 2019 $5 billion was spent.");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].0, "$5 billion");
    none("in 2019 dollars");
    none("up 5 per cent");
}

#[test]
fn crypto_has_no_iso_currency() {
    check("mined 6.25 BTC", "6.25 BTC", 6.25, None);
}

#[test]
fn disabled_rules_are_skipped() {
    let dir = std::env::temp_dir().join(format!("nx-money-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("disabled.txt"), "money.amount_symbol\n").unwrap();
    let rules = RuleSet::with_overlay(Some(&dir)).unwrap();
    let ex = MoneyExtractor::new(&rules, &Options::default()).unwrap();
    let doc = Document::new("t", "75 $ and $80");
    let mut ann = Annotations::default();
    ex.extract(&doc, &mut ann);
    assert_eq!(ann.money.len(), 1);
    assert_eq!(ann.money[0].amount, 80.0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn never_panics_on_odd_text() {
    for t in [
        "",
        "$",
        "€",
        "$$$",
        "1,",
        "1.",
        "rs.",
        "a",
        "₹,",
        "between and",
        "from to $",
        "ரூ",
        "5-",
        "$5-",
        "a a a dollar",
        "٣ dollars",
        "\u{feff}$5",
    ] {
        let _ = money(t);
    }
    let long: String = "$1,2 ".repeat(1000);
    let _ = money(&long);
}

#[test]
fn names_that_are_not_money_here() {
    none("The rapper 50 Cent sang.");
    none("He played at Euro 2004 and Euro 2008.");
    none("2004 won't be remembered fondly.");
    none("The Psion series 3c was sold out.");
    check("it cost $20 and 43c", "$20 and 43c", 20.43, Some("USD"));
}

#[test]
fn magnitudes_and_sub_units_keep_exact_decimal_values() {
    check(
        "a 4.1bn rupees loss",
        "4.1bn rupees",
        4_100_000_000.0,
        Some("INR"),
    );
    let ms = money("£8.3m and 138p and $2.18 trillion");
    assert_eq!(ms[0].1, 8_300_000.0);
    assert_eq!(ms[1].1, 1.38);
    assert_eq!(ms[2].1, 2_180_000_000_000.0);
}

#[test]
fn amounts_inside_urls_and_mixed_case_codes_are_not_money() {
    none("see https://example.com/reports/2025-tmt-outlook and www.example.org/x/20usd");
    none("video id -xBgn4 and Bgn4");
    none("the 2025-usd note");
    check("a fee of bgn 40 was set", "bgn 40", 40.0, Some("BGN"));
}

#[test]
fn body_weight_in_pounds_is_not_money() {
    none("He was 6 feet tall and 180 pounds.");
}

#[test]
fn every_trigger_word_passes_both_signature_filters() {
    let ex = MoneyExtractor::new(&RuleSet::builtin(), &Options::default()).unwrap();
    let lex = &ex.lex;
    let words = lex.trigger_words.iter().chain(&lex.trigger_exact);
    for w in words.filter(|w| w.iter().all(u8::is_ascii_alphabetic)) {
        for form in [w.to_ascii_lowercase(), w.to_ascii_uppercase(), w.to_vec()] {
            let bit = 1u32 << form.len();
            let sig = lexicon::sig_index(&form).map_or(0, |k| lex.trigger_sig[k]);
            let sig2 = lexicon::sig2_index(&form).map_or(0, |k| lex.trigger_sig2[k]);
            assert!(sig & bit != 0 && sig2 & bit != 0, "{form:?}");
        }
    }
    // common words that only the second filter rejects
    for w in [&b"and"[..], b"But"] {
        let bit = 1u32 << w.len();
        let sig2 = lexicon::sig2_index(w).map_or(0, |k| lex.trigger_sig2[k]);
        assert!(sig2 & bit == 0, "{w:?}");
    }
}

#[test]
fn lookup_finds_every_key_past_its_signature_filters() {
    let ex = MoneyExtractor::new(&RuleSet::builtin(), &Options::default()).unwrap();
    for (key, &id) in &ex.lex.map {
        assert_eq!(ex.lex.lookup(key), id, "{key:?}");
    }
    assert_eq!(ex.lex.lookup("zzqx"), u32::MAX);
}
