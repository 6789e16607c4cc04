-- A partner's marketing development fund per MDF program, to date:
-- MDF available = all accruals to date - approved claims - paid claims.
-- Submitted and rejected claims are shown but do not reduce the fund.
with

earnings as (

    select * from {{ ref('fct_incentive_earnings') }}
    where program_type = 'mdf'

),

claims as (

    select * from {{ ref('int_mdf_claims_current') }}

),

accrued as (

    select
        partner_id,
        program_id,
        sum(earned_usd) as accrued_usd

    from earnings
    group by partner_id, program_id

),

claimed as (

    select
        partner_id,
        program_id,
        sum(case when claim_status = 'submitted' then amount_usd else 0 end) as submitted_usd,
        sum(case when claim_status = 'approved' then amount_usd else 0 end) as approved_usd,
        sum(case when claim_status = 'paid' then amount_usd else 0 end) as paid_usd,
        sum(case when claim_status = 'rejected' then amount_usd else 0 end) as rejected_usd,
        count(*) as claims

    from claims
    group by partner_id, program_id

),

keys as (

    select
        partner_id,
        program_id
    from accrued
    union
    select
        partner_id,
        program_id
    from claimed

),

final as (

    select
        keys.partner_id,
        keys.program_id,
        cast(coalesce(accrued.accrued_usd, 0) as decimal(18, 2)) as accrued_usd,
        cast(coalesce(claimed.approved_usd, 0) as decimal(18, 2)) as approved_claims_usd,
        cast(coalesce(claimed.paid_usd, 0) as decimal(18, 2)) as paid_claims_usd,
        cast(
            coalesce(accrued.accrued_usd, 0) - coalesce(claimed.approved_usd, 0) - coalesce(claimed.paid_usd, 0)
            as decimal(18, 2)
        ) as mdf_available_usd,
        cast(coalesce(claimed.submitted_usd, 0) as decimal(18, 2)) as submitted_claims_usd,
        cast(coalesce(claimed.rejected_usd, 0) as decimal(18, 2)) as rejected_claims_usd,
        coalesce(claimed.claims, 0) as claims

    from keys
    left join accrued
        on
            keys.partner_id = accrued.partner_id
            and keys.program_id = accrued.program_id
    left join claimed
        on
            keys.partner_id = claimed.partner_id
            and keys.program_id = claimed.program_id

)

select * from final
