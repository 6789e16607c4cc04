-- The rate in force for every currency on every day up to the run date: the
-- latest published rate_date on or before that day (weekends and holidays
-- take the last working day's rate). An equality join on this table replaces
-- a range join from every deal to every rate.
with

rates as (

    select * from {{ ref('stg_finance__fx_rates') }}

),

rate_intervals as (

    select
        currency_code,
        rate_date,
        usd_per_unit,
        lead(rate_date) over (partition by currency_code order by rate_date) as next_rate_date

    from rates

),

calendar as (

    {{ date_spine(
        '(select min(rate_date) from ' ~ ref('stg_finance__fx_rates') ~ ')',
        as_of_date()
    ) }}

),

final as (

    select
        rate_intervals.currency_code,
        calendar.date_day as rate_on,
        rate_intervals.rate_date,
        rate_intervals.usd_per_unit

    from calendar
    inner join rate_intervals
        on
            calendar.date_day >= rate_intervals.rate_date
            and (
                rate_intervals.next_rate_date is null
                or calendar.date_day < rate_intervals.next_rate_date
            )

)

select * from final
