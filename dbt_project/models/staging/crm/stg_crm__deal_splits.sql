-- Valid split rows of every batch. Split sets have no updated_at: they are
-- known from the start, and the latest batch mentioning a deal wins.
with

source as (

    select * from {{ source('crm', 'deal_splits') }}

),

final as (

    select
        deal_id,
        partner_id,
        split_pct,
        _batch_id as batch_id,
        _source_file as source_file,
        _row_number as source_row_number

    from source

)

select * from final
