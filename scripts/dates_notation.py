#!/usr/bin/env python3
"""Value F1 of a dates run, exact and up to notation only.

usage: dates_notation.py GOLD.jsonl PRED.jsonl

The exact figure is tools/score.py's `dates.value` (relaxed one-to-one overlap, equal value).
The second figure also counts a value right when it names the same period in another notation:
an ISO week with or without its leading zero (`2000-W07` / `2000-W7`), a year with unknown month
or day (`1949` / `1949-XX` / `1949-XX-XX`), a decade or century with or without the `X`
placeholder (`199` / `199X`, `19` / `19XX`). Nothing else is forgiven: `last week` as `P1W` or as
a month stays wrong. The two gold sets disagree on exactly these notations (TimeBank writes
`W07`, AQUAINT `W7`), so the second figure is the one that compares them on equal terms."""
import json
import re
import sys


def notation(v):
    v = str(v)
    v = re.sub(r"-W0?(\d)(?=\D|$)", lambda m: "-W%02d" % int(m.group(1)), v)
    v = re.sub(r"^(\d{4})(-XX)+$", r"\1", v)
    v = re.sub(r"^(\d{3})X$", r"\1", v)
    v = re.sub(r"^(\d{2})XX$", r"\1", v)
    return v


def load(path):
    return {d["doc_id"]: d for d in (json.loads(l) for l in open(path) if l.strip())}


def main():
    gold, pred = load(sys.argv[1]), load(sys.argv[2])
    exact = same = n_gold = n_pred = 0
    for doc_id, g in gold.items():
        gd, pd = g.get("dates", []), pred.get(doc_id, {}).get("dates", [])
        n_gold += len(gd)
        n_pred += len(pd)
        used = set()
        for x in gd:
            for pi, y in enumerate(pd):
                if pi not in used and x["start"] < y["end"] and y["start"] < x["end"]:
                    used.add(pi)
                    exact += str(x["value"]) == str(y["value"])
                    same += notation(x["value"]) == notation(y["value"])
                    break
    f1 = lambda tp: 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 1.0
    print(f"  dates.value exact          F1 {f1(exact):.3f}   (tp {exact}, gold {n_gold}, pred {n_pred})")
    print(f"  dates.value same notation  F1 {f1(same):.3f}   (tp {same})")


if __name__ == "__main__":
    main()
