-- Payouts made by the end of the as-of day; a later batch wins for a payout_id.
with

source as (

    select * from {{ source('finance', 'payouts') }}

),

paid_by_as_of as (

    select
        *,
        row_number() over (
            partition by payout_id
            order by _batch_id desc, _row_number desc
        ) as recency_rank

    from source
    where paid_at < {{ as_of_cutoff() }}

),

final as (

    select
        payout_id,
        partner_id,
        program_id,
        period,
        -- Each payout is money in cents (half away from zero), so the sums add up.
        {{ round_money('amount_usd') }} as amount_usd,
        paid_at

    from paid_by_as_of
    where recency_rank = 1

)

select * from final
