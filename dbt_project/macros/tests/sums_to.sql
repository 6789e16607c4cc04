{#
    Generic data test: for every `group_by` key, sum(column) in this model
    equals sum(other_column) in `other` (both rounded money). Reconciles
    detail lines with their totals.
#}
{% test sums_to(model, column_name, other, other_column, group_by) %}

with

detail as (

    select
        {{ group_by | join(', ') }},
        sum({{ column_name }}) as detail_total

    from {{ model }}
    group by {{ group_by | join(', ') }}

),

totals as (

    select
        {{ group_by | join(', ') }},
        sum({{ other_column }}) as summary_total

    from {{ other }}
    group by {{ group_by | join(', ') }}

),

compared as (

    select
        {% for column in group_by %}coalesce(detail.{{ column }}, totals.{{ column }}) as {{ column }},
        {% endfor %}
        coalesce(detail.detail_total, 0) as detail_total,
        coalesce(totals.summary_total, 0) as summary_total

    from detail
    full outer join totals
        on
            {% for column in group_by %}detail.{{ column }} = totals.{{ column }}{% if not loop.last %} and {% endif %}
            {% endfor %}

)

select * from compared
where detail_total <> summary_total

{% endtest %}
