-- Every row that arrived and was rejected, with where it came from and why.
with

source as (

    select * from {{ source('ingest', 'quarantine') }}

),

final as (

    select
        batch_id,
        source_file,
        row_number,
        table_name,
        reason,
        raw_values

    from source

)

select * from final
