{#-
    The query that source freshness runs for a table in schema raw: when the
    newest batch of that table was loaded (raw.ingest_batches.loaded_at, UTC).
    Ingestion records every landing file as one batch, so this is when data of
    the table last arrived; files that failed or repeated an earlier file
    bring no new data and do not count. A table that never received a batch
    has no time at all, which dbt reports as an error.

    `table_name` is the landing table named in raw.ingest_batches.table_name;
    it defaults to the source table's own name. All raw.program_* tables come
    from one landing file, table "programs".
-#}
{% macro raw_batch_loaded_at(table_name=none) -%}
    select max(loaded_at) as max_loaded_at
    from {{ source('ingest', 'ingest_batches') }}
    where
        table_name = '{{ table_name or this.identifier }}'
        and status = 'loaded'
{%- endmacro %}
