#!/usr/bin/env python3
"""Error kinds of a dates run against a gold set (same pairing as tools/score.py, relaxed
one-to-one overlap). usage: dates_errors.py GOLD.jsonl PRED.jsonl [--show KIND] [--top N]

Kinds: fp:<rule> (a predicted mention with no gold), fn:<first word of the gold text>
(a missed gold mention), value:<rule> (overlap, different value), type:<rule>, span:<rule>
(overlap, different span)."""
import collections, json, sys

def load(p):
    return {json.loads(l)["doc_id"].rsplit(".", 1)[0] if False else json.loads(l)["doc_id"]: json.loads(l) for l in open(p) if l.strip()}

def main():
    gold, pred = load(sys.argv[1]), load(sys.argv[2])
    show = sys.argv[sys.argv.index("--show") + 1] if "--show" in sys.argv else None
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 10
    kinds = collections.Counter()
    examples = collections.defaultdict(list)
    for k, g in gold.items():
        p = pred.get(k, {})
        text = g["text"]
        gd, pd = g["dates"], p.get("dates", [])
        used = set(); pairs = []
        for gi, x in enumerate(gd):
            for pi, y in enumerate(pd):
                if pi not in used and x["start"] < y["end"] and y["start"] < x["end"]:
                    used.add(pi); pairs.append((gi, pi)); break
        pg = {gi for gi, _ in pairs}
        def ctx(s, e):
            return text[max(0, s - 60):s].replace("\n", " ") + "[[" + text[s:e] + "]]" + text[e:e + 40].replace("\n", " ")
        for pi, y in enumerate(pd):
            if pi not in used:
                kk = "fp:" + y["rule"]
                kinds[kk] += 1; examples[kk].append(f'{y["value"]} | {ctx(y["start"], y["end"])}')
        for gi, x in enumerate(gd):
            if gi not in pg:
                kk = "fn:" + x["text"].split()[0].lower()
                kinds["fn"] += 1; kinds[kk] += 1
                examples[kk].append(f'{x["type"]} {x["value"]} | {ctx(x["start"], x["end"])} | {g.get("published")}')
                examples["fn"].append(f'{x["type"]} {x["value"]} | {ctx(x["start"], x["end"])}')
        for gi, pi in pairs:
            x, y = gd[gi], pd[pi]
            if x["value"] != y["value"]:
                kk = "value:" + y["rule"]
                kinds[kk] += 1; kinds["value"] += 1
                examples[kk].append(f'gold {x["value"]} pred {y["value"]} | {ctx(x["start"], x["end"])} | {g.get("published")} {text[y["start"]:y["end"]]!r}')
            if x["type"] != y["type"]:
                kk = "type:" + y["rule"]; kinds[kk] += 1
                examples[kk].append(f'gold {x["type"]} pred {y["type"]} | {ctx(x["start"], x["end"])}')
            if (x["start"], x["end"]) != (y["start"], y["end"]):
                kk = "span:" + y["rule"]; kinds[kk] += 1
                examples[kk].append(f'gold {x["text"]!r} pred {text[y["start"]:y["end"]]!r}')
    if show:
        for e in examples[show]:
            print(e)
        return
    for kk, n in kinds.most_common(top):
        print(f"{n:5d}  {kk}")

main()
