-- Partners as they are on the run date (their latest known version).
with

partner_versions as (

    select * from {{ ref('int_partner_versions') }}

),

final as (

    select
        partner_id,
        partner_name,
        region,
        country,
        tier,
        partner_type,
        enrolled_at,
        updated_at,
        partner_version

    from partner_versions
    where is_current

)

select * from final
