-- Every landing file seen: rows read = rows loaded + rows quarantined.
with

source as (

    select * from {{ source('ingest', 'ingest_batches') }}

),

final as (

    select
        batch_id,
        source_file,
        table_name,
        rows_read,
        rows_loaded,
        rows_quarantined,
        loaded_at,
        status,
        content_hash,
        file_format,
        error_message

    from source

)

select * from final
