-- One rate per currency and date; a later batch (then a later row) wins.
with

source as (

    select * from {{ source('finance', 'fx_rates') }}

),

latest_per_day as (

    select
        *,
        row_number() over (
            partition by upper(currency), rate_date
            order by _batch_id desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        upper(currency) as currency_code,
        rate_date,
        usd_per_unit

    from latest_per_day
    where recency_rank = 1

)

select * from final
