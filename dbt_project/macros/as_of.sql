{#
    "Today" for a run. Everything is computed from what was known at the end
    of the as-of day (UTC): row versions updated later are ignored.
#}

{% macro as_of_date() -%}
    cast('{{ var("as_of") }}' as date)
{%- endmacro %}

{% macro as_of_cutoff() -%}
    {#- The first instant after the as-of day: rows with updated_at before it are known. -#}
    {%- set day = modules.datetime.date.fromisoformat(var("as_of")) -%}
    cast('{{ (day + modules.datetime.timedelta(days=1)).isoformat() }} 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}
