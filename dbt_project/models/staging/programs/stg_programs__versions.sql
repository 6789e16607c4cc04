with

source as (

    select * from {{ source('programs', 'program_versions') }}

),

in_force as (

    select *
    from source
    where _batch_id = (select max(_batch_id) from {{ source('programs', 'program_settings') }})

),

final as (

    select
        program_id,
        cast(version as integer) as program_version,
        effective_from,
        effective_to,
        coalesce(period, 'quarter') as period_grain,
        basis,
        tiering,
        cap_usd,
        amount_per_unit,
        amount_per_deal,
        accrual_rate

    from in_force

)

select * from final
