-- Program versions with their program's type and grain, and which
-- eligibility filters each version sets.
with

programs as (

    select * from {{ ref('stg_programs__programs') }}

),

versions as (

    select * from {{ ref('stg_programs__versions') }}

),

eligibility as (

    select * from {{ ref('stg_programs__eligibility') }}

),

filters_set as (

    select
        program_id,
        program_version,
        count(distinct case
            when dimension in ('tiers', 'regions', 'partner_types') then dimension
        end) as partner_filter_count,
        count(distinct case
            when dimension in ('families', 'products') then dimension
        end) as product_filter_count

    from eligibility
    group by program_id, program_version

),

final as (

    select
        versions.program_id,
        versions.program_version,
        programs.program_name,
        programs.program_type,
        versions.effective_from,
        versions.effective_to,
        versions.period_grain,
        case
            when programs.program_type in ('commission', 'rebate', 'bonus')
                then coalesce(versions.basis, 'revenue')
        end as basis,
        case
            when programs.program_type in ('commission', 'rebate', 'bonus')
                then coalesce(versions.tiering, 'marginal')
        end as tiering,
        versions.cap_usd,
        versions.amount_per_unit,
        versions.amount_per_deal,
        versions.accrual_rate,
        coalesce(filters_set.partner_filter_count, 0) as partner_filter_count,
        coalesce(filters_set.product_filter_count, 0) as product_filter_count

    from versions
    inner join programs on versions.program_id = programs.program_id
    left join filters_set
        on
            versions.program_id = filters_set.program_id
            and versions.program_version = filters_set.program_version

)

select * from final
