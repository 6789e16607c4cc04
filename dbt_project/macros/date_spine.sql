{#
    date_spine(first_day, last_day): a query returning one row per calendar
    day, column date_day, both ends included. Both arguments are SQL date
    expressions.
#}
{% macro date_spine(first_day, last_day) -%}
    {{ return(adapter.dispatch('date_spine', 'partner_incentives')(first_day, last_day)) }}
{%- endmacro %}

{% macro default__date_spine(first_day, last_day) -%}
    select cast(day_start as date) as date_day
    from generate_series(
        cast({{ first_day }} as timestamp),
        cast({{ last_day }} as timestamp),
        interval '1 day'
    ) as days (day_start)
{%- endmacro %}

{% macro duckdb__date_spine(first_day, last_day) -%}
    select cast(generate_series as date) as date_day
    from generate_series(
        cast({{ first_day }} as timestamp),
        cast({{ last_day }} as timestamp),
        interval 1 day
    )
{%- endmacro %}

{% macro spark__date_spine(first_day, last_day) -%}
    select explode(sequence(cast({{ first_day }} as date), cast({{ last_day }} as date))) as date_day
{%- endmacro %}
