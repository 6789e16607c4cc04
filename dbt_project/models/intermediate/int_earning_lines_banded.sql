-- What each eligible line earns before any cap, in two scenarios:
--   actual     - the credited won lines;
--   projected  - for partner-program-periods with open pipeline, the won lines
--                followed by the weighted pipeline lines (as if they closed
--                after every won deal, in order of expected date, then deal_id).
--
-- Within one partner, program and period, lines are taken in order of
-- closed_at, then deal_id as plain bytes. The band measure (revenue or units)
-- accumulates across all versions of the program in the period; each line is
-- priced with its own version's bands:
--   marginal     each part of a line earns the rate of the band it falls in
--                (on units, the line's revenue is split in proportion to its
--                units in each band);
--   retroactive  every line earns the rate of the band the period total reaches;
--   spiff        amount_per_unit x credited units, or amount_per_deal x split;
--   mdf          accrual_rate x credited revenue.
-- Each line's earning is rounded to cents, half away from zero.
with

eligible_lines as (

    select * from {{ ref('int_program_lines_eligibility') }}
    where is_eligible

),

bands as (

    select * from {{ ref('stg_programs__bands') }}

),

periods_with_pipeline as (

    select distinct
        partner_id,
        program_id,
        period
    from eligible_lines
    where line_kind = 'pipeline'

),

scenario_lines as (

    select
        'actual' as scenario,
        0 as sequence_group,
        eligible_lines.*

    from eligible_lines
    where eligible_lines.line_kind = 'won'

    union all

    select
        'projected' as scenario,
        case when eligible_lines.line_kind = 'won' then 0 else 1 end as sequence_group,
        eligible_lines.*

    from eligible_lines
    inner join periods_with_pipeline
        on
            eligible_lines.partner_id = periods_with_pipeline.partner_id
            and eligible_lines.program_id = periods_with_pipeline.program_id
            and eligible_lines.period = periods_with_pipeline.period

),

measured as (

    select
        *,
        case when basis = 'units' then credited_units else credited_usd end as measure

    from scenario_lines

),

accumulated as (

    select
        *,
        coalesce(sum(measure) over (
            partition by scenario, partner_id, program_id, period
            order by sequence_group, line_at, {{ byte_order('deal_id') }}
            rows between unbounded preceding and 1 preceding
        ), 0) as measure_before,
        sum(measure) over (
            partition by scenario, partner_id, program_id, period
        ) as period_measure

    from measured

),

band_ranges as (

    select
        program_id,
        program_version,
        band_number,
        band_from,
        band_rate,
        lead(band_from) over (
            partition by program_id, program_version order by band_number
        ) as band_to

    from bands

),

line_band_parts as (

    select
        accumulated.scenario,
        accumulated.deal_id,
        accumulated.partner_id,
        accumulated.program_id,
        band_ranges.band_number,
        band_ranges.band_from,
        band_ranges.band_to,
        band_ranges.band_rate,
        accumulated.tiering,
        accumulated.period_measure,
        accumulated.measure_before,
        greatest(
            {{ exact(0) }},
            least(
                accumulated.measure_before + accumulated.measure,
                coalesce(band_ranges.band_to, accumulated.measure_before + accumulated.measure)
            )
            - greatest(accumulated.measure_before, band_ranges.band_from)
        ) as measure_in_band,
        band_ranges.band_from <= accumulated.period_measure
        and (band_ranges.band_to is null or accumulated.period_measure < band_ranges.band_to)
            as is_band_reached_by_period,
        band_ranges.band_from <= accumulated.measure_before
        and (band_ranges.band_to is null or accumulated.measure_before < band_ranges.band_to)
            as is_band_at_line_start

    from accumulated
    inner join band_ranges
        on
            accumulated.program_id = band_ranges.program_id
            and accumulated.program_version = band_ranges.program_version

),

line_band_totals as (

    select
        scenario,
        deal_id,
        partner_id,
        program_id,
        sum({{ exact_product(['measure_in_band', 'band_rate']) }}) as marginal_rate_sum,
        max(case when is_band_reached_by_period then band_rate end) as period_band_rate,
        max(case when is_band_reached_by_period then band_from end) as period_band_from,
        coalesce(
            max(case when measure_in_band > 0 then band_number end),
            max(case when is_band_at_line_start then band_number end)
        ) as top_band_number,
        {{ dbt.listagg(
            "case when measure_in_band > 0 then " ~ number_text('measure_in_band') ~ " || ' at ' || " ~ percent_text('band_rate') ~ " || ' (band from ' || " ~ number_text('band_from') ~ " || ')' end",
            "' + '",
            "order by band_number"
        ) }} as marginal_parts_text

    from line_band_parts
    group by scenario, deal_id, partner_id, program_id

),

line_top_band as (

    select
        line_band_parts.scenario,
        line_band_parts.deal_id,
        line_band_parts.partner_id,
        line_band_parts.program_id,
        line_band_parts.band_rate as top_band_rate

    from line_band_parts
    inner join line_band_totals
        on
            line_band_parts.scenario = line_band_totals.scenario
            and line_band_parts.deal_id = line_band_totals.deal_id
            and line_band_parts.partner_id = line_band_totals.partner_id
            and line_band_parts.program_id = line_band_totals.program_id
            and line_band_parts.band_number = line_band_totals.top_band_number

),

priced as (

    select
        accumulated.*,
        case
            when accumulated.program_type in ('spiff', 'mdf') then null
            when accumulated.tiering = 'retroactive' then line_band_totals.period_band_rate
            else line_top_band.top_band_rate
        end as band_rate,
        case
            when accumulated.program_type = 'spiff' and accumulated.amount_per_unit is not null
                then {{ round_money(exact_product(['accumulated.amount_per_unit', 'accumulated.credited_units'])) }}
            when accumulated.program_type = 'spiff'
                then {{ round_money(exact_product([
                    'accumulated.amount_per_deal',
                    'accumulated.split_pct',
                    '0.01',
                    'accumulated.line_weight'
                ])) }}
            when accumulated.program_type = 'mdf'
                then {{ round_money(exact_product(['accumulated.accrual_rate', 'accumulated.credited_usd'])) }}
            when accumulated.tiering = 'retroactive'
                then {{ round_money(exact_product(['accumulated.credited_usd', 'line_band_totals.period_band_rate'])) }}
            when accumulated.basis = 'units'
                then coalesce({{ divide_round(
                    exact_product(['accumulated.credited_usd', 'line_band_totals.marginal_rate_sum']),
                    'accumulated.credited_units',
                    2
                ) }}, 0)
            else {{ round_money('coalesce(line_band_totals.marginal_rate_sum, 0)') }}
        end as uncapped_earned_usd,
        line_band_totals.period_band_from,
        line_band_totals.marginal_parts_text

    from accumulated
    left join line_band_totals
        on
            accumulated.scenario = line_band_totals.scenario
            and accumulated.deal_id = line_band_totals.deal_id
            and accumulated.partner_id = line_band_totals.partner_id
            and accumulated.program_id = line_band_totals.program_id
    left join line_top_band
        on
            accumulated.scenario = line_top_band.scenario
            and accumulated.deal_id = line_top_band.deal_id
            and accumulated.partner_id = line_top_band.partner_id
            and accumulated.program_id = line_top_band.program_id

),

final as (

    select
        *,
        case
            when program_type = 'spiff' and amount_per_unit is not null
                then
                    'SPIFF: ' || {{ number_text('amount_per_unit') }} || ' USD per unit x '
                    || {{ number_text('credited_units') }} || ' units = '
                    || {{ money_text('uncapped_earned_usd') }}
            when program_type = 'spiff'
                then
                    'SPIFF: ' || {{ number_text('amount_per_deal') }} || ' USD per deal x '
                    || {{ number_text('split_pct') }} || '% share = ' || {{ money_text('uncapped_earned_usd') }}
            when program_type = 'mdf'
                then
                    'MDF accrual: ' || {{ percent_text('accrual_rate') }} || ' of '
                    || {{ money_text('credited_usd') }} || ' USD = ' || {{ money_text('uncapped_earned_usd') }}
            when tiering = 'retroactive'
                then
                    'Retroactive on ' || basis || ': the period total of '
                    || {{ number_text('period_measure') }}
                    || case when basis = 'units' then ' units' else ' USD' end
                    || ' reaches the band from ' || {{ number_text('period_band_from') }} || ' at '
                    || {{ percent_text('band_rate') }} || ', so ' || {{ money_text('credited_usd') }}
                    || ' USD x ' || {{ percent_text('band_rate') }} || ' = '
                    || {{ money_text('uncapped_earned_usd') }}
            else
                'Marginal on ' || basis || ' from ' || {{ number_text('measure_before') }} || ' to '
                || {{ number_text('measure_before + measure') }} || ': ' || coalesce(marginal_parts_text, 'nothing')
                || case
                    when basis = 'units'
                        then ', applied to ' || {{ money_text('credited_usd') }} || ' USD in proportion'
                    else ''
                end
                || ' = ' || {{ money_text('uncapped_earned_usd') }}
        end as calculation_text

    from priced

)

select * from final
