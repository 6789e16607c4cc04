with

source as (

    select * from {{ source('programs', 'program_bands') }}

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
        cast(band_number as integer) as band_number,
        band_from,
        rate as band_rate

    from in_force

)

select * from final
