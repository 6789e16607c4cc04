-- Deal versions known at the end of the as-of day, typed and renamed.
with

source as (

    select * from {{ source('crm', 'deals') }}

),

known_at_as_of as (

    select *
    from source
    where updated_at < {{ as_of_cutoff() }}

),

final as (

    select
        deal_id,
        partner_id,
        product_id,
        quantity,
        amount,
        upper(currency) as currency_code,
        lower(stage) as stage,
        created_at,
        expected_close_date,
        closed_at,
        cancelled_at,
        updated_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _row_number as source_row_number

    from known_at_as_of

)

select * from final
