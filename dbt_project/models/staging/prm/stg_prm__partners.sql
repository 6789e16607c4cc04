-- Partner versions known at the end of the as-of day.
with

source as (

    select * from {{ source('prm', 'partners') }}

),

known_at_as_of as (

    select *
    from source
    where updated_at < {{ as_of_cutoff() }}

),

final as (

    select
        partner_id,
        partner_name,
        upper(region) as region,
        country,
        lower(tier) as tier,
        lower(partner_type) as partner_type,
        enrolled_at,
        updated_at,
        _batch_id as batch_id,
        _source_file as source_file,
        _row_number as source_row_number

    from known_at_as_of

)

select * from final
