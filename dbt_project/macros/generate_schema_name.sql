{#
    Models land in the schema their folder names (staging, intermediate,
    main) rather than dbt's default "<target schema>_<custom schema>", so
    that BI tools find the public marts unqualified in `main`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
