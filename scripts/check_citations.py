#!/usr/bin/env python3
"""Check citation markers of a run against an independent count.

usage: check_citations.py ARTICLES.jsonl ROOT

Independently of the pipeline: the body of an article is the text before its reference-list
heading (References, Bibliography, Citations, Sources, 参考文献, 参考资料, ...); every `[n]` in the
body, outside lines drawn with box characters, is expected as a marker. Prints how many were
found, how many of those cite a number listed in the article's reference list and resolve to it,
and which are missing. Exit 1 when a body marker is missing or a listed number does not resolve.
"""
import json
import os
import re
import sys

HEADING = re.compile(r"^\s*#*\s*\**(References|Reference|Bibliography|Citations|Sources|Notes|参考文献|参考资料)\**\s*[:：]?\s*$",
                     re.M | re.I)
MARKER = re.compile(r"\[(\d+)\]")
BOX = re.compile(r"[\u2500-\u257f]")
REFLINE = re.compile(r"^\s*\[(\d+)\]", re.M)


def main():
    articles, root = sys.argv[1], sys.argv[2]
    expected = found = listed = resolved = 0
    problems = []
    with open(articles, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            with open(os.path.join(root, rec["doc_id"]), encoding="utf-8") as g:
                text = g.read()
            m = HEADING.search(text)
            body_end = m.start() if m else len(text)
            listed_ids = {int(x) for x in REFLINE.findall(text[body_end:])} if m else set()
            want = set()
            for lm in re.finditer(r"[^\n]*", text[:body_end]):
                if BOX.search(lm.group()):
                    continue
                for mm in MARKER.finditer(lm.group()):
                    want.add(lm.start() + mm.start())
            got = {c["start"]: c for c in rec["citations"]}
            ref_ids = {r["id"] for r in rec["references"]}
            expected += len(want)
            for pos in sorted(want):
                if pos in got:
                    found += 1
                    n = got[pos]["refs"][0]
                    if n in listed_ids:
                        listed += 1
                        if n in ref_ids:
                            resolved += 1
                        else:
                            problems.append(f"{rec['doc_id']}: [{n}] at {pos} does not resolve")
                else:
                    problems.append(f"{rec['doc_id']}: marker at {pos} {text[pos:pos+8]!r} not found")
    print(f"body [n] markers: {expected}; found: {found}; citing a listed number: {listed}; resolved: {resolved}")
    for p in problems[:20]:
        print("  ", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
