//! The dates scan (anchored dense DFA at the positions where a match can start) must find
//! exactly the matches of one leftmost-first pass of the whole grammar.
use newsextract::extract::dates::grammar::{Grammar, Lexicon};
use newsextract::rules::RuleSet;
use proptest::prelude::*;

fn grammar() -> Grammar {
    let rules = RuleSet::builtin();
    let lex = Lexicon::load(&rules).expect("lexicon");
    Grammar::compile(&rules, &lex).expect("grammar")
}

const PIECES: &[&str] = &[
    "the",
    "last",
    "next",
    "week",
    "year",
    "years",
    "ago",
    "early",
    "mid",
    "late",
    "May",
    "march",
    "March",
    "Jan.",
    "Tuesday",
    "Tue.",
    "on",
    "in",
    "by",
    "of",
    "2019",
    "1998",
    "'90s",
    "’90s",
    "12",
    "3",
    "1/2",
    "20/05/2026",
    "2026-05-20",
    "10:30",
    "p.m.",
    "am",
    "Q3",
    "H1",
    "FY27",
    "fiscal",
    "quarter",
    "half",
    "two",
    "twenty-four",
    "$5",
    "£3.5",
    "5%",
    "No. 7",
    "3-1",
    "v1.2.3",
    "Christmas",
    "today",
    "now",
    "every",
    "daily",
    "decade",
    "century",
    "21st",
    "summer",
    "noon",
    "\u{00a0}",
    "é",
    "١٩٩٨",
    "\u{212a}",
    ",",
    ".",
    "-",
    "'",
    "\n",
    "  ",
    "x",
    "yearly",
    "amid",
    "sat",
    "Sun",
    "GMT",
    "hours",
    "minutes",
    "for",
    "past",
    "three",
];

#[test]
fn scan_equals_plain_search_on_examples() {
    let g = grammar();
    let texts = [
        "",
        "Last week, on Tuesday 3 March 2020 at 10:30 p.m. GMT, sales rose 5% to $5m.",
        "In the early '90s and mid-2019, three years ago, the 21st century began.",
        "x2019y, amid yearly results; Q3 2025 and H1'26, FY27, the year-ago quarter.",
        "Né le 12 mai 1998 — é١٩٩٨ \u{212a}\u{00a0}May 2019\nnow",
        // texts that end one, two or three bytes into a possible match (the start filter
        // looks at up to three bytes)
        "2",
        "in 3",
        "Q3",
        "the y",
        "noo",
        "x '9",
        "Tuesday 2",
    ];
    assert!(g.raw_matches(texts[1]).len() >= 4);
    for t in texts {
        assert_eq!(g.raw_matches(t), g.raw_matches_plain(t), "{t:?}");
    }
}

/// The scan looks for starts 64 positions at a time: matches across a block's end, and texts
/// that end inside the last block, are found as by the plain search.
#[test]
fn scan_equals_plain_search_across_blocks() {
    let g = grammar_cached();
    let text = "Last week, on Tuesday 3 March 2020 at 10:30 p.m. GMT, sales rose 5% to $5m; \
                in the early '90s and mid-2019, three years ago. Q3 2025 and H1'26, FY27.";
    for pad in 0..70 {
        let t = format!("{}{text}", " x".repeat(pad / 2) + &"y".repeat(pad % 2));
        assert_eq!(g.raw_matches(&t), g.raw_matches_plain(&t), "{t:?}");
        let cut = &t[..t.len() - pad.min(t.len())];
        assert_eq!(g.raw_matches(cut), g.raw_matches_plain(cut), "{cut:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn scan_equals_plain_search(idx in prop::collection::vec((0..PIECES.len(), 0..3usize), 0..40)) {
        let g = grammar_cached();
        let mut t = String::new();
        for (i, sep) in idx {
            t.push_str(PIECES[i]);
            t.push_str([" ", "", ", "][sep]);
        }
        prop_assert_eq!(g.raw_matches(&t), g.raw_matches_plain(&t), "{:?}", t);
    }
}

fn grammar_cached() -> &'static Grammar {
    static G: std::sync::OnceLock<Grammar> = std::sync::OnceLock::new();
    G.get_or_init(grammar)
}

/// The capture memo (per thread, across documents) gives the parts a fresh search gives: the
/// same phrase next to different chars (`\b` sees them) and at the text's ends.
#[test]
fn memoised_parts_equal_fresh_ones() {
    let warm = grammar_cached();
    let texts = [
        "Last week, on Tuesday 3 March 2020, three years ago.",
        "xLast week,on Tuesday 3 March 2020x three years agox",
        "three years ago",
        "(three years ago)",
        "é three years ago é, last week’s 1990s '90s",
        "in 3 days, in 3 days; In 3 Days",
    ];
    for t in texts {
        warm.scan(t, 0);
    }
    for t in texts {
        let fresh = grammar();
        assert_eq!(
            format!("{:?}", warm.scan(t, 0)),
            format!("{:?}", fresh.scan(t, 0)),
            "{t:?}"
        );
    }
}

/// The built-in patterns run on the DFA compiled with the binary: when this fails, the
/// patterns (or how they are made) changed since `src/extract/dates/scan.dfa` was written.
#[test]
fn the_built_in_patterns_use_the_dfa_compiled_with_the_binary() {
    assert_eq!(
        grammar_cached().scan_automaton(),
        "compiled with the binary",
        "run `cargo run --release --example build_dates_dfa` and commit src/extract/dates/scan.dfa"
    );
}

/// Changed patterns (here a rule disabled) get a DFA of their own at start-up, which finds
/// what the plain search finds.
#[test]
fn changed_patterns_build_their_own_dfa() {
    let dir = std::env::temp_dir().join(format!("nx-dates-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("disabled.txt"), "date.ref\n").unwrap();
    let rules = RuleSet::with_overlay(Some(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let lex = Lexicon::load(&rules).expect("lexicon");
    let g = Grammar::compile(&rules, &lex).expect("grammar");
    assert_eq!(g.scan_automaton(), "built at start-up");
    let text = "Last week, on Tuesday 3 March 2020 at 10:30 p.m. GMT, rates are now higher; \
                in the early '90s and mid-2019, three years ago. Q3 2025 and H1'26, FY27.";
    let found = g.raw_matches(text);
    assert!(found.len() >= 8, "{found:?}");
    assert_eq!(found, g.raw_matches_plain(text));
    // the disabled rule's `now` is not among them
    assert_ne!(found, grammar_cached().raw_matches(text));
}
