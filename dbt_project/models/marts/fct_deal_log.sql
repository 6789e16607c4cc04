-- Why each deal counted or not: one row per current deal, credited partner
-- (or the deal's own partner when nothing is credited) and program. Deals
-- whose every row was quarantined appear too, with the quarantine reason.
-- `reason` explains the earning when the line counted, otherwise it is the
-- first that applies of: row quarantined; partner unknown; product unknown; no
-- FX rate on or before the close date; partner not enrolled at close; split
-- set rejected; still open; lost; clawed back; closed outside the program's
-- dates; partner tier, region or type not eligible; product or family not
-- eligible. When a row of the deal that arrived after its current version was
-- quarantined (the source changed the deal in a way that could not be
-- loaded), `quarantined_update_reason` says so: the figures still stand on
-- the current version, and the partner and finance see that they may change.
with

lines as (

    select * from {{ ref('int_deal_lines_credited') }}

),

program_lines as (

    select * from {{ ref('int_program_lines_eligibility') }}
    where line_kind = 'won'

),

earnings as (

    select * from {{ ref('fct_incentive_earnings') }}

),

programs as (

    select * from {{ ref('stg_programs__programs') }}

),

quarantined as (

    select * from {{ ref('stg_ingest__quarantine') }}
    where table_name = 'deals' and deal_id is not null

),

current_deals as (

    select * from {{ ref('int_deals_current') }}

),

ranked_quarantined as (

    select
        *,
        row_number() over (
            partition by deal_id
            order by batch_id desc, source_row_number desc
        ) as recency_rank

    from quarantined

),

latest_quarantined as (

    -- The newest quarantined row of each deal.
    select * from ranked_quarantined
    where recency_rank = 1

),

quarantined_updates as (

    -- A deal's newest quarantined row, when it came after its current version.
    select
        latest_quarantined.deal_id,
        latest_quarantined.reason

    from latest_quarantined
    inner join current_deals
        on
            latest_quarantined.deal_id = current_deals.deal_id
            and latest_quarantined.batch_id > current_deals.batch_id

),

quarantined_only as (

    -- Deals with no valid version at all: the newest quarantined row speaks for them.
    select
        latest_quarantined.deal_id,
        latest_quarantined.partner_id,
        latest_quarantined.reason

    from latest_quarantined
    left join current_deals on latest_quarantined.deal_id = current_deals.deal_id
    where current_deals.deal_id is null

),

line_reasons as (

    select
        deal_id,
        partner_id,
        deal_status,
        coalesce(
            not_credited_reason,
            case deal_status
                when 'open' then 'still open'
                when 'lost' then 'lost'
                when 'clawed_back'
                    then
                        'clawed back: cancelled on '
                        || cast(cast(cancelled_at as date) as {{ dbt.type_string() }})
                        || ', within ' || cast(clawback_days as {{ dbt.type_string() }})
                        || ' days of closing on '
                        || cast(close_date as {{ dbt.type_string() }})
            end
        ) as line_reason

    from lines

),

current_deal_rows as (

    select
        line_reasons.deal_id,
        line_reasons.partner_id,
        programs.program_id,
        line_reasons.deal_status,
        program_lines.program_version,
        program_lines.period,
        earnings.earned_usd,
        earnings.earned_usd is not null as counted,
        coalesce(
            line_reasons.line_reason,
            case when earnings.earned_usd is not null then earnings.explanation end,
            program_lines.ineligible_reason
        ) as reason,
        quarantined_updates.reason as quarantined_update_reason

    from line_reasons
    cross join programs
    left join program_lines
        on
            line_reasons.deal_id = program_lines.deal_id
            and line_reasons.partner_id = program_lines.partner_id
            and programs.program_id = program_lines.program_id
    left join earnings
        on
            line_reasons.deal_id = earnings.deal_id
            and line_reasons.partner_id = earnings.partner_id
            and programs.program_id = earnings.program_id
    left join quarantined_updates on line_reasons.deal_id = quarantined_updates.deal_id

),

quarantined_rows as (

    select
        quarantined_only.deal_id,
        quarantined_only.partner_id,
        programs.program_id,
        'quarantined' as deal_status,
        cast(null as integer) as program_version,
        cast(null as {{ dbt.type_string() }}) as period,
        cast(null as decimal(18, 2)) as earned_usd,
        false as counted,
        'row quarantined: ' || quarantined_only.reason as reason,
        cast(null as {{ dbt.type_string() }}) as quarantined_update_reason

    from quarantined_only
    cross join programs

),

final as (

    select * from current_deal_rows
    union all
    select * from quarantined_rows

)

select * from final
