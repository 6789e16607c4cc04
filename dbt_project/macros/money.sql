{#
    Exact decimal arithmetic. Money never passes through a binary float:
    intermediate values are DECIMAL(38, 12) (at least 8 decimal places, 14+
    integer digits), published money is DECIMAL(18, 2), and every rounding is
    half away from zero.
#}

{% macro exact(expression) -%}
    cast({{ expression }} as decimal(38, 12))
{%- endmacro %}

{% macro round_money(expression) -%}
    cast(round({{ expression }}, 2) as decimal(18, 2))
{%- endmacro %}

{% macro percent_to_share(expression) -%}
    {#- 60 (percent) -> 0.60, by multiplication: a decimal division yields a double in DuckDB. -#}
    {{ exact(expression ~ ' * 0.01') }}
{%- endmacro %}

{#
    divide_round(numerator, denominator, scale): the exact quotient rounded
    half away from zero to `scale` decimals, as DECIMAL(38, scale). Null when
    the denominator is null or zero. The one place the project divides.
    On DuckDB, |numerator| x 10^(12 + scale) x 2 must stay below 1.7 x 10^38
    (HUGEINT): with scale 8, numerators up to 10^17, ample for 14-digit money
    times 100.
#}
{% macro divide_round(numerator, denominator, scale) -%}
    {{ return(adapter.dispatch('divide_round', 'partner_incentives')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__divide_round(numerator, denominator, scale) -%}
    cast(
        case when {{ denominator }} <> 0
            then round({{ numerator }} / {{ denominator }}, {{ scale }})
        end
        as decimal(38, {{ scale }})
    )
{%- endmacro %}

{% macro scaled_to_integer(value) -%}
    {#-
        An exact() value times 10^12 as a HUGEINT, built from its integer and
        fractional parts so that no DECIMAL(38) intermediate overflows.
    -#}
    (
        cast(trunc({{ value }}) as hugeint) * 1000000000000
        + cast(({{ value }} - trunc({{ value }})) * 1000000000000 as hugeint)
    )
{%- endmacro %}

{% macro duckdb__divide_round(numerator, denominator, scale) -%}
    {#-
        DuckDB divides decimals as doubles, so scale both operands to
        integers (12 decimal places, the width of exact()) and use integer
        division: round_half_up(a / b) = (2a + b) // 2b for a, b >= 0.
    -#}
    {%- set n = scaled_to_integer(exact(numerator)) -%}
    {%- set d = scaled_to_integer(exact(denominator)) -%}
    {%- set unit = '1' if scale == 0 else '0.' ~ ('0' * (scale - 1)) ~ '1' -%}
    cast(
        case when {{ denominator }} <> 0 then
            sign({{ n }}) * sign({{ d }})
            * cast(
                (2 * abs({{ n }}) * {{ 10 ** scale }} + abs({{ d }})) // (2 * abs({{ d }}))
                as decimal(38, 0)
            )
            * {{ unit }}
        end
        as decimal(38, {{ scale }})
    )
{%- endmacro %}

{% macro exact_product(factors) -%}
    {#-
        The product of several decimals, brought back to exact() after each
        multiplication so that DECIMAL(38) never runs out of integer digits.
    -#}
    {%- set ns = namespace(expression=factors[0]) -%}
    {%- for factor in factors[1:] -%}
        {%- set ns.expression = exact('(' ~ ns.expression ~ ') * (' ~ factor ~ ')') -%}
    {%- endfor -%}
    {{ ns.expression }}
{%- endmacro %}
