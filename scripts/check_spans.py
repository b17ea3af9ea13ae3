#!/usr/bin/env python3
"""Check every span of a run against the input text, as a Python user would read it.

usage: check_spans.py ARTICLES.jsonl [ROOT]

For each record, decode its source (the file under ROOT named by doc_id, with the encoding the
record reports, or the JSONL line's text), then check that text[start:end] == span["text"] for
every sentence, entity, money, date and citation, that sentences are in order and disjoint, and
that every index (sentence, money, deadline) points at something that exists. Exit 1 on any failure.
"""
import json
import os
import sys

ENC = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig", "utf-16le": "utf-16", "utf-16be": "utf-16",
       "windows-1252": "cp1252"}


def text_of(rec, root):
    src = rec["source"]
    if src.get("line") is not None:
        with open(src["path"], encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if n == src["line"]:
                    return json.loads(line)["text"]
    path = os.path.join(root, rec["doc_id"]) if root else src["path"]
    with open(path, "rb") as f:
        raw = f.read()
    return raw.decode(ENC[src["encoding"]], errors="replace")


def main():
    articles = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else None
    docs = spans = bad = 0
    with open(articles, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            docs += 1
            text = text_of(rec, root)
            problems = []
            for field in ("sentences", "entities", "money", "dates", "citations"):
                for i, s in enumerate(rec[field]):
                    spans += 1
                    if text[s["start"]:s["end"]] != s["text"]:
                        problems.append(f"{field}[{i}] {s['start']}:{s['end']} {s['text'][:40]!r}")
                    if field != "sentences" and not 0 <= s["sentence"] < len(rec["sentences"]):
                        problems.append(f"{field}[{i}] sentence index {s['sentence']} out of range")
            prev = 0
            for i, s in enumerate(rec["sentences"]):
                if s["start"] < prev or s["end"] <= s["start"]:
                    problems.append(f"sentence {i} out of order or empty")
                prev = s["end"]
            for t in rec["targets"]:
                if not 0 <= t["money"] < len(rec["money"]):
                    problems.append("target money index out of range")
                if t["deadline"] is not None and not 0 <= t["deadline"] < len(rec["dates"]):
                    problems.append("target deadline index out of range")
            if problems:
                bad += 1
                print(rec["doc_id"], "; ".join(problems[:5]))
    print(f"{docs} records, {spans} spans checked, {bad} records with problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
