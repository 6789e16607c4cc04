{#
    Fiscal periods. `grain` is month, quarter or year; `fiscal_start_month`
    is programs.yml's fiscal_year_start_month (1 = calendar years). Quarters
    and years follow the fiscal calendar and a fiscal year is named by the
    calendar year it ends in (FY2027 starts in July 2026 when the fiscal year
    starts in July); months are calendar months whatever the fiscal calendar.
    All three arguments are SQL expressions, so a grain can come from data.
#}

{% macro fiscal_month_index(date_expression, fiscal_start_month) -%}
    {#- 0 for the first month of the fiscal year, 11 for the last. -#}
    mod(extract(month from {{ date_expression }}) - {{ fiscal_start_month }} + 12, 12)
{%- endmacro %}

{% macro period_start(date_expression, grain, fiscal_start_month) -%}
    cast(
        {{ dbt.dateadd(
            'month',
            '-1 * cast(case ' ~ grain
                ~ " when 'month' then 0"
                ~ " when 'year' then " ~ fiscal_month_index(date_expression, fiscal_start_month)
                ~ ' else mod(' ~ fiscal_month_index(date_expression, fiscal_start_month) ~ ', 3)'
                ~ ' end as integer)',
            dbt.date_trunc('month', date_expression)
        ) }}
        as date
    )
{%- endmacro %}

{% macro period_end(period_start_expression, grain) -%}
    {#- The last day of the period that starts on period_start_expression. -#}
    cast(
        {{ dbt.dateadd(
            'day',
            -1,
            dbt.dateadd(
                'month',
                'case ' ~ grain ~ " when 'month' then 1 when 'year' then 12 else 3 end",
                period_start_expression
            )
        ) }}
        as date
    )
{%- endmacro %}

{% macro period_label(period_start_expression, grain, fiscal_start_month) -%}
    {#- The label of the period that starts on period_start_expression: 2026-05, 2026-Q3, FY2027-Q1, 2026, FY2027. -#}
    {%- set start_month = 'extract(month from ' ~ period_start_expression ~ ')' -%}
    {%- set start_year = 'extract(year from ' ~ period_start_expression ~ ')' -%}
    {%- set fiscal_year -%}
        ({{ start_year }} + case when {{ fiscal_start_month }} > 1 and {{ start_month }} >= {{ fiscal_start_month }} then 1 else 0 end)
    {%- endset -%}
    {%- set year_text -%}
        case when {{ fiscal_start_month }} = 1 then '' else 'FY' end
        || cast(cast({{ fiscal_year }} as integer) as {{ dbt.type_string() }})
    {%- endset -%}
    case {{ grain }}
        when 'month' then
            cast(cast({{ start_year }} as integer) as {{ dbt.type_string() }})
            || '-' || lpad(cast(cast({{ start_month }} as integer) as {{ dbt.type_string() }}), 2, '0')
        when 'year' then {{ year_text }}
        else
            {{ year_text }} || '-Q'
            || cast(
                cast(
                    1 + (
                        {{ fiscal_month_index(period_start_expression, fiscal_start_month) }}
                        - mod({{ fiscal_month_index(period_start_expression, fiscal_start_month) }}, 3)
                    ) / 3
                    as integer
                ) as {{ dbt.type_string() }}
            )
    end
{%- endmacro %}

{% macro period_start_from_label(label, grain, fiscal_start_month) -%}
    {#-
        The inverse of period_label: the first day of the period a label names
        (2026-05, 2026-Q3, FY2027-Q1, 2026, FY2027). Labels are checked on load.
    -#}
    {%- set is_fiscal = 'substring(' ~ label ~ ", 1, 2) = 'FY'" -%}
    {%- set year_number -%}
        cast(case when {{ is_fiscal }} then substring({{ label }}, 3, 4) else substring({{ label }}, 1, 4) end as integer)
    {%- endset -%}
    {%- set quarter_number -%}
        cast(substring(case when {{ is_fiscal }} then substring({{ label }}, 7) else substring({{ label }}, 5) end, 3, 1) as integer)
    {%- endset -%}
    {%- set fiscal_year_start -%}
        cast(
            cast({{ year_number }} - case when {{ fiscal_start_month }} > 1 then 1 else 0 end as {{ dbt.type_string() }})
            || '-' || lpad(cast({{ fiscal_start_month }} as {{ dbt.type_string() }}), 2, '0') || '-01'
            as date
        )
    {%- endset -%}
    cast(
        case {{ grain }}
            when 'month' then cast(substring({{ label }}, 1, 7) || '-01' as date)
            when 'year' then {{ fiscal_year_start }}
            else {{ dbt.dateadd('month', '3 * (' ~ quarter_number ~ ' - 1)', fiscal_year_start) }}
        end
        as date
    )
{%- endmacro %}
