-- Typed DuckDB views over a newsextract output folder (`newsextract run --flat -o DIR`).
--
--   duckdb -c "SET VARIABLE nx_dir = 'output'; .read scripts/duckdb/views.sql"   (or from Python)
--
-- Every column is declared (`columns={...}`), so DuckDB does not infer types from a sample:
-- a field that is null in the first 20,000 rows, or an amount that happens to be whole, cannot
-- change a column's type or break a load. The types follow `newsextract schema` (newsextract/1):
-- offsets and indexes BIGINT, amounts DOUBLE, everything that may be unknown is nullable.
-- The folder defaults to `output` (relative to where DuckDB runs) when nx_dir is not set.

CREATE OR REPLACE MACRO nx_path(name) AS
    coalesce(getvariable('nx_dir'), 'output') || '/' || name;

CREATE OR REPLACE VIEW nx_articles AS
SELECT * FROM read_json(nx_path('articles.jsonl'),
    format = 'newline_delimited', maximum_object_size = 536870912,
    columns = {
        schema: 'VARCHAR',
        doc_id: 'VARCHAR',
        source: 'STRUCT(path VARCHAR, line BIGINT, bytes BIGINT, blake3 VARCHAR, encoding VARCHAR)',
        lang: 'VARCHAR',
        title: 'VARCHAR',
        published: 'DATE',
        published_source: 'VARCHAR',
        sentences: 'STRUCT("start" BIGINT, "end" BIGINT, "text" VARCHAR, paragraph BIGINT, kind VARCHAR, citations BIGINT[])[]',
        entities: 'STRUCT("start" BIGINT, "end" BIGINT, "text" VARCHAR, label VARCHAR, sentence BIGINT, norm VARCHAR, kb_id VARCHAR, "rule" VARCHAR)[]',
        money: 'STRUCT("start" BIGINT, "end" BIGINT, "text" VARCHAR, sentence BIGINT, amount DOUBLE, currency VARCHAR, amount_max DOUBLE, qualifier VARCHAR, "rule" VARCHAR)[]',
        dates: 'STRUCT("start" BIGINT, "end" BIGINT, "text" VARCHAR, sentence BIGINT, "type" VARCHAR, "value" VARCHAR, "mod" VARCHAR, "rule" VARCHAR)[]',
        citations: 'STRUCT("start" BIGINT, "end" BIGINT, "text" VARCHAR, refs BIGINT[], sentence BIGINT)[]',
        "references": 'STRUCT(id BIGINT, "text" VARCHAR, url VARCHAR, title VARCHAR)[]',
        targets: 'STRUCT(money BIGINT, deadline BIGINT, metric VARCHAR, cue VARCHAR, sentence BIGINT, "rule" VARCHAR)[]',
        warnings: 'VARCHAR[]'
    });

-- Documents that could not be read (errors.jsonl of a folder run).
CREATE OR REPLACE VIEW nx_errors AS
SELECT * FROM read_json(nx_path('errors.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', source: 'VARCHAR', line: 'BIGINT', kind: 'VARCHAR', message: 'VARCHAR'});

-- The --flat files: one row per mention, with doc_id and the mention's index in its list
-- (what `sentence`, a target's `money` and `deadline` refer to).
CREATE OR REPLACE VIEW nx_sentences AS
SELECT * FROM read_json(nx_path('sentences.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', "start": 'BIGINT', "end": 'BIGINT',
               "text": 'VARCHAR', paragraph: 'BIGINT', kind: 'VARCHAR', citations: 'BIGINT[]'});

CREATE OR REPLACE VIEW nx_entities AS
SELECT * FROM read_json(nx_path('entities.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', "start": 'BIGINT', "end": 'BIGINT',
               "text": 'VARCHAR', label: 'VARCHAR', sentence: 'BIGINT', norm: 'VARCHAR',
               kb_id: 'VARCHAR', "rule": 'VARCHAR'});

CREATE OR REPLACE VIEW nx_money AS
SELECT * FROM read_json(nx_path('money.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', "start": 'BIGINT', "end": 'BIGINT',
               "text": 'VARCHAR', sentence: 'BIGINT', amount: 'DOUBLE', currency: 'VARCHAR',
               amount_max: 'DOUBLE', qualifier: 'VARCHAR', "rule": 'VARCHAR'});

CREATE OR REPLACE VIEW nx_dates AS
SELECT * FROM read_json(nx_path('dates.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', "start": 'BIGINT', "end": 'BIGINT',
               "text": 'VARCHAR', sentence: 'BIGINT', "type": 'VARCHAR', "value": 'VARCHAR',
               "mod": 'VARCHAR', "rule": 'VARCHAR'});

CREATE OR REPLACE VIEW nx_citations AS
SELECT * FROM read_json(nx_path('citations.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', "start": 'BIGINT', "end": 'BIGINT',
               "text": 'VARCHAR', refs: 'BIGINT[]', sentence: 'BIGINT'});

CREATE OR REPLACE VIEW nx_references AS
SELECT * FROM read_json(nx_path('references.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', id: 'BIGINT', "text": 'VARCHAR',
               url: 'VARCHAR', title: 'VARCHAR'});

CREATE OR REPLACE VIEW nx_targets AS
SELECT * FROM read_json(nx_path('targets.jsonl'), format = 'newline_delimited',
    columns = {doc_id: 'VARCHAR', "index": 'BIGINT', money: 'BIGINT', deadline: 'BIGINT',
               metric: 'VARCHAR', cue: 'VARCHAR', sentence: 'BIGINT', "rule": 'VARCHAR'});

-- A date value as a DATE when it names a day, month or year (TIMEX3 2026-05-20, 2026-05, 2026;
-- the first day of the month or year), else NULL (weeks, quarters, durations, PRESENT_REF, …).
CREATE OR REPLACE MACRO nx_timex_date(v) AS CASE
    WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN try_cast(v AS DATE)
    WHEN regexp_full_match(v, '[0-9]{4}-[0-9]{2}') THEN try_cast(v || '-01' AS DATE)
    WHEN regexp_full_match(v, '[0-9]{4}') THEN try_cast(v || '-01-01' AS DATE)
END;

-- Targets with their amount and deadline resolved.
CREATE OR REPLACE VIEW nx_targets_resolved AS
SELECT t.doc_id, t."index", t.metric, t.cue, t.sentence, t."rule",
       m."text" AS money_text, m.amount, m.amount_max, m.currency,
       d."text" AS deadline_text, d."value" AS deadline_value,
       nx_timex_date(d."value") AS deadline_date
FROM nx_targets t
JOIN nx_money m ON m.doc_id = t.doc_id AND m."index" = t.money
LEFT JOIN nx_dates d ON d.doc_id = t.doc_id AND d."index" = t.deadline;
