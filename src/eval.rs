//! `newsextract eval`: score records against a gold JSONL set (`shared/eval/FORMAT.md`).
//!
//! The measures are those of the reference scorer `shared/tools/score.py`, computed the same way
//! (document pairing, trimmed sentence spans, one-to-one greedy matching in gold order, 0.5 %
//! amount tolerance), so the two agree figure for figure; a test checks it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// CoNLL-2003 label map (as in the reference scorer).
pub const CONLL: &[(&str, &str)] = &[
    ("PERSON", "PER"),
    ("PER", "PER"),
    ("GPE", "LOC"),
    ("LOC", "LOC"),
    ("FAC", "LOC"),
    ("ORG", "ORG"),
    ("NORP", "MISC"),
    ("EVENT", "MISC"),
    ("LAW", "MISC"),
    ("PRODUCT", "MISC"),
    ("WORK_OF_ART", "MISC"),
    ("LANGUAGE", "MISC"),
    ("MISC", "MISC"),
];

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct Prf {
    pub tp: u64,
    pub fp: u64,
    pub r#fn: u64,
}

impl Prf {
    fn add(&mut self, tp: usize, fp: usize, fn_: usize) {
        self.tp += tp as u64;
        self.fp += fp as u64;
        self.r#fn += fn_ as u64;
    }
    pub fn p(&self) -> f64 {
        if self.tp + self.fp > 0 {
            self.tp as f64 / (self.tp + self.fp) as f64
        } else if self.r#fn == 0 {
            1.0
        } else {
            0.0
        }
    }
    pub fn r(&self) -> f64 {
        if self.tp + self.r#fn > 0 {
            self.tp as f64 / (self.tp + self.r#fn) as f64
        } else {
            1.0
        }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }
}

/// One false positive or negative, for `--errors`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorExample {
    pub field: String,
    pub doc_id: String,
    /// `FP` (predicted, not in gold) or `FN` (in gold, missed).
    pub kind: &'static str,
    pub text: String,
    pub label: String,
    pub context: String,
}

#[derive(Debug, Default)]
pub struct Scores {
    pub docs_gold: usize,
    pub docs_missing: usize,
    pub prf: BTreeMap<String, Prf>,
    pub acc: BTreeMap<String, (u64, u64)>,
    pub errors: Vec<ErrorExample>,
}

#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Entity label map (`--labels conll` or `A=B,C=D`).
    pub labels: Option<HashMap<String, String>>,
    pub null_currency_any: bool,
}

pub fn label_map(spec: &str) -> Result<HashMap<String, String>, String> {
    if spec == "conll" {
        return Ok(CONLL
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect());
    }
    spec.split(',')
        .map(|kv| {
            kv.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| format!("label map entry {kv:?} is not A=B"))
        })
        .collect()
}

/// `doc_id` without a `.txt`/`.md`/`.text`/`.markdown` extension.
fn norm_id(id: &str) -> String {
    let d = id.replace('\\', "/");
    let d = d.trim_end_matches('/');
    let file = d.rsplit('/').next().unwrap_or(d);
    if let Some(dot) = file.rfind('.')
        && dot > 0
    {
        let ext = file[dot..].to_ascii_lowercase();
        if [".txt", ".md", ".text", ".markdown"].contains(&ext.as_str()) {
            return d[..d.len() - (file.len() - dot)].to_string();
        }
    }
    d.to_string()
}

fn last_part(id: &str) -> String {
    norm_id(id).rsplit('/').next().unwrap_or("").to_string()
}

/// Parse a JSONL file into documents by normalised doc_id (order kept).
pub fn load_docs(text: &str, what: &str) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("{what}:{}: not JSON: {e}", n + 1))?;
        let Some(id) = v.get("doc_id").and_then(Value::as_str) else {
            continue;
        };
        let k = norm_id(id);
        if !seen.insert(k.clone()) {
            return Err(format!(
                "{what}:{}: two documents share the doc_id {k:?}",
                n + 1
            ));
        }
        out.push((k, v));
    }
    Ok(out)
}

/// Pair each gold document with its prediction: same id, else the same last path component when
/// that is unique on both sides.
fn pair<'a>(gold: &[(String, Value)], pred: &'a [(String, Value)]) -> HashMap<String, &'a Value> {
    let by_id: HashMap<&str, &Value> = pred.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut by_key: HashMap<String, Vec<&Value>> = HashMap::new();
    for (k, v) in pred {
        by_key.entry(last_part(k)).or_default().push(v);
    }
    let mut gkeys: HashMap<String, usize> = HashMap::new();
    for (k, _) in gold {
        *gkeys.entry(last_part(k)).or_default() += 1;
    }
    let mut out = HashMap::new();
    for (k, _) in gold {
        if let Some(v) = by_id.get(k.as_str()) {
            out.insert(k.clone(), *v);
        } else {
            let key = last_part(k);
            if gkeys[&key] == 1
                && let Some(list) = by_key.get(&key)
                && list.len() == 1
            {
                out.insert(k.clone(), list[0]);
            }
        }
    }
    out
}

type Sp = (i64, i64);

fn sp(x: &Value) -> Sp {
    (
        x["start"].as_i64().unwrap_or(-1),
        x["end"].as_i64().unwrap_or(-1),
    )
}

fn list(v: &Value, field: &str) -> Vec<Value> {
    v.get(field)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn overlap(a: Sp, b: Sp) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// One-to-one pairs (gold index, pred index), greedily in gold order.
fn greedy<G, P>(gold: &[G], pred: &[P], ok: impl Fn(&G, &P) -> bool) -> Vec<(usize, usize)> {
    let mut used = vec![false; pred.len()];
    let mut pairs = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in pred.iter().enumerate() {
            if !used[pi] && ok(g, p) {
                used[pi] = true;
                pairs.push((gi, pi));
                break;
            }
        }
    }
    pairs
}

fn trimmed(text: &[char], s: Sp) -> Sp {
    let (mut a, mut b) = s;
    let n = text.len() as i64;
    while a < b && a >= 0 && a < n && text[a as usize].is_whitespace() {
        a += 1;
    }
    while b > a && b >= 1 && b <= n && text[(b - 1) as usize].is_whitespace() {
        b -= 1;
    }
    (a, b)
}

fn context(text: &[char], s: Sp) -> String {
    let n = text.len() as i64;
    let a = (s.0 - 60).clamp(0, n) as usize;
    let b = (s.1 + 60).clamp(0, n) as usize;
    let (x, y) = (s.0.clamp(0, n) as usize, s.1.clamp(0, n) as usize);
    let pre: String = text[a..x].iter().collect();
    let mid: String = text[x..y].iter().collect();
    let post: String = text[y..b].iter().collect();
    format!("…{pre}[[{mid}]]{post}…").replace('\n', " ")
}

impl Scores {
    fn prf(&mut self, name: &str) -> &mut Prf {
        self.prf.entry(name.to_string()).or_default()
    }
    fn tally(&mut self, name: &str, good: usize, total: usize) {
        let e = self.acc.entry(name.to_string()).or_default();
        e.0 += good as u64;
        e.1 += total as u64;
    }
}

/// Score `pred` documents against `gold` documents.
pub fn score(gold: &[(String, Value)], pred: &[(String, Value)], opts: &EvalOptions) -> Scores {
    let paired = pair(gold, pred);
    let mut s = Scores {
        docs_gold: gold.len(),
        docs_missing: gold.iter().filter(|(k, _)| !paired.contains_key(k)).count(),
        ..Default::default()
    };
    let empty = Value::Null;
    for (k, g) in gold {
        let p = paired.get(k).copied().unwrap_or(&empty);
        let text: Vec<char> = g["text"].as_str().unwrap_or("").chars().collect();
        let tlen = text.len() as i64;
        let doc_id = g["doc_id"].as_str().unwrap_or(k).to_string();
        let errs = |s: &mut Scores, field: &str, kind: &'static str, span: Sp, label: String| {
            let (a, b) = (
                span.0.clamp(0, tlen) as usize,
                span.1.clamp(0, tlen) as usize,
            );
            s.errors.push(ErrorExample {
                field: field.to_string(),
                doc_id: doc_id.clone(),
                kind,
                text: text[a.min(b)..b].iter().collect(),
                label,
                context: context(&text, span),
            });
        };
        if g.get("sentences").is_some() {
            let gs: BTreeSet<Sp> = list(g, "sentences")
                .iter()
                .map(|x| trimmed(&text, sp(x)))
                .collect();
            let ps: BTreeSet<Sp> = list(p, "sentences")
                .iter()
                .map(sp)
                .filter(|x| x.1 <= tlen + 1)
                .map(|x| trimmed(&text, x))
                .filter(|x| x.0 < x.1)
                .collect();
            let tp = gs.intersection(&ps).count();
            s.prf("sentences.exact")
                .add(tp, ps.len() - tp, gs.len() - tp);
            let gb: BTreeSet<i64> = gs.iter().map(|x| x.1).collect();
            let pb: BTreeSet<i64> = ps.iter().map(|x| x.1).collect();
            let tpb = gb.intersection(&pb).count();
            s.prf("sentences.boundary")
                .add(tpb, pb.len() - tpb, gb.len() - tpb);
            s.tally("sentences.doc_exact", usize::from(gs == ps), 1);
            for x in ps.difference(&gs) {
                errs(&mut s, "sentences", "FP", *x, String::new());
            }
            for x in gs.difference(&ps) {
                errs(&mut s, "sentences", "FN", *x, String::new());
            }
        }
        if g.get("entities").is_some() {
            let lab = |x: &Value| -> Option<String> {
                let l = x.get("label")?.as_str()?;
                match &opts.labels {
                    Some(m) => m.get(l).cloned(),
                    None => Some(l.to_string()),
                }
            };
            let ge: Vec<(Sp, String)> = list(g, "entities")
                .iter()
                .filter_map(|x| lab(x).map(|l| (sp(x), l)))
                .collect();
            let pe: Vec<(Sp, String)> = list(p, "entities")
                .iter()
                .filter_map(|x| lab(x).map(|l| (sp(x), l)))
                .collect();
            let labels: BTreeSet<&String> = ge.iter().chain(&pe).map(|(_, l)| l).collect();
            for l in labels {
                let gl: BTreeSet<Sp> = ge.iter().filter(|x| &x.1 == l).map(|x| x.0).collect();
                let pl: BTreeSet<Sp> = pe.iter().filter(|x| &x.1 == l).map(|x| x.0).collect();
                let tp = gl.intersection(&pl).count();
                s.prf(&format!("entities.{l}"))
                    .add(tp, pl.len() - tp, gl.len() - tp);
            }
            let gset: BTreeSet<(Sp, String)> = ge.iter().cloned().collect();
            let pset: BTreeSet<(Sp, String)> = pe.iter().cloned().collect();
            let tp = gset.intersection(&pset).count();
            s.prf("entities.strict")
                .add(tp, pset.len() - tp, gset.len() - tp);
            let pairs = greedy(&ge, &pe, |x, y| x.1 == y.1 && overlap(x.0, y.0));
            s.prf("entities.relaxed").add(
                pairs.len(),
                pe.len() - pairs.len(),
                ge.len() - pairs.len(),
            );
            for (span, l) in pset.difference(&gset) {
                errs(&mut s, "entities", "FP", *span, l.clone());
            }
            for (span, l) in gset.difference(&pset) {
                errs(&mut s, "entities", "FN", *span, l.clone());
            }
        }
        if g.get("money").is_some() {
            let (gm, pm) = (list(g, "money"), list(p, "money"));
            let pairs = greedy(&gm, &pm, |x, y| overlap(sp(x), sp(y)));
            s.prf("money.relaxed")
                .add(pairs.len(), pm.len() - pairs.len(), gm.len() - pairs.len());
            let strict = pairs
                .iter()
                .filter(|(gi, pi)| sp(&gm[*gi]) == sp(&pm[*pi]))
                .count();
            s.prf("money.strict")
                .add(strict, pm.len() - strict, gm.len() - strict);
            let mut good = 0;
            for (gi, pi) in &pairs {
                let (ga, pa) = (gm[*gi]["amount"].as_f64(), pm[*pi]["amount"].as_f64());
                let same =
                    matches!((ga, pa), (Some(ga), Some(pa)) if (pa - ga).abs() <= 0.005 * ga.abs());
                let gcur = &gm[*gi]["currency"];
                let cur_ok =
                    gcur == &pm[*pi]["currency"] || (gcur.is_null() && opts.null_currency_any);
                if same && cur_ok {
                    good += 1;
                } else {
                    let label = format!(
                        "gold {} {} / pred {} {}",
                        gm[*gi]["amount"],
                        gm[*gi]["currency"],
                        pm[*pi]["amount"],
                        pm[*pi]["currency"]
                    );
                    errs(&mut s, "money.value", "FN", sp(&gm[*gi]), label);
                }
            }
            s.prf("money.value")
                .add(good, pm.len() - good, gm.len() - good);
            let matched_g: BTreeSet<usize> = pairs.iter().map(|x| x.0).collect();
            let matched_p: BTreeSet<usize> = pairs.iter().map(|x| x.1).collect();
            for (i, x) in pm.iter().enumerate() {
                if !matched_p.contains(&i) {
                    errs(&mut s, "money", "FP", sp(x), x["amount"].to_string());
                }
            }
            for (i, x) in gm.iter().enumerate() {
                if !matched_g.contains(&i) {
                    errs(&mut s, "money", "FN", sp(x), x["amount"].to_string());
                }
            }
        }
        if g.get("dates").is_some() {
            let (gd, pd) = (list(g, "dates"), list(p, "dates"));
            let pairs = greedy(&gd, &pd, |x, y| overlap(sp(x), sp(y)));
            s.prf("dates.relaxed")
                .add(pairs.len(), pd.len() - pairs.len(), gd.len() - pairs.len());
            let strict = pairs
                .iter()
                .filter(|(gi, pi)| sp(&gd[*gi]) == sp(&pd[*pi]))
                .count();
            s.prf("dates.strict")
                .add(strict, pd.len() - strict, gd.len() - strict);
            let val = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Null => "None".to_string(),
                other => other.to_string(),
            };
            let mut good = 0;
            for (gi, pi) in &pairs {
                if val(&gd[*gi]["value"]) == val(&pd[*pi]["value"]) {
                    good += 1;
                } else {
                    let label = format!(
                        "gold {} / pred {}",
                        val(&gd[*gi]["value"]),
                        val(&pd[*pi]["value"])
                    );
                    errs(&mut s, "dates.value", "FN", sp(&gd[*gi]), label);
                }
            }
            s.prf("dates.value")
                .add(good, pd.len() - good, gd.len() - good);
            let types = pairs
                .iter()
                .filter(|(gi, pi)| gd[*gi]["type"] == pd[*pi]["type"])
                .count();
            s.tally("dates.type_acc", types, pairs.len());
            let matched_g: BTreeSet<usize> = pairs.iter().map(|x| x.0).collect();
            let matched_p: BTreeSet<usize> = pairs.iter().map(|x| x.1).collect();
            for (i, x) in pd.iter().enumerate() {
                if !matched_p.contains(&i) {
                    errs(&mut s, "dates", "FP", sp(x), val(&x["value"]));
                }
            }
            for (i, x) in gd.iter().enumerate() {
                if !matched_g.contains(&i) {
                    errs(&mut s, "dates", "FN", sp(x), val(&x["value"]));
                }
            }
        }
        if g.get("citations").is_some() {
            let (gc, pc) = (list(g, "citations"), list(p, "citations"));
            let refs = |x: &Value| -> Vec<i64> {
                let mut r: Vec<i64> = list(x, "refs")
                    .iter()
                    .filter_map(|v| {
                        v.as_i64()
                            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    })
                    .collect();
                r.sort_unstable();
                r
            };
            let pairs = greedy(&gc, &pc, |x, y| sp(x) == sp(y) && refs(x) == refs(y));
            s.prf("citations.marker").add(
                pairs.len(),
                pc.len() - pairs.len(),
                gc.len() - pairs.len(),
            );
            let gsents: Vec<Sp> = list(g, "sentences")
                .iter()
                .map(|x| trimmed(&text, sp(x)))
                .collect();
            let psents: Vec<Option<Sp>> = list(p, "sentences")
                .iter()
                .map(|x| {
                    let x = sp(x);
                    (x.1 <= tlen + 1).then(|| trimmed(&text, x))
                })
                .collect();
            let mut good = 0;
            for (gi, pi) in &pairs {
                let (gsi, psi) = (gc[*gi]["sentence"].as_i64(), pc[*pi]["sentence"].as_i64());
                if let (Some(gsi), Some(psi)) = (gsi, psi)
                    && psi >= 0
                    && (psi as usize) < psents.len()
                    && gsents.get(gsi as usize).copied() == psents[psi as usize]
                {
                    good += 1;
                }
            }
            s.tally("citations.sentence_acc", good, gc.len());
        }
        if g.get("targets").is_some() {
            let (gm, pm) = (list(g, "money"), list(p, "money"));
            let (gd, pd) = (list(g, "dates"), list(p, "dates"));
            let pair_spans = |t: &Value, ms: &[Value], ds: &[Value]| -> Option<(Sp, Option<Sp>)> {
                let m = ms.get(t["money"].as_u64()? as usize)?;
                let d = match t["deadline"].as_u64() {
                    Some(i) => Some(sp(ds.get(i as usize)?)),
                    None => None,
                };
                Some((sp(m), d))
            };
            let gt: Vec<Option<(Sp, Option<Sp>)>> = list(g, "targets")
                .iter()
                .map(|t| pair_spans(t, &gm, &gd))
                .collect();
            let pt: Vec<(Sp, Option<Sp>)> = list(p, "targets")
                .iter()
                .filter_map(|t| pair_spans(t, &pm, &pd))
                .collect();
            let pairs = greedy(&gt, &pt, |x, y| match x {
                None => false,
                Some(x) => {
                    overlap(x.0, y.0)
                        && x.1.is_none() == y.1.is_none()
                        && match (x.1, y.1) {
                            (Some(a), Some(b)) => overlap(a, b),
                            _ => true,
                        }
                }
            });
            s.prf("targets")
                .add(pairs.len(), pt.len() - pairs.len(), gt.len() - pairs.len());
        }
    }
    s
}

#[derive(Serialize)]
#[serde(untagged)]
enum Figure {
    Prf {
        p: f64,
        r: f64,
        f1: f64,
        tp: u64,
        fp: u64,
        r#fn: u64,
    },
    Acc {
        acc: f64,
        n: u64,
    },
    Count(usize),
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

impl Scores {
    /// The figures as the reference scorer's `--json` prints them.
    pub fn to_json(&self) -> Value {
        let mut out: BTreeMap<String, Figure> = BTreeMap::new();
        out.insert("docs_gold".into(), Figure::Count(self.docs_gold));
        out.insert(
            "docs_missing_in_pred".into(),
            Figure::Count(self.docs_missing),
        );
        for (k, v) in &self.prf {
            out.insert(
                k.clone(),
                Figure::Prf {
                    p: round4(v.p()),
                    r: round4(v.r()),
                    f1: round4(v.f1()),
                    tp: v.tp,
                    fp: v.fp,
                    r#fn: v.r#fn,
                },
            );
        }
        for (k, (good, total)) in &self.acc {
            let acc = if *total > 0 {
                round4(*good as f64 / *total as f64)
            } else {
                1.0
            };
            out.insert(k.clone(), Figure::Acc { acc, n: *total });
        }
        serde_json::to_value(out).unwrap_or(Value::Null)
    }

    /// The human-readable table (same lines as the reference scorer).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "documents: {} gold, {} missing from the prediction\n",
            self.docs_gold, self.docs_missing
        );
        let mut names: Vec<&String> = self.prf.keys().chain(self.acc.keys()).collect();
        names.sort();
        for n in names {
            if let Some(v) = self.prf.get(n) {
                let _ = writeln!(
                    s,
                    "  {n:28} P {:.3}  R {:.3}  F1 {:.3}   (tp {}, fp {}, fn {})",
                    v.p(),
                    v.r(),
                    v.f1(),
                    v.tp,
                    v.fp,
                    v.r#fn
                );
            } else if let Some((good, total)) = self.acc.get(n) {
                let acc = if *total > 0 {
                    *good as f64 / *total as f64
                } else {
                    1.0
                };
                let _ = writeln!(s, "  {n:28} acc {acc:.3}  (n {total})");
            }
        }
        s
    }

    /// The most frequent error kinds: (field, FP/FN, label) with counts, most frequent first.
    pub fn error_kinds(&self, n: usize) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for e in &self.errors {
            let label = if e.field.ends_with(".value") {
                String::new()
            } else {
                format!(" {}", e.label)
            };
            *counts
                .entry(format!("{} {}{label}", e.field, e.kind))
                .or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_documents_by_id_without_extension_and_scores_spans() {
        let gold = vec![(
            "a".to_string(),
            json!({"doc_id": "a", "text": "One. Two.",
                   "sentences": [{"start": 0, "end": 4}, {"start": 5, "end": 9}],
                   "entities": [{"start": 0, "end": 3, "label": "ORG"}]}),
        )];
        let pred = vec![(
            "dir/a".to_string(),
            json!({"doc_id": "dir/a.txt", "sentences": [{"start": 0, "end": 9}],
                   "entities": [{"start": 0, "end": 3, "label": "ORG"}, {"start": 5, "end": 8, "label": "GPE"}]}),
        )];
        let s = score(&gold, &pred, &EvalOptions::default());
        assert_eq!(s.docs_missing, 0);
        let e = s.prf["sentences.exact"];
        assert_eq!((e.tp, e.fp, e.r#fn), (0, 1, 2));
        let b = s.prf["sentences.boundary"];
        assert_eq!((b.tp, b.fp, b.r#fn), (1, 0, 1));
        let st = s.prf["entities.strict"];
        assert_eq!((st.tp, st.fp, st.r#fn), (1, 1, 0));
        assert_eq!(s.acc["sentences.doc_exact"], (0, 1));
    }
}
