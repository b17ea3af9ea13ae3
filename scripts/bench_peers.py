#!/usr/bin/env python3
"""The spaCy rule pipeline the issue names, on a corpus folder, in one process.

usage: bench_peers.py CORPUS_DIR RULES_DIR

spacy.blank("en") + sentencizer + an EntityRuler with the project's country and city gazetteer
names (rules/gazetteers/countries.tsv, cities.tsv) + a money Matcher (currency symbol or code,
number, optional magnitude word). Prints characters, bytes, CPU seconds and MB/s.
"""
import os
import sys
import time

import spacy
from spacy.matcher import Matcher


def gazetteer(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            out.append((cols[0], cols[3] if len(cols) > 3 else "GPE"))
    return out


def main():
    corpus, rules = sys.argv[1], sys.argv[2]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    patterns = [{"label": label, "pattern": name}
                for f in ("countries.tsv", "cities.tsv")
                for name, label in gazetteer(os.path.join(rules, "gazetteers", f))]
    ruler.add_patterns(patterns)
    matcher = Matcher(nlp.vocab)
    symbols = ["$", "€", "£", "¥", "₹", "Rs", "USD", "EUR", "GBP", "INR", "JPY"]
    mags = ["thousand", "million", "billion", "trillion", "m", "bn", "crore", "lakh", "k"]
    matcher.add("MONEY", [
        [{"TEXT": {"IN": symbols}}, {"LIKE_NUM": True}, {"LOWER": {"IN": mags}, "OP": "?"}],
        [{"LIKE_NUM": True}, {"LOWER": {"IN": mags}, "OP": "?"},
         {"LOWER": {"IN": ["dollars", "euros", "pounds", "rupees", "yen", "usd", "eur"]}}],
    ])
    files = []
    for root, dirs, names in os.walk(corpus):
        dirs.sort()
        files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith((".txt", ".md")))
    nbytes = nchars = ents = money = sents = 0
    t0 = time.process_time()
    for path in files:
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        doc = nlp(text)
        sents += sum(1 for _ in doc.sents)
        ents += len(doc.ents)
        money += len(matcher(doc))
        nbytes += len(raw)
        nchars += len(text)
    cpu = time.process_time() - t0
    print(f"spacy {spacy.__version__}: {len(files)} docs, {nbytes/1e6:.1f} MB, {len(patterns)} patterns, "
          f"{sents} sentences, {ents} entities, {money} money matches, {cpu:.1f} CPU s, "
          f"{nbytes/1e6/cpu:.3f} MB/s per core")
    print(f"MBPS {nbytes/1e6/cpu:.6f}")


if __name__ == "__main__":
    main()
