-- Every credited line, and every weighted pipeline line of the running period,
-- against every program: the version in force on the line's date, the program
-- period it falls in, and whether it is eligible (or the first reason it is
-- not). Only eligible lines earn, and only they move a partner up the bands.
with

lines as (

    select * from {{ ref('int_deal_lines_credited') }}

),

programs as (

    select * from {{ ref('stg_programs__programs') }}

),

versions as (

    select * from {{ ref('int_program_versions') }}

),

eligibility as (

    select * from {{ ref('stg_programs__eligibility') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

program_grains as (

    -- All versions of one program share one period grain (checked on load).
    select
        program_id,
        max(period_grain) as period_grain

    from versions
    group by program_id

),

won_lines as (

    select
        'won' as line_kind,
        deal_id,
        partner_id,
        product_id,
        family,
        tier,
        region,
        partner_type,
        split_pct,
        close_date as line_date,
        closed_at as line_at,
        credited_usd,
        credited_units,
        cast(1 as decimal(18, 12)) as line_weight

    from lines
    where is_credited

),

pipeline_lines as (

    select
        'pipeline' as line_kind,
        deal_id,
        partner_id,
        product_id,
        family,
        tier,
        region,
        partner_type,
        split_pct,
        pipeline_date as line_date,
        cast(pipeline_date as {{ dbt.type_timestamp() }}) as line_at,
        weighted_usd as credited_usd,
        weighted_units as credited_units,
        stage_probability as line_weight

    from lines
    where pipeline_date is not null

),

all_lines as (

    select * from won_lines
    union all
    select * from pipeline_lines

),

partner_attribute_sets as (

    select distinct
        tier,
        region,
        partner_type
    from all_lines

),

product_attribute_sets as (

    select distinct
        family,
        product_id
    from all_lines

),

partner_filters_met as (

    select
        versions.program_id,
        versions.program_version,
        partner_attribute_sets.tier,
        partner_attribute_sets.region,
        partner_attribute_sets.partner_type,
        count(distinct eligibility.dimension) as filters_met

    from versions
    cross join partner_attribute_sets
    left join eligibility
        on
            versions.program_id = eligibility.program_id
            and versions.program_version = eligibility.program_version
            and (
                (eligibility.dimension = 'tiers' and partner_attribute_sets.tier = eligibility.allowed_value)
                or (eligibility.dimension = 'regions' and partner_attribute_sets.region = eligibility.allowed_value)
                or (
                    eligibility.dimension = 'partner_types'
                    and partner_attribute_sets.partner_type = eligibility.allowed_value
                )
            )
    group by
        versions.program_id,
        versions.program_version,
        partner_attribute_sets.tier,
        partner_attribute_sets.region,
        partner_attribute_sets.partner_type

),

product_filters_met as (

    select
        versions.program_id,
        versions.program_version,
        product_attribute_sets.family,
        product_attribute_sets.product_id,
        count(distinct eligibility.dimension) as filters_met

    from versions
    cross join product_attribute_sets
    left join eligibility
        on
            versions.program_id = eligibility.program_id
            and versions.program_version = eligibility.program_version
            and (
                (eligibility.dimension = 'families' and product_attribute_sets.family = eligibility.allowed_value)
                or (
                    eligibility.dimension = 'products'
                    and product_attribute_sets.product_id = eligibility.allowed_value
                )
            )
    group by
        versions.program_id,
        versions.program_version,
        product_attribute_sets.family,
        product_attribute_sets.product_id

),

lines_by_program as (

    select
        all_lines.*,
        programs.program_id,
        programs.program_name,
        programs.program_type,
        {{ period_start('all_lines.line_date', 'program_grains.period_grain', 'settings.fiscal_start_month') }}
            as period_start,
        {{ period_start(as_of_date(), 'program_grains.period_grain', 'settings.fiscal_start_month') }}
            as running_period_start,
        program_grains.period_grain,
        settings.fiscal_start_month

    from all_lines
    cross join programs
    cross join settings
    inner join program_grains on programs.program_id = program_grains.program_id

),

in_scope as (

    -- Pipeline only ever counts in the running period.
    select * from lines_by_program
    where line_kind = 'won' or period_start = running_period_start

),

checked as (

    select
        in_scope.*,
        versions.program_version,
        versions.basis,
        versions.tiering,
        versions.cap_usd,
        versions.amount_per_unit,
        versions.amount_per_deal,
        versions.accrual_rate,
        case
            when versions.program_version is null then 'closed outside the program''s dates'
            when coalesce(partner_filters_met.filters_met, 0) < versions.partner_filter_count
                then 'partner tier, region or type not eligible'
            when coalesce(product_filters_met.filters_met, 0) < versions.product_filter_count
                then 'product or family not eligible'
        end as ineligible_reason

    from in_scope
    left join versions
        on
            in_scope.program_id = versions.program_id
            and in_scope.line_date >= versions.effective_from
            and (versions.effective_to is null or in_scope.line_date <= versions.effective_to)
    left join partner_filters_met
        on
            versions.program_id = partner_filters_met.program_id
            and versions.program_version = partner_filters_met.program_version
            and in_scope.tier = partner_filters_met.tier
            and in_scope.region = partner_filters_met.region
            and in_scope.partner_type = partner_filters_met.partner_type
    left join product_filters_met
        on
            versions.program_id = product_filters_met.program_id
            and versions.program_version = product_filters_met.program_version
            and in_scope.family = product_filters_met.family
            and in_scope.product_id = product_filters_met.product_id

),

final as (

    select
        line_kind,
        deal_id,
        partner_id,
        program_id,
        program_name,
        program_type,
        program_version,
        period_grain,
        period_start,
        {{ period_end('period_start', 'period_grain') }} as period_end,
        {{ period_label('period_start', 'period_grain', 'fiscal_start_month') }} as period,
        line_date,
        line_at,
        credited_usd,
        credited_units,
        split_pct,
        line_weight,
        basis,
        tiering,
        cap_usd,
        amount_per_unit,
        amount_per_deal,
        accrual_rate,
        product_id,
        family,
        tier,
        region,
        partner_type,
        ineligible_reason is null as is_eligible,
        ineligible_reason

    from checked

)

select * from final
