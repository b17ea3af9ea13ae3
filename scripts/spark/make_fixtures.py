#!/usr/bin/env python3
"""Test inputs for scripts/spark/test.sh: a copy of corpus/ plus files that exercise the byte
path (Windows-1252, UTF-16, BOM, NUL bytes, odd file names, hidden and non-article files), and
a JSONL file with good and malformed lines. Texts are written here, not taken from anywhere."""
import json
import shutil
import sys
from pathlib import Path

repo, out = Path(sys.argv[1]), Path(sys.argv[2])
folder = out / "folder"
shutil.copytree(repo / "corpus", folder)
extra = folder / "extra"
extra.mkdir()
(extra / "cp1252.txt").write_bytes(
    "The port board approved a \u00a315 million dredging contract on 2 March 2026 [1].\n\n"
    "References\n1. Board minutes.\n".encode("cp1252"))
(extra / "utf16.txt").write_bytes(
    "Officials said the \u20ac40 million grant would arrive by June 2027.".encode("utf-16"))
(extra / "bom.md").write_bytes(
    b"\xef\xbb\xbf---\ntitle: Grid upgrade\ndate: 2026-02-11\n---\n"
    b"The utility plans to spend $300 million on its grid by 2028.\n")
(extra / "with space \u00e9.txt").write_text("A council in Lyon met on Friday.\n", encoding="utf-8")
(extra / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
(extra / "empty.txt").write_bytes(b"")
(extra / ".hidden.txt").write_text("hidden\n")
(extra / "data.csv").write_text("a,b\n1,2\n")

lines = []
for i in range(40):
    lines.append(json.dumps({
        "doc_id": f"j/{i:03}",
        "text": f"Item {i}. The ministry set aside Rs {i + 1} crore on {1 + i % 28} May 2026 "
                f"for {i} new clinics [{1 + i % 3}].\n\nReferences\n1. Note.\n2. Memo.\n3. Brief.",
        **({"published": "2026-05-01"} if i % 2 else {}),
    }, ensure_ascii=bool(i % 3)))
lines[7] = '{"doc_id": "j/007", "text": 5}'
lines[19] = '{"doc_id": "j/019"'
lines[23] = '{"doc_id": "j/023", "text": "caf\\u00e9 \\u2028 line separator and \\"quotes\\"."}'
(out / "docs.jsonl").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
