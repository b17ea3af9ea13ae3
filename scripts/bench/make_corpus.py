#!/usr/bin/env python3
"""Build a large benchmark corpus deterministically (never committed).

usage: make_corpus.py OUT_DIR SIZE_MB SOURCE_DIR [SOURCE_DIR ...] [--jsonl OUT.jsonl]

Copies the articles of the source folders round-robin (sorted order) into OUT_DIR/NNNN/NNNNNNN.txt
until SIZE_MB megabytes are written, each copy with a unique header line so that no two files
are equal. With --jsonl, writes the same documents as one JSONL file instead.
"""
import json
import os
import sys


def articles(dirs):
    out = []
    for d in dirs:
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for f in sorted(files):
                if f.endswith((".txt", ".md")):
                    with open(os.path.join(root, f), "rb") as fh:
                        out.append((os.path.relpath(os.path.join(root, f), d), fh.read()))
    return out


def main():
    args = sys.argv[1:]
    jsonl = None
    if "--jsonl" in args:
        i = args.index("--jsonl")
        jsonl = args[i + 1]
        del args[i:i + 2]
    out_dir, size_mb, sources = args[0], float(args[1]), args[2:]
    docs = articles(sources)
    if not docs:
        sys.exit("no articles in " + ", ".join(sources))
    target = int(size_mb * 1_000_000)
    written = n = 0
    sink = open(jsonl, "w", encoding="utf-8") if jsonl else None
    while written < target:
        name, body = docs[n % len(docs)]
        header = f"Copy {n} of {name}\n\n".encode()
        data = header + body
        if sink:
            text = data.decode("utf-8", errors="replace")
            sink.write(json.dumps({"doc_id": f"{n:07d}", "text": text}, ensure_ascii=False) + "\n")
        else:
            d = os.path.join(out_dir, f"{n // 1000:04d}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{n:07d}.txt"), "wb") as fh:
                fh.write(data)
        written += len(data)
        n += 1
    if sink:
        sink.close()
    print(f"{n} documents, {written / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
