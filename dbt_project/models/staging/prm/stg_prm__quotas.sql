-- Quotas have no updated_at: the latest batch wins for a partner and period.
with

source as (

    select * from {{ source('prm', 'quotas') }}

),

latest_per_partner_period as (

    select
        *,
        row_number() over (
            partition by partner_id, period
            order by _batch_id desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        partner_id,
        period,
        quota_usd,
        _batch_id as batch_id

    from latest_per_partner_period
    where recency_rank = 1

)

select * from final
