//! Dates: one test per expression family, with anchors that cross month, year and week
//! boundaries. Sentences are written for these tests.

use newsextract::annotations::Annotations;
use newsextract::document::Document;
use newsextract::extract::Options;
use newsextract::{Pipeline, RuleSet};

fn run_with(text: &str, published: Option<&str>, opts: &Options) -> (Document, Annotations) {
    let mut doc = Document::new("t", text);
    if let Some(p) = published {
        doc.meta.published = Some(p.to_string());
        doc.meta.published_source = Some("input");
    }
    static DEFAULT: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    let is_default = opts.published.is_none() && opts.day_first;
    let built;
    let p = if is_default {
        DEFAULT.get_or_init(|| Pipeline::new(&RuleSet::builtin(), opts).unwrap())
    } else {
        built = Pipeline::new(&RuleSet::builtin(), opts).unwrap();
        &built
    };
    let ann = p.process(&doc);
    (doc, ann)
}

fn run(text: &str, published: &str) -> Vec<(String, String, String, Option<&'static str>)> {
    let (doc, ann) = run_with(text, Some(published), &Options::default());
    ann.dates
        .iter()
        .map(|d| {
            (
                doc.text[d.span.start..d.span.end].to_string(),
                d.timex_type.as_str().to_string(),
                d.value.clone(),
                d.timex_mod,
            )
        })
        .collect()
}

/// The (type, value) of the mention whose text is `span`.
fn find(text: &str, published: &str, span: &str) -> (String, String) {
    let all = run(text, published);
    let hit = all.iter().find(|(t, ..)| t == span);
    match hit {
        Some((_, ty, v, _)) => (ty.clone(), v.clone()),
        None => panic!("no mention {span:?} in {all:?}"),
    }
}

fn value(text: &str, published: &str, span: &str) -> String {
    find(text, published, span).1
}

#[test]
fn absolute_dates_in_every_order() {
    let a = "2026-06-01";
    assert_eq!(
        value(
            "The accord was signed on May 20, 2026 in Rome.",
            a,
            "May 20, 2026"
        ),
        "2026-05-20"
    );
    assert_eq!(
        value("It was signed on 20 May 2026 in Rome.", a, "20 May 2026"),
        "2026-05-20"
    );
    assert_eq!(
        value(
            "Talks began Mar. 3, 2026, officials said.",
            a,
            "Mar. 3, 2026"
        ),
        "2026-03-03"
    );
    assert_eq!(
        value("The filing is dated 2026-05-20.", a, "2026-05-20"),
        "2026-05-20"
    );
    assert_eq!(
        value("The letter is dated 20/05/2026.", a, "20/05/2026"),
        "2026-05-20"
    );
    assert_eq!(
        value(
            "Output fell in April 2026, the ministry said.",
            a,
            "April 2026"
        ),
        "2026-04"
    );
    assert_eq!(
        value("Trade should reach the goal by 2029.", a, "2029"),
        "2029"
    );
    assert_eq!(
        value("Sales rose in 2025 as demand grew.", a, "2025"),
        "2025"
    );
}

#[test]
fn numeric_dates_follow_the_day_first_option() {
    let opts = Options {
        day_first: false,
        ..Options::default()
    };
    let (_, ann) = run_with("The memo is dated 05/04/2026.", Some("2026-06-01"), &opts);
    assert_eq!(ann.dates[0].value, "2026-05-04");
    let (_, ann) = run_with(
        "The memo is dated 05/04/2026.",
        Some("2026-06-01"),
        &Options::default(),
    );
    assert_eq!(ann.dates[0].value, "2026-04-05");
}

#[test]
fn deictic_days_cross_month_and_year_ends() {
    assert_eq!(
        value(
            "Markets closed yesterday at a record.",
            "2026-01-01",
            "yesterday"
        ),
        "2025-12-31"
    );
    assert_eq!(
        value("The board meets tomorrow.", "2026-02-28", "tomorrow"),
        "2026-03-01"
    );
    assert_eq!(
        value("The minister arrives today.", "2026-07-04", "today"),
        "2026-07-04"
    );
}

#[test]
fn weekdays_resolve_by_tense_around_the_anchor() {
    // anchor Wednesday 2026-05-20
    assert_eq!(
        value(
            "The leaders met in Rome on Wednesday.",
            "2026-05-20",
            "Wednesday"
        ),
        "2026-05-20"
    );
    assert_eq!(
        value(
            "The ministry said on Monday that exports fell.",
            "2026-05-20",
            "Monday"
        ),
        "2026-05-18"
    );
    assert_eq!(
        value(
            "The two sides will meet again on Friday.",
            "2026-05-20",
            "Friday"
        ),
        "2026-05-22"
    );
    assert_eq!(
        value(
            "Officials may meet again on Friday.",
            "2026-05-20",
            "Friday"
        ),
        "2026-05-22"
    );
    // anchor Monday 2026-06-01: the Friday before is in May
    assert_eq!(
        value("Police arrested him on Friday.", "2026-06-01", "Friday"),
        "2026-05-29"
    );
    // anchor Thursday 2026-12-31: next Monday is in the next year
    assert_eq!(
        value(
            "The shop will reopen next Monday.",
            "2026-12-31",
            "next Monday"
        ),
        "2027-01-04"
    );
}

#[test]
fn relative_units_take_the_anchors_granularity() {
    // anchor Friday 2026-01-02 is in ISO week 2026-W01; the week before is 2025-W52
    assert_eq!(
        value("Prices rose last week.", "2026-01-02", "last week"),
        "2025-W52"
    );
    assert_eq!(
        value("The plant opens next month.", "2026-12-15", "next month"),
        "2027-01"
    );
    assert_eq!(
        value("Growth slowed this year.", "2026-03-10", "this year"),
        "2026"
    );
    assert_eq!(
        value(
            "He resigned earlier this year.",
            "2026-03-10",
            "earlier this year"
        ),
        "2026"
    );
    assert_eq!(
        value(
            "The ship sank two weeks ago.",
            "2026-01-05",
            "two weeks ago"
        ),
        "2025-12-22"
    );
    assert_eq!(
        value(
            "The envoy will arrive in three days.",
            "2026-12-30",
            "three days"
        ),
        "2027-01-02"
    );
}

#[test]
fn months_without_a_year_follow_the_tense() {
    assert_eq!(
        value(
            "Sales fell in August, the company said.",
            "2026-05-20",
            "August"
        ),
        "2025-08"
    );
    assert_eq!(
        value("The new line will open in August.", "2026-05-20", "August"),
        "2026-08"
    );
    // the nearest December to a February anchor is the one before
    assert_eq!(
        value("Talks stalled in December.", "2026-02-06", "December"),
        "2025-12"
    );
}

#[test]
fn deictic_references() {
    assert_eq!(
        value("Rates are now at their highest level.", "2026-05-20", "now"),
        "PRESENT_REF"
    );
    assert_eq!(
        value("The firm recently cut jobs.", "2026-05-20", "recently"),
        "PAST_REF"
    );
    assert_eq!(
        value("A deal is expected soon.", "2026-05-20", "soon"),
        "FUTURE_REF"
    );
}

#[test]
fn quarters_halves_and_seasons() {
    assert_eq!(
        value("Profit rose in Q3 2025.", "2026-01-10", "Q3 2025"),
        "2025-Q3"
    );
    assert_eq!(
        value(
            "Net income fell in the third quarter.",
            "2025-10-15",
            "the third quarter"
        ),
        "2025-Q3"
    );
    assert_eq!(
        value(
            "Third-quarter sales rose 5%.",
            "2025-10-15",
            "Third-quarter"
        ),
        "2025-Q3"
    );
    assert_eq!(
        value("Revenue doubled in H1 2026.", "2026-08-01", "H1 2026"),
        "2026-H1"
    );
    assert_eq!(
        value(
            "The drought began last summer.",
            "2026-05-20",
            "last summer"
        ),
        "2025-SU"
    );
    assert_eq!(
        value(
            "The drought began last summer.",
            "2026-10-20",
            "last summer"
        ),
        "2026-SU"
    );
}

#[test]
fn decades_centuries_and_fiscal_years() {
    assert_eq!(
        value("The law dates from the 1990s.", "2026-05-20", "the 1990s"),
        "199"
    );
    assert_eq!(
        value(
            "It was built in the 20th century.",
            "2026-05-20",
            "the 20th century"
        ),
        "19"
    );
    assert_eq!(
        value(
            "The budget for fiscal 2027 is larger.",
            "2026-05-20",
            "fiscal 2027"
        ),
        "2027"
    );
    assert_eq!(
        value("Guidance for FY27 was raised.", "2026-05-20", "FY27"),
        "2027"
    );
}

#[test]
fn modifiers_stay_inside_the_span_with_their_mod() {
    let all = run("Output should peak by mid-2028.", "2026-05-20");
    assert_eq!(
        all[0],
        ("mid-2028".into(), "DATE".into(), "2028".into(), Some("MID"))
    );
    let all = run("The vote is due in early December.", "2026-11-10");
    assert_eq!(
        all[0],
        (
            "early December".into(),
            "DATE".into(),
            "2026-12".into(),
            Some("START")
        )
    );
    let all = run("The plant will close by the end of the year.", "2026-11-10");
    assert_eq!(
        all[0],
        (
            "the end of the year".into(),
            "DATE".into(),
            "2026".into(),
            Some("END")
        )
    );
}

#[test]
fn clock_times_take_the_anchor_day() {
    assert_eq!(
        find(
            "The blast happened at 10:30 a.m. near the port.",
            "2026-03-03",
            "10:30 a.m."
        ),
        ("TIME".into(), "2026-03-03T10:30".into())
    );
    assert_eq!(
        find(
            "Polls close at 6 p.m. IST across the state.",
            "2026-03-03",
            "6 p.m. IST"
        ),
        ("TIME".into(), "2026-03-03T18:00".into())
    );
    assert_eq!(
        find("The rally starts at noon.", "2026-03-03", "noon"),
        ("TIME".into(), "2026-03-03T12:00".into())
    );
}

#[test]
fn durations() {
    let a = "2026-05-20";
    assert_eq!(
        find("The project took three years.", a, "three years"),
        ("DURATION".into(), "P3Y".into())
    );
    assert_eq!(value("The ban lasted six months.", a, "six months"), "P6M");
    assert_eq!(value("It took a decade to finish.", a, "a decade"), "P10Y");
    assert_eq!(
        value("An 18-month study found no link.", a, "18-month"),
        "P18M"
    );
    assert_eq!(value("A four-week strike ended.", a, "four-week"), "P4W");
    assert_eq!(
        value("Prices have climbed in recent weeks.", a, "recent weeks"),
        "PXW"
    );
    assert_eq!(
        value("The talks went on for 5 1/2 hours.", a, "5 1/2 hours"),
        "PT5H30M"
    );
}

#[test]
fn sets() {
    let a = "2026-05-20";
    assert_eq!(
        find("The festival is held every year.", a, "every year"),
        ("SET".into(), "P1Y".into())
    );
    assert_eq!(
        value("The index is revised annually.", a, "annually"),
        "P1Y"
    );
    assert_eq!(value("The paper appears weekly.", a, "weekly"), "P1W");
}

#[test]
fn no_false_alarms() {
    let a = "2026-05-20";
    for text in [
        "Officials may resign if the vote fails.",
        "We expect growth to pick up.",
        "Protesters march to the square each evening they can.",
        "The actor Rob Lowe, 89, was not there.",
        "The car costs $27,445 before taxes.",
        "United won 3-1 at home.",
        "He lives at No. 10 with his family.",
        "The tool moved to version 2.10.3 last night.",
        "A 45-year-old man was arrested.",
        "The report runs to 2019 pages.",
    ] {
        let all = run(text, a);
        let bad: Vec<_> = all.iter().filter(|(t, ..)| t != "last night").collect();
        assert!(bad.is_empty(), "{text}: {bad:?}");
    }
}

#[test]
fn prepositions_stay_outside_the_span() {
    let all = run(
        "The summit opened on Wednesday and will end in 2027.",
        "2026-05-20",
    );
    let texts: Vec<&str> = all.iter().map(|(t, ..)| t.as_str()).collect();
    assert_eq!(texts, ["Wednesday", "2027"]);
}

#[test]
fn the_anchor_comes_from_option_dateline_or_text() {
    let opts = Options {
        published: Some("2026-04-02".into()),
        ..Options::default()
    };
    let (_, ann) = run_with("Shares rose yesterday.", None, &opts);
    assert_eq!(ann.published.as_deref(), Some("2026-04-02"));
    assert_eq!(ann.published_source, Some("option"));
    assert_eq!(ann.dates[0].value, "2026-04-01");

    let (_, ann) = run_with(
        "NEW DELHI, March 3, 2026 (Reuters) - The central bank held rates on Tuesday.",
        None,
        &Options::default(),
    );
    assert_eq!(ann.published.as_deref(), Some("2026-03-03"));
    assert_eq!(ann.published_source, Some("dateline"));

    let (_, ann) = run_with(
        "The pact was first proposed on January 5, 2026.\nThe statement issued on May 20, 2026, set out the plan. A review will take place on June 30, 2027.",
        None,
        &Options::default(),
    );
    assert_eq!(ann.published.as_deref(), Some("2026-05-20"));
    assert_eq!(ann.published_source, Some("text"));

    let (_, ann) = run_with("No dates here at all.", None, &Options::default());
    assert_eq!(ann.published, None);
    assert_eq!(ann.published_source, None);
}

#[test]
fn a_dateline_below_the_headline_or_a_header_line_anchors_the_article() {
    // the dateline rules are tried at each line start of the head, not only the first
    let (_, ann) = run_with(
        "Rates held\n\nMUMBAI, Oct. 9, 2025 (Reuters) - The central bank held rates.",
        None,
        &Options::default(),
    );
    assert_eq!(ann.published.as_deref(), Some("2025-10-09"));
    assert_eq!(ann.published_source, Some("dateline"));

    let (_, ann) = run_with(
        "Budget talks resume\nPublished: 2024-12-31\nTalks resumed on Monday.",
        None,
        &Options::default(),
    );
    assert_eq!(ann.published.as_deref(), Some("2024-12-31"));
    assert_eq!(ann.published_source, Some("dateline"));
    assert_eq!(
        ann.dates.last().map(|d| d.value.as_str()),
        Some("2024-12-30")
    );
}

#[test]
fn input_anchor_wins_over_the_text() {
    let (_, ann) = run_with(
        "It was announced on May 20, 2026.",
        Some("2026-06-01"),
        &Options::default(),
    );
    assert_eq!(ann.published.as_deref(), Some("2026-06-01"));
    assert_eq!(ann.published_source, Some("input"));
}

#[test]
fn never_panics_on_odd_text() {
    for text in [
        "",
        "ŝ€ 2026 — “May” 31/02/2026 Feb. 30, 2026 99:99 p.m.",
        "Q9 2026 H3 FY 13th century",
        "the 0th century 00/00/0000",
    ] {
        let _ = run(text, "2026-05-20");
    }
}

#[test]
fn holidays_resolve_to_the_nearest_occurrence() {
    // US Thanksgiving 2026 is Thursday 26 November
    assert_eq!(
        value(
            "Stores open early after Thanksgiving.",
            "2026-11-20",
            "Thanksgiving"
        ),
        "2026-11-26"
    );
    assert_eq!(
        value("Sales slowed after Christmas.", "2027-01-10", "Christmas"),
        "2026-12-25"
    );
    // Easter 2026 is 5 April
    assert_eq!(
        value("The shrine reopens at Easter.", "2026-03-01", "Easter"),
        "2026-04-05"
    );
}

#[test]
fn the_following_year_counts_from_the_stated_date() {
    let all = run(
        "He joined the army in 2001, and the following year he was sent abroad.",
        "2026-05-20",
    );
    let v: Vec<&str> = all.iter().map(|(_, _, v, _)| v.as_str()).collect();
    assert_eq!(v, ["2001", "2002"]);
}

#[test]
fn earnings_comparisons_take_the_reported_quarter() {
    let text = "Net income rose 8% in the third quarter. A year earlier, the company lost money.";
    assert_eq!(value(text, "2025-10-20", "the third quarter"), "2025-Q3");
    assert_eq!(value(text, "2025-10-20", "A year earlier"), "2024-Q3");
}

#[test]
fn a_rule_file_error_names_its_line() {
    use newsextract::extract::dates::DateExtractor;
    let dir = std::env::temp_dir().join(format!("nx-dates-rules-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("dates")).unwrap();
    std::fs::write(
        dir.join("dates/patterns.tsv"),
        "# mine\ndate.bad\tnot_a_kind\t\\bfoo\\b\t-\n",
    )
    .unwrap();
    let rules = RuleSet::with_overlay(Some(&dir)).unwrap();
    let err = DateExtractor::new(&rules, &Options::default())
        .err()
        .expect("an error");
    assert!(
        err.to_string()
            .ends_with("patterns.tsv:2: unknown kind `not_a_kind`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_disabled_rule_gives_no_mentions() {
    let dir = std::env::temp_dir().join(format!("nx-dates-off-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("disabled.txt"), "date.ref\n").unwrap();
    let rules = RuleSet::with_overlay(Some(&dir)).unwrap();
    let p = Pipeline::new(&rules, &Options::default()).unwrap();
    let mut doc = Document::new("t", "Rates are now higher.");
    doc.meta.published = Some("2026-05-20".into());
    assert!(p.process(&doc).dates.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn absent(text: &str, published: &str, span: &str) {
    let all = run(text, published);
    assert!(
        all.iter().all(|(t, ..)| t != span),
        "unexpected mention {span:?} in {all:?}"
    );
}

#[test]
fn tense_cues_point_weekdays_and_months() {
    // Friday 2026-01-02: the weekdays cross the year boundary both ways
    let a = "2026-01-02";
    // a progressive's verb decides, not its auxiliary
    assert_eq!(
        value(
            "Farmers said they were planning to block the ring road on Monday.",
            a,
            "Monday"
        ),
        "2026-01-05"
    );
    assert_eq!(
        value("The strikers were marching on Tuesday.", a, "Tuesday"),
        "2025-12-30"
    );
    // a participle after `be` is no past tense: "would be paid" looks ahead
    assert_eq!(
        value(
            "The bonus would be paid to staff in March.",
            "2025-12-10",
            "March"
        ),
        "2026-03"
    );
    // "set for": a date ahead, although `set` alone is a past cue
    assert_eq!(
        value(
            "The vote dominates a congress set for Lyon in February.",
            "2025-11-20",
            "February"
        ),
        "2026-02"
    );
    assert_eq!(
        value(
            "Officials are planning for the summit in April.",
            "2025-12-05",
            "April"
        ),
        "2026-04"
    );
}

#[test]
fn a_deadline_in_a_past_perfect_clause_is_past() {
    // Thursday 2026-10-01: the Wednesday before is in the previous month
    let a = "2026-10-01";
    assert_eq!(
        value(
            "Only three members had sent their reports by Wednesday.",
            a,
            "Wednesday"
        ),
        "2026-09-30"
    );
    assert_eq!(
        value(
            "Members must send their reports by Wednesday.",
            a,
            "Wednesday"
        ),
        "2026-10-07"
    );
    // a fronted deadline: the main clause after the comma decides
    assert_eq!(
        value(
            "Until Tuesday, the police had not named a suspect.",
            a,
            "Tuesday"
        ),
        "2026-09-29"
    );
}

#[test]
fn that_year_and_that_day_count_from_the_stated_date() {
    let a = "2026-03-04";
    assert_eq!(
        value(
            "She left Lima in June 2019 and came back later that year.",
            a,
            "later that year"
        ),
        "2019"
    );
    // a stated day at a month's end: the day stays that day
    assert_eq!(
        value(
            "The bridge closed on Jan. 31, 2025. Engineers inspected it that same day.",
            a,
            "that same day"
        ),
        "2025-01-31"
    );
    // without a stated day there is no value to give
    absent("He thought about it that day and slept.", a, "that day");
}

#[test]
fn soon_in_a_past_clause_is_no_future_reference() {
    let a = "2026-05-20";
    assert_eq!(
        find("The port will reopen soon.", a, "soon"),
        ("DATE".into(), "FUTURE_REF".into())
    );
    absent("The trickle of exports soon became a flood.", a, "soon");
    absent("They spoke about the future of the port.", a, "the future");
}

#[test]
fn names_and_numbers_that_look_like_dates_are_not() {
    let a = "2026-05-20";
    absent("A second convoy left the port at dawn.", a, "A second");
    assert_eq!(
        value("The engine stalled for a second.", a, "a second"),
        "PT1S"
    );
    absent(
        "He said on ABC's \"This Week\" that talks would go on.",
        a,
        "This Week",
    );
    absent("The index closed at 2082.1 on heavy volume.", a, "2082");
}

#[test]
fn a_time_takes_the_weekday_after_an_aside() {
    // Sunday 2026-03-01: the Friday before is in February
    assert_eq!(
        value(
            "The blast came at 10:35 a.m. (0735 GMT) Friday, police said.",
            "2026-03-01",
            "10:35 a.m."
        ),
        "2026-02-27T10:35"
    );
}

#[test]
fn the_week_of_a_date_is_that_week() {
    // 2027-01-01 is a Friday in ISO week 2026-W53
    assert_eq!(
        value(
            "The trial opens the week of Jan. 1, 2027.",
            "2026-12-10",
            "the week of Jan. 1, 2027"
        ),
        "2026-W53"
    );
    assert_eq!(
        value(
            "A hearing is set for the week of March 6.",
            "2026-02-20",
            "the week of March 6"
        ),
        "2026-W10"
    );
}

#[test]
fn a_no_break_space_inside_a_date_is_whitespace() {
    let (_, ann) = run_with(
        "The pact was signed on 20\u{a0}May\u{a0}2026 in Rome.",
        Some("2026-05-21"),
        &Options::default(),
    );
    assert_eq!(ann.dates.len(), 1);
    assert_eq!(ann.dates[0].value, "2026-05-20");
}
