{#
    The few expressions whose spelling differs between engines. Everything
    engine-specific lives here, behind adapter.dispatch.
#}

{% macro byte_order(expression) -%}
    {#- Compare text as plain bytes (C collation), the same on every engine. -#}
    {{ return(adapter.dispatch('byte_order', 'partner_incentives')(expression)) }}
{%- endmacro %}

{% macro default__byte_order(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__byte_order(expression) -%}
    {{ expression }} collate "C"
{%- endmacro %}

{% macro json_text(json_expression, key) -%}
    {#- The text value of one top-level key of a JSON object held as text. -#}
    {{ return(adapter.dispatch('json_text', 'partner_incentives')(json_expression, key)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, key) -%}
    get_json_object({{ json_expression }}, '$.{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(json_expression, key) -%}
    json_extract_string({{ json_expression }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_text(json_expression, key) -%}
    cast({{ json_expression }} as json) ->> '{{ key }}'
{%- endmacro %}

{% macro number_text(expression) -%}
    {#- A decimal as text without trailing zeros: 0.050000 -> 0.05, 100000.00 -> 100000. -#}
    {{ return(adapter.dispatch('number_text', 'partner_incentives')(expression)) }}
{%- endmacro %}

{% macro default__number_text(expression) -%}
    case
        when position('.' in cast({{ expression }} as {{ dbt.type_string() }})) > 0
            then rtrim(rtrim(cast({{ expression }} as {{ dbt.type_string() }}), '0'), '.')
        else cast({{ expression }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{% macro money_text(expression) -%}
    {#- Money as text with exactly two decimals: 1900 -> 1900.00. -#}
    cast(cast({{ expression }} as decimal(18, 2)) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro percent_text(rate_expression) -%}
    {#- A rate as a percentage: 0.07 -> 7%. -#}
    {{ number_text(exact(rate_expression ~ ' * 100')) }} || '%'
{%- endmacro %}

{% macro trimmed_text(expression) -%}
    {#-
        Text trimmed of blanks (space, tab, line breaks) at both ends, empty
        text as null: what ingestion does to every value it loads.
    -#}
    {{ return(adapter.dispatch('trimmed_text', 'partner_incentives')(expression)) }}
{%- endmacro %}

{% macro default__trimmed_text(expression) -%}
    nullif(trim(both ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13) from {{ expression }}), '')
{%- endmacro %}

{% macro duckdb__trimmed_text(expression) -%}
    nullif(trim({{ expression }}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '')
{%- endmacro %}
