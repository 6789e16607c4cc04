-- Earned, paid and unpaid per partner, program and program period, with the
-- forecast and the distance to the next band, up to the running period.
--   earned_usd            sum of the period's rounded earning lines
--   paid_usd              sum of payouts for that partner, program and period
--   unpaid_usd            earned - paid (negative: to be recovered)
--   projected_earned_usd  the period's earnings if its weighted open pipeline
--                         closed after every won deal
--   gap_to_next_band      next band's `from` - the measure so far, in USD or
--                         units (gap_basis); null above the top band
with

capped as (

    select * from {{ ref('int_earning_lines_capped') }}

),

payouts as (

    select * from {{ ref('stg_finance__payouts') }}

),

versions as (

    select * from {{ ref('int_program_versions') }}

),

bands as (

    select * from {{ ref('stg_programs__bands') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

program_grains as (

    select
        program_id,
        max(program_type) as program_type,
        max(period_grain) as period_grain

    from versions
    group by program_id

),

actual as (

    select
        partner_id,
        program_id,
        period,
        sum(earned_usd) as earned_usd,
        max(period_measure) as measure_to_date,
        count(*) as earning_lines

    from capped
    where scenario = 'actual'
    group by partner_id, program_id, period

),

projected as (

    select
        partner_id,
        program_id,
        period,
        sum(earned_usd) as projected_earned_usd

    from capped
    where scenario = 'projected'
    group by partner_id, program_id, period

),

paid as (

    select
        partner_id,
        program_id,
        period,
        sum(amount_usd) as paid_usd

    from payouts
    group by partner_id, program_id, period

),

keys as (

    select
        partner_id,
        program_id,
        period
    from actual
    union
    select
        partner_id,
        program_id,
        period
    from projected
    union
    select
        partner_id,
        program_id,
        period
    from paid

),

dated as (

    select
        keys.*,
        program_grains.program_type,
        program_grains.period_grain,
        {{ period_start_from_label('keys.period', 'program_grains.period_grain', 'settings.fiscal_start_month') }}
            as period_start,
        {{ period_start(as_of_date(), 'program_grains.period_grain', 'settings.fiscal_start_month') }}
            as running_period_start

    from keys
    cross join settings
    left join program_grains on keys.program_id = program_grains.program_id

),

in_scope as (

    -- Up to the running period. A payout for a program no longer in
    -- programs.yml still shows, so that nothing paid goes unseen.
    select
        *,
        {{ period_end('period_start', 'period_grain') }} as period_end

    from dated
    where period_grain is null or period_start <= running_period_start

),

gap_versions as (

    -- The bands that speak for the period: the version in force on the last
    -- day of the period, or on the run date for the running period.
    select
        in_scope.partner_id,
        in_scope.program_id,
        in_scope.period,
        versions.program_version,
        versions.basis

    from in_scope
    inner join versions
        on
            in_scope.program_id = versions.program_id
            and versions.effective_from
            <= case when in_scope.period_end < {{ as_of_date() }} then in_scope.period_end else {{ as_of_date() }} end
            and (
                versions.effective_to is null
                or versions.effective_to
                >= case
                    when in_scope.period_end < {{ as_of_date() }} then in_scope.period_end else {{ as_of_date() }}
                end
            )
    where versions.tiering is not null

),

next_bands as (

    select
        gap_versions.partner_id,
        gap_versions.program_id,
        gap_versions.period,
        gap_versions.basis,
        bands.band_from,
        bands.band_rate,
        row_number() over (
            partition by gap_versions.partner_id, gap_versions.program_id, gap_versions.period
            order by bands.band_from
        ) as band_order

    from gap_versions
    left join actual
        on
            gap_versions.partner_id = actual.partner_id
            and gap_versions.program_id = actual.program_id
            and gap_versions.period = actual.period
    inner join bands
        on
            gap_versions.program_id = bands.program_id
            and gap_versions.program_version = bands.program_version
            and bands.band_from > coalesce(actual.measure_to_date, 0)

),

final as (

    select
        in_scope.partner_id,
        in_scope.program_id,
        in_scope.period,
        cast(coalesce(actual.earned_usd, 0) as decimal(18, 2)) as earned_usd,
        cast(coalesce(paid.paid_usd, 0) as decimal(18, 2)) as paid_usd,
        cast(coalesce(actual.earned_usd, 0) - coalesce(paid.paid_usd, 0) as decimal(18, 2)) as unpaid_usd,
        cast(
            coalesce(projected.projected_earned_usd, actual.earned_usd, 0) as decimal(18, 2)
        ) as projected_earned_usd,
        cast(next_bands.band_from - coalesce(actual.measure_to_date, 0) as decimal(38, 12))
            as gap_to_next_band,
        cast(next_bands.band_rate as decimal(18, 12)) as next_band_rate,
        next_bands.basis as gap_basis,
        cast(coalesce(actual.measure_to_date, 0) as decimal(38, 12)) as measure_to_date,
        in_scope.program_type,
        in_scope.period_start,
        in_scope.period_end,
        in_scope.period_start = in_scope.running_period_start as is_running_period,
        coalesce(actual.earning_lines, 0) as earning_lines

    from in_scope
    left join actual
        on
            in_scope.partner_id = actual.partner_id
            and in_scope.program_id = actual.program_id
            and in_scope.period = actual.period
    left join projected
        on
            in_scope.partner_id = projected.partner_id
            and in_scope.program_id = projected.program_id
            and in_scope.period = projected.period
    left join paid
        on
            in_scope.partner_id = paid.partner_id
            and in_scope.program_id = paid.program_id
            and in_scope.period = paid.period
    left join next_bands
        on
            in_scope.partner_id = next_bands.partner_id
            and in_scope.program_id = next_bands.program_id
            and in_scope.period = next_bands.period
            and next_bands.band_order = 1

)

select * from final
