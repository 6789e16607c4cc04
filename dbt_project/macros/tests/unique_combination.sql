{#
    Generic data test: no two rows share the same values in `columns`.
    Usage in YAML: data_tests: [{unique_combination: {arguments: {columns: [a, b]}}}]
#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as duplicate_rows

from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
