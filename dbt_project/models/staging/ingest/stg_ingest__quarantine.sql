-- Quarantined rows, with the deal and partner they name (when they name one)
-- so that the deal log can say why a deal is missing. The keys are trimmed as
-- ingestion trims loaded values, so they match the deals they belong to.
with

source as (

    select * from {{ source('ingest', 'quarantine') }}

),

final as (

    select
        batch_id,
        source_file,
        row_number as source_row_number,
        table_name,
        reason,
        raw_values,
        {{ trimmed_text(json_text('raw_values', 'deal_id')) }} as deal_id,
        {{ trimmed_text(json_text('raw_values', 'partner_id')) }} as partner_id

    from source

)

select * from final
