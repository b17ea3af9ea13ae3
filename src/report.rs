//! `newsextract report DIR`: one self-contained HTML page (`DIR/report.html`) about a run, read
//! back from its outputs (`articles.jsonl`, `errors.jsonl`, `run.json`).
//!
//! The page needs nothing from the network: styles are inline, there is no script, and every
//! chart is an inline SVG drawn here. Each chart is `<svg class="chart" data-bars="N">` with N
//! `<rect class="bar">` elements (a chart with no data says so in a `<text>` and has
//! `data-bars="0"`), which `scripts/report_screenshot.sh` checks in the rendered page.
//!
//! Records are streamed: memory grows with the number of distinct entity names, currencies and
//! months, never with the number of articles.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::output::AtomicFile;

/// Names shown per entity label.
const TOP_PER_LABEL: usize = 10;
/// Error rows shown in the table (all are counted).
const ERROR_ROWS: usize = 200;
/// Above this many months the timeline is drawn by year only.
const MAX_MONTHS: usize = 120;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Article {
    doc_id: String,
    sentences: Vec<SentenceIn>,
    entities: Vec<EntityIn>,
    money: Vec<MoneyIn>,
    dates: Vec<DateIn>,
    citations: Vec<serde::de::IgnoredAny>,
    references: Vec<serde::de::IgnoredAny>,
    targets: Vec<serde::de::IgnoredAny>,
    warnings: Vec<serde::de::IgnoredAny>,
    published: Option<String>,
    /// Set on an inline error record (`--stdout` output saved as a file).
    error: Option<ErrorBodyIn>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBodyIn {
    kind: String,
    message: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SentenceIn {
    kind: String,
    citations: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EntityIn {
    label: String,
    norm: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoneyIn {
    amount: f64,
    currency: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DateIn {
    #[serde(rename = "type")]
    timex_type: String,
    value: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ErrorIn {
    doc_id: String,
    kind: String,
    message: String,
}

#[derive(Default)]
struct CurrencyTotal {
    mentions: u64,
    total: f64,
}

/// Everything the page shows, gathered in one pass over the outputs.
#[derive(Default)]
pub struct Stats {
    articles: u64,
    bad_lines: u64,
    sentences: u64,
    /// Sentences other than reference-list entries, and those among them with a marker.
    claim_sentences: u64,
    cited_sentences: u64,
    entities: u64,
    money: u64,
    dates: u64,
    citations: u64,
    references: u64,
    targets: u64,
    warnings: u64,
    articles_with_warnings: u64,
    /// Articles by share of their sentences with a marker: none, ≤25%, ≤50%, ≤75%, >75%,
    /// and no sentences at all.
    coverage_buckets: [u64; 6],
    labels: BTreeMap<String, u64>,
    names: HashMap<(String, String), u64>,
    currencies: BTreeMap<String, CurrencyTotal>,
    by_year: BTreeMap<i32, u64>,
    by_month: BTreeMap<(i32, u32), u64>,
    published_by_year: BTreeMap<i32, u64>,
    errors: Vec<ErrorIn>,
    error_count: u64,
    errors_by_kind: BTreeMap<String, u64>,
    run: Option<serde_json::Value>,
}

impl Stats {
    fn add_article(&mut self, a: Article) {
        self.articles += 1;
        self.sentences += a.sentences.len() as u64;
        let mut claims = 0u64;
        let mut cited = 0u64;
        for s in &a.sentences {
            if s.kind != "reference" {
                claims += 1;
                if !s.citations.is_empty() {
                    cited += 1;
                }
            }
        }
        self.claim_sentences += claims;
        self.cited_sentences += cited;
        let bucket = if claims == 0 {
            5
        } else if cited == 0 {
            0
        } else {
            let share = cited as f64 / claims as f64;
            if share <= 0.25 {
                1
            } else if share <= 0.5 {
                2
            } else if share <= 0.75 {
                3
            } else {
                4
            }
        };
        self.coverage_buckets[bucket] += 1;
        self.entities += a.entities.len() as u64;
        for e in a.entities {
            *self.labels.entry(e.label.clone()).or_default() += 1;
            *self.names.entry((e.label, e.norm)).or_default() += 1;
        }
        self.money += a.money.len() as u64;
        for m in a.money {
            let c = self
                .currencies
                .entry(m.currency.unwrap_or_else(|| "unknown".into()))
                .or_default();
            c.mentions += 1;
            if m.amount.is_finite() {
                c.total += m.amount;
            }
        }
        self.dates += a.dates.len() as u64;
        for d in &a.dates {
            if d.timex_type != "DATE" {
                continue;
            }
            if let Some((year, month)) = year_month(&d.value) {
                *self.by_year.entry(year).or_default() += 1;
                if let Some(m) = month {
                    *self.by_month.entry((year, m)).or_default() += 1;
                }
            }
        }
        if let Some((year, _)) = a.published.as_deref().and_then(year_month) {
            *self.published_by_year.entry(year).or_default() += 1;
        }
        self.citations += a.citations.len() as u64;
        self.references += a.references.len() as u64;
        self.targets += a.targets.len() as u64;
        self.warnings += a.warnings.len() as u64;
        if !a.warnings.is_empty() {
            self.articles_with_warnings += 1;
        }
        let _ = a.doc_id;
    }

    fn add_error(&mut self, e: ErrorIn) {
        self.error_count += 1;
        *self.errors_by_kind.entry(e.kind.clone()).or_default() += 1;
        if self.errors.len() < ERROR_ROWS {
            self.errors.push(e);
        }
    }
}

/// The year and, when the value has one, the month of a TIMEX3 date value: `2026`, `2026-05`,
/// `2026-05-20`, `2026-05-20T10:00` → year (and month); `2026-W21`, `2026-Q2`, `2026-SU` → year
/// only; `XXXX-05-20`, `PRESENT_REF`, `P3Y` → none.
pub fn year_month(value: &str) -> Option<(i32, Option<u32>)> {
    let b = value.as_bytes();
    if b.len() < 4
        || !b[..4].iter().all(u8::is_ascii_digit)
        || b.get(4).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    let year: i32 = value.get(..4)?.parse().ok()?;
    let month = if b.len() >= 7
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b.get(7).is_none_or(|c| !c.is_ascii_digit())
    {
        value
            .get(5..7)?
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
    } else {
        None
    };
    Some((year, month))
}

fn open_lines(path: &Path) -> io::Result<Option<io::Lines<BufReader<File>>>> {
    match File::open(path) {
        Ok(f) => Ok(Some(BufReader::with_capacity(1 << 20, f).lines())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
}

/// Read a run's outputs in `dir`. `articles.jsonl` must exist; `errors.jsonl` and `run.json`
/// are shown when present. A line that does not parse is counted, not fatal.
pub fn gather(dir: &Path) -> io::Result<Stats> {
    let mut stats = Stats::default();
    let articles = dir.join("articles.jsonl");
    let Some(lines) = open_lines(&articles)? else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{} not found: run `newsextract run -o {}` first",
                articles.display(),
                dir.display()
            ),
        ));
    };
    for line in lines {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        // An inline error record (from --stdout output saved as articles.jsonl) is an error.
        match serde_json::from_str::<Article>(&line) {
            Ok(Article {
                error: Some(e),
                doc_id,
                ..
            }) => stats.add_error(ErrorIn {
                doc_id,
                kind: e.kind,
                message: e.message,
            }),
            Ok(a) => stats.add_article(a),
            Err(_) => stats.bad_lines += 1,
        }
    }
    if let Some(lines) = open_lines(&dir.join("errors.jsonl"))? {
        for line in lines {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<ErrorIn>(&line) {
                Ok(e) => stats.add_error(e),
                Err(_) => stats.bad_lines += 1,
            }
        }
    }
    stats.run = std::fs::read_to_string(dir.join("run.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    Ok(stats)
}

/// Write `dir/report.html` and return its path.
pub fn write_report(dir: &Path) -> io::Result<PathBuf> {
    let stats = gather(dir)?;
    let html = render(&stats, &dir.display().to_string());
    let path = dir.join("report.html");
    let mut f = AtomicFile::create(path.clone())?;
    f.write_all(html.as_bytes())?;
    f.commit()?;
    Ok(path)
}

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// `1234567.0` → `1,234,567`; large amounts with a magnitude word.
fn human_amount(x: f64) -> String {
    let a = x.abs();
    let (v, unit) = if a >= 1e12 {
        (x / 1e12, " trillion")
    } else if a >= 1e9 {
        (x / 1e9, " billion")
    } else if a >= 1e6 {
        (x / 1e6, " million")
    } else {
        return group_digits(x);
    };
    format!("{v:.2}{unit}")
}

fn group_digits(x: f64) -> String {
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// A horizontal bar chart: one row per item, the value at the end of the bar.
fn hbar_chart(id: &str, items: &[(String, f64, String)], color: &str) -> String {
    let row = 22.0;
    let label_w = 190.0;
    let bar_w = 420.0;
    let width = label_w + bar_w + 110.0;
    if items.is_empty() {
        return empty_chart(id, width);
    }
    let height = row * items.len() as f64 + 8.0;
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1e-9);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" data-bars="{}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#,
        items.len()
    );
    for (k, (label, value, shown)) in items.iter().enumerate() {
        let y = 4.0 + row * k as f64;
        let w = (value / max * bar_w).max(1.0);
        let short: String = if label.chars().count() > 28 {
            label.chars().take(27).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r#"<text x="{x}" y="{ty}" text-anchor="end" class="lbl">{l}</text><rect class="bar" x="{label_w}" y="{y}" width="{w:.1}" height="{h}" fill="{color}"><title>{t}: {v}</title></rect><text x="{vx:.1}" y="{ty}" class="val">{v}</text>"#,
            x = label_w - 6.0,
            ty = y + 14.0,
            l = esc(&short),
            h = row - 6.0,
            t = esc(label),
            v = esc(shown),
            vx = label_w + w + 5.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// A column chart over an ordered axis (years, months); labels are thinned to stay readable.
fn column_chart(id: &str, items: &[(String, u64)], color: &str) -> String {
    let width = 720.0;
    let height = 200.0;
    if items.is_empty() {
        return empty_chart(id, width);
    }
    let (left, bottom, top) = (40.0, 34.0, 12.0);
    let plot_w = width - left - 28.0;
    let plot_h = height - bottom - top;
    let max = items.iter().map(|i| i.1).max().unwrap_or(1).max(1);
    let slot = plot_w / items.len() as f64;
    let bar = (slot * 0.8).clamp(1.0, 48.0);
    let every = (items.len() / 12).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" data-bars="{}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#,
        items.iter().filter(|i| i.1 > 0).count()
    );
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/><text x="{tx}" y="{ty}" text-anchor="end" class="val">{max}</text><text x="{tx}" y="{b}" text-anchor="end" class="val">0</text>"##,
        b = top + plot_h,
        r = width - 10.0,
        tx = left - 4.0,
        ty = top + 8.0,
    );
    for (k, (label, value)) in items.iter().enumerate() {
        let x = left + slot * k as f64 + (slot - bar) / 2.0;
        if *value > 0 {
            let h = (*value as f64 / max as f64 * plot_h).max(1.0);
            let _ = write!(
                s,
                r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{color}"><title>{l}: {value}</title></rect>"#,
                y = top + plot_h - h,
                l = esc(label),
            );
        }
        if k % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{ly}" text-anchor="middle" class="tick">{l}</text>"#,
                cx = x + bar / 2.0,
                ly = top + plot_h + 16.0,
                l = esc(label),
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One bar split in two parts (e.g. cited / not cited sentences).
fn split_bar(id: &str, part: u64, whole: u64, labels: (&str, &str)) -> String {
    let width = 720.0;
    if whole == 0 {
        return empty_chart(id, width);
    }
    let w = 700.0 * part as f64 / whole as f64;
    format!(
        r##"<svg class="chart" id="{id}" data-bars="2" xmlns="http://www.w3.org/2000/svg" width="{width}" height="58" viewBox="0 0 {width} 58" role="img"><rect class="bar" x="10" y="6" width="{w:.1}" height="24" fill="#59a14f"><title>{a}: {part}</title></rect><rect class="bar" x="{x2:.1}" y="6" width="{w2:.1}" height="24" fill="#d9d9d9"><title>{b}: {rest}</title></rect><text x="10" y="48" class="lbl">{a}: {part} ({p})</text><text x="710" y="48" text-anchor="end" class="lbl">{b}: {rest}</text></svg>"##,
        x2 = 10.0 + w,
        w2 = 700.0 - w,
        a = esc(labels.0),
        b = esc(labels.1),
        rest = whole - part,
        p = pct(part, whole),
    )
}

fn empty_chart(id: &str, width: f64) -> String {
    format!(
        r##"<svg class="chart" id="{id}" data-bars="0" xmlns="http://www.w3.org/2000/svg" width="{width}" height="40" viewBox="0 0 {width} 40" role="img"><text x="10" y="25" class="lbl" fill="#888">nothing to show</text></svg>"##
    )
}

/// Continuous month axis from the first to the last month with a mention.
fn month_axis(by_month: &BTreeMap<(i32, u32), u64>) -> Option<Vec<(String, u64)>> {
    let (&(y0, m0), _) = by_month.iter().next()?;
    let (&(y1, m1), _) = by_month.iter().next_back()?;
    let n = ((y1 - y0) * 12 + m1 as i32 - m0 as i32 + 1) as usize;
    if n > MAX_MONTHS {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    let (mut y, mut m) = (y0, m0);
    for _ in 0..n {
        out.push((
            format!("{y}-{m:02}"),
            by_month.get(&(y, m)).copied().unwrap_or(0),
        ));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    Some(out)
}

fn year_axis(by_year: &BTreeMap<i32, u64>) -> Vec<(String, u64)> {
    let (Some((&y0, _)), Some((&y1, _))) = (by_year.iter().next(), by_year.iter().next_back())
    else {
        return Vec::new();
    };
    if y1 - y0 > 200 {
        return by_year.iter().map(|(y, c)| (y.to_string(), *c)).collect();
    }
    (y0..=y1)
        .map(|y| (y.to_string(), by_year.get(&y).copied().unwrap_or(0)))
        .collect()
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#c9ced8}
main{padding:18px 28px;max-width:1100px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:14px 18px;margin:0 0 16px}
h2{font-size:17px;margin:0 0 10px} h3{font-size:14px;margin:12px 0 4px;color:#3b4456}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:#f0f3f8;border-radius:6px;padding:8px 14px;min-width:92px}
.card b{display:block;font-size:20px} .card span{color:#5b6477;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e6e8ee;padding:4px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:flex;flex-wrap:wrap;gap:8px 28px}
svg .lbl{font-size:12px;fill:#1d2330} svg .val{font-size:11px;fill:#5b6477} svg .tick{font-size:10px;fill:#5b6477}
.muted{color:#5b6477} code{font-size:12px}
"#;

fn card(out: &mut String, value: impl std::fmt::Display, label: &str) {
    let _ = write!(
        out,
        r#"<div class="card"><b>{value}</b><span>{}</span></div>"#,
        esc(label)
    );
}

/// The page for `stats`; `dir` is shown in the header.
pub fn render(st: &Stats, dir: &str) -> String {
    let mut h = String::with_capacity(64 << 10);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    let _ = write!(
        h,
        "<title>newsextract report — {}</title><style>{STYLE}</style></head><body>",
        esc(dir)
    );
    let run = st.run.as_ref();
    let run_str = |k: &str| {
        run.and_then(|r| r.get(k)).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let _ = write!(
        h,
        "<header><h1>newsextract report</h1><p>{} · version {} · rules {}</p></header><main>",
        esc(dir),
        esc(&run_str("version").unwrap_or_else(|| "?".into())),
        esc(&run_str("rules_hash")
            .map(|s| s.chars().take(12).collect::<String>())
            .unwrap_or_else(|| "?".into())),
    );

    // Counts.
    h.push_str(r#"<section id="counts"><h2>Counts</h2><div class="cards">"#);
    card(&mut h, st.articles, "articles");
    card(&mut h, st.error_count, "errors");
    if let Some(skipped) = run.and_then(|r| r["counts"]["skipped"].as_u64()) {
        card(&mut h, skipped, "skipped");
    }
    card(&mut h, st.sentences, "sentences");
    card(&mut h, st.entities, "entities");
    card(&mut h, st.money, "money");
    card(&mut h, st.dates, "dates");
    card(&mut h, st.citations, "citations");
    card(&mut h, st.references, "references");
    card(&mut h, st.targets, "targets");
    card(&mut h, st.warnings, "warnings");
    h.push_str("</div>");
    if let Some(r) = run {
        let _ = write!(
            h,
            r#"<p class="muted">Run: {} inputs, {} threads, {:.1} MB in {:.2} s ({:.1} MB/s). {} articles carry warnings.</p>"#,
            r["counts"]["inputs"].as_u64().unwrap_or(0),
            r["threads"].as_u64().unwrap_or(0),
            r["bytes"].as_f64().unwrap_or(0.0) / 1e6,
            r["wall_seconds"].as_f64().unwrap_or(0.0),
            r["mb_per_second"].as_f64().unwrap_or(0.0),
            st.articles_with_warnings,
        );
    } else {
        h.push_str(r#"<p class="muted">No run.json in this folder.</p>"#);
    }
    if st.bad_lines > 0 {
        let _ = write!(
            h,
            "<p><b>{} lines could not be read</b> (not a record).</p>",
            st.bad_lines
        );
    }
    h.push_str("</section>");

    // Entities.
    h.push_str(r#"<section id="entities"><h2>Entities</h2><h3>Mentions per label</h3>"#);
    let mut labels: Vec<(String, f64, String)> = st
        .labels
        .iter()
        .map(|(l, c)| (l.clone(), *c as f64, c.to_string()))
        .collect();
    labels.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    h.push_str(&hbar_chart("chart-labels", &labels, PALETTE[0]));
    let mut by_label: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for ((label, norm), c) in &st.names {
        by_label.entry(label).or_default().push((norm, *c));
    }
    h.push_str(r#"<div class="grid">"#);
    for (k, (label, mut names)) in by_label.into_iter().enumerate() {
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        names.truncate(TOP_PER_LABEL);
        let items: Vec<(String, f64, String)> = names
            .iter()
            .map(|(n, c)| (n.to_string(), *c as f64, c.to_string()))
            .collect();
        let _ = write!(h, "<div><h3>Top {}</h3>", esc(label));
        h.push_str(&hbar_chart(
            &format!("chart-top-{}", esc(&label.to_ascii_lowercase())),
            &items,
            PALETTE[(k + 1) % PALETTE.len()],
        ));
        h.push_str("</div>");
    }
    h.push_str("</div></section>");

    // Money.
    h.push_str(r#"<section id="money"><h2>Money by currency</h2><h3>Mentions per currency</h3>"#);
    let mut cur: Vec<(&String, &CurrencyTotal)> = st.currencies.iter().collect();
    cur.sort_by(|a, b| b.1.mentions.cmp(&a.1.mentions).then(a.0.cmp(b.0)));
    let items: Vec<(String, f64, String)> = cur
        .iter()
        .map(|(c, t)| (c.to_string(), t.mentions as f64, t.mentions.to_string()))
        .collect();
    h.push_str(&hbar_chart("chart-currency", &items, PALETTE[1]));
    h.push_str(r#"<table><tr><th>Currency</th><th class="n">Mentions</th><th class="n">Sum of amounts</th></tr>"#);
    for (c, t) in &cur {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(c),
            t.mentions,
            esc(&human_amount(t.total))
        );
    }
    h.push_str(r#"</table><p class="muted">Sums add every mention, so an amount repeated in an article counts each time; currencies are never converted.</p></section>"#);

    // Timeline.
    h.push_str(r#"<section id="timeline"><h2>Timeline of dates mentioned</h2><p class="muted">TIMEX3 <code>DATE</code> values with a year; months where the value has one.</p><h3>By year</h3>"#);
    h.push_str(&column_chart(
        "chart-years",
        &year_axis(&st.by_year),
        PALETTE[4],
    ));
    h.push_str("<h3>By month</h3>");
    match month_axis(&st.by_month) {
        Some(months) => h.push_str(&column_chart("chart-months", &months, PALETTE[0])),
        None if st.by_month.is_empty() => h.push_str(&empty_chart("chart-months", 720.0)),
        None => {
            // Too long a span for one bar per month: show the busiest months instead.
            let mut top: Vec<(&(i32, u32), &u64)> = st.by_month.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let items: Vec<(String, f64, String)> = top
                .into_iter()
                .take(20)
                .map(|((y, m), c)| (format!("{y}-{m:02}"), *c as f64, c.to_string()))
                .collect();
            h.push_str("<p class=\"muted\">The busiest 20 months (the span is too long for one bar each).</p>");
            h.push_str(&hbar_chart("chart-months", &items, PALETTE[0]));
        }
    }
    if !st.published_by_year.is_empty() {
        h.push_str("<h3>Articles by year published</h3>");
        h.push_str(&column_chart(
            "chart-published",
            &year_axis(&st.published_by_year),
            PALETTE[6],
        ));
    }
    h.push_str("</section>");

    // Citations.
    let _ = write!(
        h,
        r#"<section id="citations"><h2>Citation coverage</h2><p>{} of {} sentences ({}) carry a citation marker (reference-list entries are not counted). {} markers, {} reference-list entries.</p>"#,
        st.cited_sentences,
        st.claim_sentences,
        pct(st.cited_sentences, st.claim_sentences),
        st.citations,
        st.references,
    );
    h.push_str(&split_bar(
        "chart-coverage",
        st.cited_sentences,
        st.claim_sentences,
        ("with a marker", "without"),
    ));
    h.push_str("<h3>Articles by share of sentences with a marker</h3>");
    let names = [
        "none",
        "up to 25%",
        "25–50%",
        "50–75%",
        "over 75%",
        "no sentences",
    ];
    let items: Vec<(String, f64, String)> = names
        .iter()
        .zip(st.coverage_buckets)
        .filter(|(n, c)| *c > 0 || **n != "no sentences")
        .map(|(n, c)| (n.to_string(), c as f64, c.to_string()))
        .collect();
    h.push_str(&hbar_chart("chart-coverage-articles", &items, PALETTE[2]));
    h.push_str("</section>");

    // Errors.
    let _ = write!(
        h,
        r#"<section id="errors"><h2>Errors ({})</h2>"#,
        st.error_count
    );
    let kinds: Vec<(String, f64, String)> = st
        .errors_by_kind
        .iter()
        .map(|(k, c)| (k.clone(), *c as f64, c.to_string()))
        .collect();
    h.push_str(&hbar_chart("chart-errors", &kinds, PALETTE[3]));
    if st.errors.is_empty() {
        h.push_str("<p>No document failed.</p>");
    } else {
        h.push_str("<table><tr><th>doc_id</th><th>kind</th><th>message</th></tr>");
        for e in &st.errors {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&e.doc_id),
                esc(&e.kind),
                esc(&e.message)
            );
        }
        h.push_str("</table>");
        if st.error_count > st.errors.len() as u64 {
            let _ = write!(
                h,
                "<p class=\"muted\">First {} of {} shown; all are in errors.jsonl.</p>",
                st.errors.len(),
                st.error_count
            );
        }
    }
    if let Some(skipped) = run
        .and_then(|r| r["skipped_by_reason"].as_object())
        .filter(|m| !m.is_empty())
    {
        h.push_str(
            "<h3>Skipped inputs</h3><table><tr><th>reason</th><th class=\"n\">files</th></tr>",
        );
        for (reason, n) in skipped {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(reason),
                n
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section></main></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_reads_year_and_month_from_timex_values() {
        assert_eq!(year_month("2026-05-20"), Some((2026, Some(5))));
        assert_eq!(year_month("2026-05"), Some((2026, Some(5))));
        assert_eq!(year_month("2026-05-20T10:00"), Some((2026, Some(5))));
        assert_eq!(year_month("2026"), Some((2026, None)));
        assert_eq!(year_month("2026-W21"), Some((2026, None)));
        assert_eq!(year_month("2026-Q2"), Some((2026, None)));
        assert_eq!(year_month("2026-13"), Some((2026, None)));
        assert_eq!(year_month("XXXX-05-20"), None);
        assert_eq!(year_month("PRESENT_REF"), None);
        assert_eq!(year_month("P3Y"), None);
        assert_eq!(year_month("20260"), None);
        assert_eq!(year_month("é"), None);
    }

    #[test]
    fn text_from_records_is_escaped() {
        assert_eq!(
            esc("<b>\"AT&T\"</b>'"),
            "&lt;b&gt;&quot;AT&amp;T&quot;&lt;/b&gt;&#39;"
        );
        let mut st = Stats::default();
        st.add_error(ErrorIn {
            doc_id: "<script>x</script>".into(),
            kind: "bad_json".into(),
            message: "m".into(),
        });
        let page = render(&st, "out");
        assert!(!page.contains("<script"));
        assert!(page.contains("&lt;script&gt;"));
    }

    #[test]
    fn every_chart_has_its_bars_or_says_it_is_empty() {
        let mut st = Stats::default();
        st.add_article(
            serde_json::from_value(serde_json::json!({
                "doc_id": "a",
                "sentences": [{"kind": "body", "citations": [0]}, {"kind": "body", "citations": []}],
                "entities": [{"label": "ORG", "norm": "Acme"}, {"label": "ORG", "norm": "Acme"}],
                "money": [{"amount": 5.0, "currency": "EUR"}],
                "dates": [{"type": "DATE", "value": "2026-01-02"}, {"type": "DATE", "value": "2026-03"}],
                "citations": [{}],
            }))
            .unwrap(),
        );
        let page = render(&st, "out");
        for svg in page.split("<svg").skip(1) {
            let svg = &svg[..svg.find("</svg>").unwrap()];
            let n: usize = svg
                .split("data-bars=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .unwrap();
            assert_eq!(svg.matches("<rect class=\"bar\"").count(), n, "{svg}");
        }
        assert!(page.contains("id=\"chart-months\" data-bars=\"2\""));
        assert!(page.contains("Top ORG"));
        assert!(page.contains("1 of 2 sentences (50.0%)"));
    }
}
