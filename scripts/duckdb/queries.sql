-- Example queries over the views of views.sql. Each starts with a `-- name:` line
-- (scripts/duckdb/test.sh runs them one by one and prints their results).

-- name: entities_per_label
SELECT label, count(*) AS mentions, count(DISTINCT norm) AS names, count(DISTINCT doc_id) AS articles
FROM nx_entities GROUP BY label ORDER BY mentions DESC, label;

-- name: top_organisations
SELECT norm AS organisation, count(*) AS mentions, count(DISTINCT doc_id) AS articles
FROM nx_entities WHERE label = 'ORG'
GROUP BY norm ORDER BY mentions DESC, organisation LIMIT 20;

-- name: money_per_currency_and_year
-- The year is the article's publication year (NULL when the article has no date).
SELECT coalesce(m.currency, '?') AS currency, year(a.published) AS year,
       count(*) AS mentions, sum(m.amount) AS total
FROM nx_money m JOIN nx_articles a USING (doc_id)
GROUP BY ALL ORDER BY currency, year NULLS LAST;

-- name: citations_per_article
SELECT a.doc_id,
       len(a.citations) AS markers,
       len(a."references") AS references,
       len([s FOR s IN a.sentences IF s.kind <> 'reference']) AS body_sentences,
       len([s FOR s IN a.sentences IF s.kind <> 'reference' AND len(s.citations) > 0]) AS cited_sentences,
       round(cited_sentences / nullif(body_sentences, 0), 3) AS coverage
FROM nx_articles a ORDER BY markers DESC, a.doc_id;

-- name: targets_by_deadline
SELECT deadline_date, deadline_value, doc_id, metric, money_text, amount, currency
FROM nx_targets_resolved ORDER BY deadline_date NULLS LAST, doc_id, "index";

-- name: dates_per_month
-- DATE values with at least a month (2026-05, 2026-05-20, 2026-05-20T10:00).
SELECT left("value", 7) AS month, count(*) AS mentions
FROM nx_dates WHERE "type" = 'DATE' AND regexp_matches("value", '^[0-9]{4}-[0-9]{2}($|[^0-9])')
GROUP BY month ORDER BY month;
