with

source as (

    select * from {{ source('programs', 'program_stage_probabilities') }}

),

in_force as (

    select *
    from source
    where _batch_id = (select max(_batch_id) from {{ source('programs', 'program_settings') }})

),

final as (

    select
        lower(stage) as stage,
        probability

    from in_force

)

select * from final
