-- What each program costs and what revenue it rewards, by region, partner
-- type, product family and program period. Cost is what was earned (accrued),
-- not what was paid; revenue is the credited revenue of the eligible lines.
-- Region and partner type are the partner's at the time each deal closed.
with

earnings as (

    select * from {{ ref('fct_incentive_earnings') }}

),

aggregated as (

    select
        program_id,
        region,
        partner_type,
        family,
        period,
        sum(earned_usd) as incentive_cost_usd,
        sum(credited_usd) as credited_revenue_usd,
        count(distinct case when earned_usd > 0 then partner_id end) as partners_earning,
        count(distinct partner_id) as partners_eligible,
        count(*) as earning_lines

    from earnings
    group by program_id, region, partner_type, family, period

),

final as (

    select
        program_id,
        region,
        partner_type,
        family,
        period,
        cast(incentive_cost_usd as decimal(18, 2)) as incentive_cost_usd,
        cast(credited_revenue_usd as decimal(18, 2)) as credited_revenue_usd,
        partners_earning,
        cast({{ divide_round('incentive_cost_usd', 'credited_revenue_usd', 6) }} as decimal(18, 6))
            as cost_to_revenue,
        partners_eligible,
        earning_lines

    from aggregated

)

select * from final
