#!/usr/bin/env python3
"""Error kinds of an entity prediction against a gold JSONL (CoNLL labels mapped as score.py).

usage: entities_errors.py GOLD.jsonl PRED.jsonl [--labels conll] [--show KIND] [--top N]
Kinds: `missed GOLD`, `spurious PRED (rule)`, `label GOLD->PRED (rule)`, `boundary GOLD (rule)`.
"""
import argparse, collections, json

CONLL = {"PERSON": "PER", "PER": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
         "NORP": "MISC", "EVENT": "MISC", "LAW": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
         "LANGUAGE": "MISC", "MISC": "MISC"}
ap = argparse.ArgumentParser()
ap.add_argument("gold"); ap.add_argument("pred")
ap.add_argument("--labels"); ap.add_argument("--show"); ap.add_argument("--top", type=int, default=10)
a = ap.parse_args()
m = (lambda l: CONLL.get(l)) if a.labels == "conll" else (lambda l: l)
gold = {d["doc_id"]: d for d in map(json.loads, open(a.gold))}
pred = {d["doc_id"]: d for d in map(json.loads, open(a.pred))}
kinds = collections.Counter(); ex = collections.defaultdict(collections.Counter)
for k, g in gold.items():
    ge = {(e["start"], e["end"]): m(e["label"]) for e in g["entities"]}
    pe = {}
    for e in pred.get(k, {}).get("entities", []):
        if m(e["label"]):
            pe[(e["start"], e["end"])] = (m(e["label"]), e.get("rule", "?"), e["text"])
    text = g["text"]
    for sp, l in ge.items():
        if sp in pe and pe[sp][0] == l:
            continue
        if sp in pe:
            kind = f"label {l}->{pe[sp][0]} ({pe[sp][1]})"
        else:
            ov = [p for p in pe if p[0] < sp[1] and sp[0] < p[1]]
            kind = f"boundary {l} ({pe[ov[0]][1]})" if ov else f"missed {l}"
        kinds[kind] += 1; ex[kind][text[sp[0]:sp[1]]] += 1
    for sp, (l, rule, t) in pe.items():
        if sp in ge:
            continue
        ov = [p for p in ge if p[0] < sp[1] and sp[0] < p[1]]
        if ov:
            continue  # counted as boundary above
        kind = f"spurious {l} ({rule})"
        kinds[kind] += 1; ex[kind][t] += 1
for kind, n in kinds.most_common(a.top):
    print(f"{n:5d}  {kind}   e.g. " + ", ".join(f"{t}" for t, _ in ex[kind].most_common(6)))
if a.show:
    for t, n in ex[a.show].most_common(80):
        print(n, t)
