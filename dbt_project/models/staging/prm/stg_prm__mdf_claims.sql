-- MDF claim versions known at the end of the as-of day.
with

source as (

    select * from {{ source('prm', 'mdf_claims') }}

),

known_at_as_of as (

    select *
    from source
    where updated_at < {{ as_of_cutoff() }}

),

final as (

    select
        claim_id,
        partner_id,
        program_id,
        -- Each claim is money in cents (half away from zero), so the sums add up.
        {{ round_money('amount_usd') }} as amount_usd,
        lower(status) as claim_status,
        submitted_at,
        decided_at,
        updated_at,
        _batch_id as batch_id,
        _row_number as source_row_number

    from known_at_as_of

)

select * from final
