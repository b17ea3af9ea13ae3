#!/usr/bin/env python3
"""Load a newsextract output folder through views.sql, run queries.sql, and check the results
against the JSONL read directly and against the corpus. Used by scripts/duckdb/test.sh."""
import json
import math
import os
import re
import sys
from pathlib import Path

import duckdb
import jsonschema

repo, out, schema_file = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
corpus = repo / "corpus"
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


con = duckdb.connect()
con.execute(f"SET VARIABLE nx_dir = '{out.as_posix()}'")
con.execute((repo / "scripts/duckdb/views.sql").read_text())

records = [json.loads(l) for l in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines() if l]
run = json.loads((out / "run.json").read_text())

# Every record validates against `newsextract schema` (an independent JSON Schema validator).
schema = json.loads(schema_file.read_text())
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = [(r["doc_id"], e.message) for r in records for e in v.iter_errors(r)]
check(not bad, f"{len(records)} records validate against the JSON Schema (draft 2020-12) {bad[:3]}")

# Counts.
articles = [p for p in corpus.rglob("*") if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
            and p.suffix.lower() in (".txt", ".md", ".markdown", ".text")]
n = con.execute("SELECT count(*) FROM nx_articles").fetchone()[0]
check(n == len(articles) == run["counts"]["records"] + run["counts"]["errors"],
      f"nx_articles has {n} rows = {len(articles)} article files in corpus/ = run.json records+errors")
check(con.execute("SELECT count(*) FROM nx_errors").fetchone()[0] == run["counts"]["errors"], "nx_errors = run.json errors")
for name in ["sentences", "entities", "money", "dates", "citations", "references", "targets"]:
    col = f'"{name}"'
    nested = con.execute(f"SELECT coalesce(sum(len({col})), 0) FROM nx_articles").fetchone()[0]
    flat = con.execute(f"SELECT count(*) FROM nx_{name}").fetchone()[0]
    direct = sum(len(r[name]) for r in records)
    check(nested == flat == direct, f"{name}: {flat} flat rows = sum over records ({nested}) = JSONL ({direct})")
sent = con.execute("SELECT count(*) FROM nx_sentences").fetchone()[0]
check(sent > 0, f"the corpus gives sentences ({sent})")

# Declared types, whatever the data (no inference).
types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE nx_money)").fetchall())
check(types["amount"] == "DOUBLE" and types["amount_max"] == "DOUBLE" and types["currency"] == "VARCHAR",
      f"nx_money types: amount {types['amount']}, amount_max {types['amount_max']}")
types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE nx_articles)").fetchall())
check(types["published"] == "DATE" and types["sentences"].startswith("STRUCT"),
      f"nx_articles: published {types['published']}, sentences {types['sentences'][:40]}…")

# Flat rows point back into their record.
rows = con.execute("""SELECT count(*) FROM nx_sentences s JOIN nx_articles a USING (doc_id)
                  WHERE a.sentences[s."index" + 1]."text" <> s."text" """).fetchone()[0]
check(rows == 0, "each flat sentence equals sentences[index] of its record")
rows = con.execute("""SELECT count(*) FROM nx_entities e JOIN nx_sentences s
                  ON s.doc_id = e.doc_id AND s."index" = e.sentence
                  WHERE e."start" < s."start" OR e."end" > s."end" """).fetchone()[0]
check(rows == 0, "every entity lies inside its sentence")

# The example queries.
text = (repo / "scripts/duckdb/queries.sql").read_text()
queries = {m.group(1): m.group(2).strip() for m in
           re.finditer(r"^-- name: (\w+)\n(.*?)(?=^-- name: |\Z)", text, re.S | re.M)}
results = {}
for name, sql in queries.items():
    cur = con.execute(sql)
    columns = [d[0] for d in cur.description]
    results[name] = (columns, cur.fetchall())
    print(f"\n-- {name}: {len(results[name][1])} rows")
    print("   " + " | ".join(columns))
    for row in results[name][1][:8]:
        print("   " + " | ".join("NULL" if x is None else str(x) for x in row))
print()

cols, rows = results["entities_per_label"]
check(sum(r[1] for r in rows) == sum(len(r["entities"]) for r in records), "entities_per_label adds up to every entity")
cols, rows = results["top_organisations"]
orgs = {}
for r in records:
    for e in r["entities"]:
        if e["label"] == "ORG":
            orgs[e["norm"]] = orgs.get(e["norm"], 0) + 1
top = sorted(orgs.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
check([(r[0], r[1]) for r in rows] == top, f"top_organisations matches a count in Python ({len(top)} rows)")
cols, rows = results["money_per_currency_and_year"]
want = {}
for r in records:
    year = int(r["published"][:4]) if r["published"] else None
    for m in r["money"]:
        k = (m["currency"] or "?", year)
        want[k] = want.get(k, 0.0) + m["amount"]
got = {(r[0], r[1]): r[3] for r in rows}
check(got.keys() == want.keys() and all(math.isclose(got[k], want[k], rel_tol=1e-9) for k in want),
      f"money totals per currency and year match Python ({len(want)} groups)")
cols, rows = results["citations_per_article"]
check(len(rows) == len(records) and sum(r[1] for r in rows) == sum(len(r["citations"]) for r in records)
      and all(r[5] is None or 0 <= r[5] <= 1 for r in rows), "citations_per_article: one row per article, markers add up")
cols, rows = results["targets_by_deadline"]
check(len(rows) == sum(len(r["targets"]) for r in records), "targets_by_deadline: one row per target")
dates = [r[0] for r in rows if r[0] is not None]
check(dates == sorted(dates), "targets_by_deadline is in deadline order")

# Explicit columns against type drift. A synthetic output (valid against the JSON Schema) whose
# first 25,000 money rows have no currency, no upper bound and whole amounts, and whose later rows
# have all three: a sampling reader would type currency and amount_max from the nulls.
import tempfile  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    money = []
    for i in range(30000):
        late = i >= 25000
        money.append({"start": 0, "end": 4, "text": "$5 m", "sentence": 0,
                      "amount": 5000000.5 if late else 5000000.0,
                      "currency": "USD" if late else None,
                      "amount_max": 6e6 if late else None,
                      "qualifier": "approx" if late else None, "rule": "money.test"})
    rec = {"schema": "newsextract/1", "doc_id": "synthetic",
           "source": {"path": "-", "line": 1, "bytes": 4, "blake3": "0" * 64, "encoding": "utf-8"},
           "lang": None, "title": None, "published": "2026-01-05", "published_source": "input",
           "sentences": [{"start": 0, "end": 4, "text": "$5 m", "paragraph": 0, "kind": "body", "citations": []}],
           "entities": [], "money": money, "dates": [], "citations": [], "references": [],
           "targets": [], "warnings": []}
    errs = list(v.iter_errors(rec))
    check(not errs, f"the synthetic record is valid {errs[:1]}")
    (tmp / "articles.jsonl").write_text(json.dumps(rec) + "\n")
    (tmp / "errors.jsonl").write_text("")
    (tmp / "money.jsonl").write_text("".join(
        json.dumps({"doc_id": "synthetic", "index": i, **m}) + "\n" for i, m in enumerate(money)))
    for name in ["sentences", "entities", "dates", "citations", "references", "targets"]:
        (tmp / f"{name}.jsonl").write_text("")
    con.execute(f"SET VARIABLE nx_dir = '{tmp.as_posix()}'")
    row = con.execute("""SELECT count(*), count(currency), sum(amount), max(amount_max), typeof(any_value(currency))
                         FROM nx_money""").fetchone()
    check(row[:4] == (30000, 5000, 25000 * 5000000.0 + 5000 * 5000000.5, 6e6) and row[4] == "VARCHAR",
          f"30,000 money rows, currency and amount_max only in the last 5,000, load typed: {row}")
    cur = con.execute(queries["money_per_currency_and_year"])
    check(sorted(cur.fetchall(), key=str) == sorted([("?", 2026, 25000, 25000 * 5000000.0),
                                                     ("USD", 2026, 5000, 5000 * 5000000.5)], key=str),
          "money_per_currency_and_year on the synthetic output")
    n = con.execute("SELECT len(money) FROM nx_articles").fetchone()[0]
    check(n == 30000, "the nested record loads with its 30,000 money entries")

print(f"\n{len(failures)} failed" if failures else "\nall duckdb checks passed")
sys.exit(1 if failures else 0)
