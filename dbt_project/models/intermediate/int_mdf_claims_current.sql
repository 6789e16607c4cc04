-- The current version of every MDF claim as of the run date.
with

claims as (

    select * from {{ ref('stg_prm__mdf_claims') }}

),

ranked_versions as (

    select
        *,
        row_number() over (
            partition by claim_id
            order by updated_at desc, batch_id desc, source_row_number desc
        ) as recency_rank

    from claims

),

final as (

    select
        claim_id,
        partner_id,
        program_id,
        amount_usd,
        claim_status,
        submitted_at,
        decided_at,
        updated_at

    from ranked_versions
    where recency_rank = 1

)

select * from final
