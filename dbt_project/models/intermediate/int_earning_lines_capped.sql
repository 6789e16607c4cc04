-- Caps. Lines in the band order; a line earns at most its version's cap_usd
-- minus what earlier lines of the period earned, and never less than 0:
--   earned_before(i) = what lines before i earned
--   earned(i)        = max(0, min(uncapped(i), cap(i) - earned_before(i)))
-- A run of consecutive lines under the same cap (a segment) has a closed
-- form: with E0 earned before the segment and P the segment's uncapped total
-- up to and including a line, the period total after that line is
-- max(E0, min(E0 + P, cap)). Segments change only when a plan version changes
-- its cap, so the few segments of a period are chained recursively.
with recursive

banded as (

    select * from {{ ref('int_earning_lines_banded') }}

),

ordered as (

    select
        *,
        row_number() over (
            partition by scenario, partner_id, program_id, period
            order by sequence_group, line_at, {{ byte_order('deal_id') }}
        ) as line_sequence,
        lag(cap_usd) over (
            partition by scenario, partner_id, program_id, period
            order by sequence_group, line_at, {{ byte_order('deal_id') }}
        ) as previous_cap_usd

    from banded

),

segment_starts as (

    -- A new segment starts at the first line and wherever the cap changes.
    select
        *,
        case
            when line_sequence = 1 then 1
            when previous_cap_usd = cap_usd then 0
            when previous_cap_usd is null and cap_usd is null then 0
            else 1
        end as starts_segment

    from ordered

),

segmented as (

    select
        *,
        sum(starts_segment) over (
            partition by scenario, partner_id, program_id, period
            order by line_sequence
            rows between unbounded preceding and current row
        ) as segment_number

    from segment_starts

),

segments as (

    select
        scenario,
        partner_id,
        program_id,
        period,
        segment_number,
        max(cap_usd) as cap_usd,
        sum(uncapped_earned_usd) as segment_uncapped_usd

    from segmented
    group by scenario, partner_id, program_id, period, segment_number

),

segment_totals (
    scenario, partner_id, program_id, period, segment_number, earned_before_usd, earned_after_usd
) as (

    select
        scenario,
        partner_id,
        program_id,
        period,
        segment_number,
        cast(0 as decimal(18, 2)) as earned_before_usd,
        cast(
            case
                when cap_usd is null then segment_uncapped_usd
                else greatest(0, least(segment_uncapped_usd, cap_usd))
            end
            as decimal(18, 2)
        ) as earned_after_usd

    from segments
    where segment_number = 1

    union all

    select
        segments.scenario,
        segments.partner_id,
        segments.program_id,
        segments.period,
        segments.segment_number,
        segment_totals.earned_after_usd as earned_before_usd,
        cast(
            case
                when segments.cap_usd is null
                    then segment_totals.earned_after_usd + segments.segment_uncapped_usd
                else greatest(
                    segment_totals.earned_after_usd,
                    least(segment_totals.earned_after_usd + segments.segment_uncapped_usd, segments.cap_usd)
                )
            end
            as decimal(18, 2)
        ) as earned_after_usd

    from segments
    inner join segment_totals
        on
            segments.scenario = segment_totals.scenario
            and segments.partner_id = segment_totals.partner_id
            and segments.program_id = segment_totals.program_id
            and segments.period = segment_totals.period
            and segments.segment_number = segment_totals.segment_number + 1

),

with_segment_progress as (

    select
        segmented.*,
        segment_totals.earned_before_usd as segment_earned_before_usd,
        sum(segmented.uncapped_earned_usd) over (
            partition by
                segmented.scenario,
                segmented.partner_id,
                segmented.program_id,
                segmented.period,
                segmented.segment_number
            order by segmented.line_sequence
            rows between unbounded preceding and current row
        ) as segment_uncapped_through_line

    from segmented
    inner join segment_totals
        on
            segmented.scenario = segment_totals.scenario
            and segmented.partner_id = segment_totals.partner_id
            and segmented.program_id = segment_totals.program_id
            and segmented.period = segment_totals.period
            and segmented.segment_number = segment_totals.segment_number

),

period_totals as (

    select
        *,
        case
            when cap_usd is null
                then segment_earned_before_usd + segment_uncapped_through_line
            else greatest(
                segment_earned_before_usd,
                least(segment_earned_before_usd + segment_uncapped_through_line, cap_usd)
            )
        end as earned_through_line_usd,
        case
            when cap_usd is null
                then segment_earned_before_usd + segment_uncapped_through_line - uncapped_earned_usd
            else greatest(
                segment_earned_before_usd,
                least(
                    segment_earned_before_usd + segment_uncapped_through_line - uncapped_earned_usd,
                    cap_usd
                )
            )
        end as earned_before_line_usd

    from with_segment_progress

),

final as (

    select
        scenario,
        line_kind,
        deal_id,
        partner_id,
        program_id,
        program_name,
        program_type,
        program_version,
        period,
        period_grain,
        period_start,
        period_end,
        line_sequence,
        line_at,
        credited_usd,
        credited_units,
        split_pct,
        line_weight,
        basis,
        tiering,
        measure,
        measure_before,
        period_measure,
        band_rate,
        cap_usd,
        uncapped_earned_usd,
        {{ round_money('earned_through_line_usd - earned_before_line_usd') }} as earned_usd,
        calculation_text
        || case
            when earned_through_line_usd - earned_before_line_usd < uncapped_earned_usd
                then
                    '; capped at ' || {{ money_text('cap_usd') }} || ' USD per partner and period: '
                    || {{ money_text('earned_before_line_usd') }} || ' USD already earned, so this line earns '
                    || {{ money_text('earned_through_line_usd - earned_before_line_usd') }}
            else ''
        end as explanation,
        product_id,
        family,
        tier,
        region,
        partner_type

    from period_totals

)

select * from final
