with

source as (

    select * from {{ source('programs', 'programs') }}

),

in_force as (

    select *
    from source
    where _batch_id = (select max(_batch_id) from {{ source('programs', 'program_settings') }})

),

final as (

    select
        program_id,
        coalesce(program_name, program_id) as program_name,
        program_type,
        description

    from in_force

)

select * from final
