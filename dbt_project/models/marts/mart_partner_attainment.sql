-- Quota attainment per partner and attainment period (fiscal quarter unless
-- programs.yml sets attainment_period), for every partner and period with a
-- quota, a credited deal or open pipeline, up to the running period.
--   won_usd                credited won revenue of the period
--   attainment_pct         100 x won / quota, rounded half up to 2 decimals;
--                          null without a quota or with a quota <= 0
--   projected_revenue_usd  won + open pipeline expected in the period x stage
--                          probability (pipeline counts in the running period)
--   rank_in_region         within the partner's region as of the period end,
--                          by attainment, then won revenue, then partner_id;
--                          partners without a quota after those with one
with

lines as (

    select * from {{ ref('int_deal_lines_credited') }}

),

quotas as (

    select * from {{ ref('int_quotas_dated') }}

),

partner_versions as (

    select * from {{ ref('int_partner_versions') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

running_period as (

    select
        {{ period_start(as_of_date(), 'attainment_grain', 'fiscal_start_month') }} as period_start,
        attainment_grain,
        fiscal_start_month

    from settings

),

won_by_period as (

    select
        partner_id,
        attainment_period_start as period_start,
        sum(credited_usd) as won_usd,
        sum(credited_units) as won_units,
        count(distinct deal_id) as won_deals

    from lines
    where is_credited
    group by partner_id, attainment_period_start

),

pipeline_by_period as (

    select
        lines.partner_id,
        running_period.period_start,
        sum(lines.weighted_usd) as pipeline_weighted_usd,
        count(distinct lines.deal_id) as open_deals

    from lines
    cross join running_period
    where
        lines.pipeline_date is not null
        and lines.pipeline_attainment_period_start = running_period.period_start
    group by lines.partner_id, running_period.period_start

),

activity as (

    select
        partner_id,
        period_start
    from won_by_period
    union
    select
        partner_id,
        period_start
    from pipeline_by_period
    union
    select
        partner_id,
        period_start
    from quotas

),

partner_periods as (

    select
        activity.partner_id,
        activity.period_start,
        {{ period_label(
            'activity.period_start', 'running_period.attainment_grain', 'running_period.fiscal_start_month'
        ) }} as period

    from activity
    cross join running_period

),

in_scope as (

    select partner_periods.*
    from partner_periods
    cross join running_period
    where partner_periods.period_start <= running_period.period_start

),

measured as (

    select
        in_scope.partner_id,
        in_scope.period,
        in_scope.period_start,
        {{ period_end('in_scope.period_start', 'running_period.attainment_grain') }} as period_end,
        in_scope.period_start = running_period.period_start as is_running_period,
        cast(coalesce(won_by_period.won_usd, 0) as decimal(18, 2)) as won_usd,
        cast(coalesce(won_by_period.won_units, 0) as decimal(38, 12)) as won_units,
        coalesce(won_by_period.won_deals, 0) as won_deals,
        cast(quotas.quota_usd as decimal(18, 2)) as quota_usd,
        cast(
            coalesce(won_by_period.won_usd, 0) + coalesce(pipeline_by_period.pipeline_weighted_usd, 0)
            as decimal(18, 2)
        ) as projected_revenue_usd,
        coalesce(pipeline_by_period.open_deals, 0) as open_deals,
        case
            when quotas.quota_usd > 0
                then {{ divide_round('coalesce(won_by_period.won_usd, 0) * 100', 'quotas.quota_usd', 2) }}
        end as attainment_pct,
        case
            when quotas.quota_usd > 0
                then {{ divide_round('coalesce(won_by_period.won_usd, 0) * 100', 'quotas.quota_usd', 8) }}
        end as attainment_sort_key

    from in_scope
    cross join running_period
    left join won_by_period
        on
            in_scope.partner_id = won_by_period.partner_id
            and in_scope.period_start = won_by_period.period_start
    left join pipeline_by_period
        on
            in_scope.partner_id = pipeline_by_period.partner_id
            and in_scope.period_start = pipeline_by_period.period_start
    left join quotas
        on
            in_scope.partner_id = quotas.partner_id
            and in_scope.period_start = quotas.period_start

),

with_region as (

    select
        measured.*,
        partner_versions.region

    from measured
    left join partner_versions
        on
            measured.partner_id = partner_versions.partner_id
            and (
                partner_versions.valid_from is null
                or partner_versions.valid_from < {{ dbt.dateadd('day', 1, 'measured.period_end') }}
            )
            and (
                partner_versions.valid_to is null
                or partner_versions.valid_to >= {{ dbt.dateadd('day', 1, 'measured.period_end') }}
            )

),

final as (

    select
        partner_id,
        period,
        won_usd,
        quota_usd,
        cast(attainment_pct as decimal(18, 2)) as attainment_pct,
        projected_revenue_usd,
        case
            when region is not null
                then rank() over (
                    partition by region, period
                    order by
                        case when attainment_sort_key is null then 1 else 0 end,
                        attainment_sort_key desc,
                        won_usd desc,
                        {{ byte_order('partner_id') }} asc
                )
        end as rank_in_region,
        region,
        period_start,
        period_end,
        is_running_period,
        won_units,
        won_deals,
        open_deals

    from with_region

)

select * from final
