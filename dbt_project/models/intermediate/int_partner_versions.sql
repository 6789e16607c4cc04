-- Partner history: one row per version with the interval it is in force.
-- A deal takes the attributes of the latest version updated at or before it
-- closed; a deal closed before the first version takes the first version, so
-- the first version is in force from the beginning of time (valid_from null).
with

partners as (

    select * from {{ ref('stg_prm__partners') }}

),

one_row_per_instant as (

    -- Two rows with the same updated_at: the later batch, then the later row, wins.
    select
        *,
        row_number() over (
            partition by partner_id, updated_at
            order by batch_id desc, source_row_number desc
        ) as tie_rank

    from partners

),

versions as (

    select
        partner_id,
        partner_name,
        region,
        country,
        tier,
        partner_type,
        enrolled_at,
        updated_at,
        row_number() over (partition by partner_id order by updated_at) as partner_version,
        lead(updated_at) over (partition by partner_id order by updated_at) as next_updated_at

    from one_row_per_instant
    where tie_rank = 1

),

final as (

    select
        partner_id,
        partner_version,
        partner_name,
        region,
        country,
        tier,
        partner_type,
        enrolled_at,
        updated_at,
        case when partner_version > 1 then updated_at end as valid_from,
        next_updated_at as valid_to,
        next_updated_at is null as is_current

    from versions

)

select * from final
