-- The settings of the programs.yml in force: always exactly one row.
with

source as (

    select * from {{ source('programs', 'program_settings') }}

),

in_force as (

    select *
    from source
    where _batch_id = (select max(_batch_id) from {{ source('programs', 'program_settings') }})

),

final as (

    select
        cast(fiscal_year_start_month as integer) as fiscal_start_month,
        cast(clawback_days as integer) as clawback_days,
        attainment_period as attainment_grain

    from in_force

)

select * from final
