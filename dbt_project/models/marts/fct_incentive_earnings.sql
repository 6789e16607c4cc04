-- Every earning line: one row per credited won deal, credited partner and
-- program it is eligible for, also when it earns 0 (capped, or below a
-- retroactive threshold). Each line says how its figure was calculated.
with

capped as (

    select * from {{ ref('int_earning_lines_capped') }}

),

deal_lines as (

    select * from {{ ref('int_deal_lines_credited') }}

),

explained as (

    -- How the credited amount came about, then how the line earned.
    select
        capped.*,
        'Credited: ' || {{ number_text('deal_lines.amount') }} || ' ' || deal_lines.currency_code
        || case
            when deal_lines.currency_code <> 'USD'
                then
                    ' x ' || {{ number_text('deal_lines.usd_per_unit') }} || ' USD/' || deal_lines.currency_code
                    || ' (rate of ' || cast(deal_lines.fx_rate_date as {{ dbt.type_string() }}) || ')'
            else ''
        end
        || case
            when deal_lines.split_pct <> 100 then ' x ' || {{ number_text('deal_lines.split_pct') }} || '% split'
            else ''
        end
        || ' = ' || {{ money_text('capped.credited_usd') }} || ' USD, rounded to the cent. '
        || capped.explanation as full_explanation

    from capped
    inner join deal_lines
        on
            capped.deal_id = deal_lines.deal_id
            and capped.partner_id = deal_lines.partner_id

),

final as (

    select
        deal_id,
        partner_id,
        program_id,
        program_version,
        program_type,
        period,
        line_at as closed_at,
        cast(credited_usd as decimal(18, 2)) as credited_usd,
        cast(credited_units as decimal(38, 12)) as credited_units,
        cast(band_rate as decimal(18, 12)) as band_rate,
        cast(earned_usd as decimal(18, 2)) as earned_usd,
        full_explanation as explanation,
        program_name,
        tiering,
        basis,
        cast(split_pct as decimal(12, 8)) as split_pct,
        cast(measure_before as decimal(38, 12)) as measure_before,
        cast(uncapped_earned_usd as decimal(18, 2)) as uncapped_earned_usd,
        cast(cap_usd as decimal(28, 10)) as cap_usd,
        period_start,
        period_end,
        line_sequence,
        product_id,
        family,
        tier,
        region,
        partner_type

    from explained
    where scenario = 'actual'

)

select * from final
