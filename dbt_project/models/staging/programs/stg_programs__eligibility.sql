with

source as (

    select * from {{ source('programs', 'program_eligibility') }}

),

in_force as (

    select *
    from source
    where _batch_id = (select max(_batch_id) from {{ source('programs', 'program_settings') }})

),

final as (

    select distinct
        program_id,
        cast(version as integer) as program_version,
        dimension,
        -- Matched the way staging spells partner attributes.
        case dimension
            when 'regions' then upper(value)
            when 'tiers' then lower(value)
            when 'partner_types' then lower(value)
            else value
        end as allowed_value

    from in_force

)

select * from final
