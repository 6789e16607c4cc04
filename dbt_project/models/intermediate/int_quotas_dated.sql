-- Quotas with the first day of the attainment period their label names.
with

quotas as (

    select * from {{ ref('stg_prm__quotas') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

final as (

    select
        quotas.partner_id,
        quotas.period,
        quotas.quota_usd,
        {{ period_start_from_label('quotas.period', 'settings.attainment_grain', 'settings.fiscal_start_month') }}
            as period_start

    from quotas
    cross join settings

)

select * from final
