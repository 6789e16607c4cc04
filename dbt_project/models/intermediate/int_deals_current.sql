-- The current version of every deal as of the run date, and what became of it:
-- open, lost, won, or clawed back (cancelled within the clawback window, which
-- counts as never won). A deal cancelled after the window keeps its revenue.
with

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

ranked_versions as (

    -- Latest updated_at wins; on a tie the later batch, then the later row.
    select
        *,
        row_number() over (
            partition by deal_id
            order by updated_at desc, batch_id desc, source_row_number desc
        ) as recency_rank

    from deals

),

current_versions as (

    select * from ranked_versions
    where recency_rank = 1

),

final as (

    select
        current_versions.deal_id,
        current_versions.partner_id,
        current_versions.product_id,
        current_versions.quantity,
        current_versions.amount,
        current_versions.currency_code,
        current_versions.stage,
        current_versions.created_at,
        current_versions.expected_close_date,
        current_versions.closed_at,
        cast(current_versions.closed_at as date) as close_date,
        current_versions.cancelled_at,
        current_versions.updated_at,
        current_versions.batch_id,
        settings.clawback_days,
        case
            when current_versions.stage in ('prospecting', 'qualification', 'proposal', 'negotiation')
                then 'open'
            when current_versions.stage = 'lost' then 'lost'
            when
                current_versions.stage = 'cancelled'
                and settings.clawback_days is not null
                and current_versions.cancelled_at
                <= {{ dbt.dateadd('day', 'settings.clawback_days', 'current_versions.closed_at') }}
                then 'clawed_back'
            else 'won'
        end as deal_status

    from current_versions
    cross join settings

)

select * from final
