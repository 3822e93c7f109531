#!/usr/bin/env python3
"""Validates every corpus/expected/**/*.json against docs/corpus-expected.schema.json, and that
every file there belongs to a trace.

The schema is what other implementations read to compare their own parse with the corpus
(docs/corpus-format.md, "Expected values"); this keeps the files and the schema in step.
Needs the Python package jsonschema (Debian: python3-jsonschema).
"""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "docs" / "corpus-expected.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
files = sorted((root / "corpus" / "expected").rglob("*.json"))
bad = 0
for path in files:
    for error in validator.iter_errors(json.loads(path.read_text())):
        bad += 1
        print(f"{path.relative_to(root)}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
# Every file under corpus/expected/ is the expected value of a trace that exists: no stale
# files (a renamed trace, a leftover of an older format) that nothing checks any more.
for path in sorted((root / "corpus" / "expected").rglob("*")):
    if not path.is_file():
        continue
    trace = root / "corpus" / path.relative_to(root / "corpus" / "expected").with_suffix(".trace")
    if path.suffix != ".json" or not trace.exists():
        bad += 1
        print(f"{path.relative_to(root)}: no trace {trace.relative_to(root)} (or not a .json file)")
print(f"{len(files)} expected files checked against the schema and their traces, {bad} errors")
sys.exit(1 if bad or not files else 0)
