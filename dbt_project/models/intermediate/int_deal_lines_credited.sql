-- One line per current deal and credited partner (the deal's own partner when
-- it has no split set, or when nothing can be credited), with everything the
-- programs need: the partner's attributes when the deal closed, the product
-- family, the FX rate, the credited revenue and units, and either why the line
-- is not credited or, for open deals, its pipeline weight.
--
-- Credited revenue = round(amount x usd_per_unit x split_pct / 100, 2); every
-- program figure starts from these rounded amounts.
with

deals as (

    select * from {{ ref('int_deals_current') }}

),

splits as (

    select * from {{ ref('int_deal_splits_resolved') }}

),

partner_versions as (

    select * from {{ ref('int_partner_versions') }}

),

products as (

    select * from {{ ref('stg_erp__products') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

settings as (

    select * from {{ ref('stg_programs__settings') }}

),

stage_probabilities as (

    select * from {{ ref('stg_programs__stage_probabilities') }}

),

credit_shares as (

    select
        deals.*,
        coalesce(splits.partner_id, deals.partner_id) as credited_partner_id,
        coalesce(splits.split_pct, 100) as split_pct,
        coalesce(splits.is_split_set_rejected, false) as is_split_set_rejected,
        splits.deal_id is not null and not splits.is_split_set_rejected as has_split_set,
        -- Closed deals take the partner as it was at close; open deals as it is now.
        coalesce(deals.closed_at, {{ as_of_cutoff() }}) as attributed_at,
        -- Closed deals convert at the close date's rate; open deals at the latest known.
        coalesce(deals.close_date, {{ as_of_date() }}) as rate_lookup_date,
        case
            when deals.deal_status = 'open' and deals.expected_close_date is not null
                then
                    case
                        when deals.expected_close_date > {{ as_of_date() }}
                            then deals.expected_close_date
                        else {{ as_of_date() }}
                    end
        end as pipeline_date

    from deals
    left join splits on deals.deal_id = splits.deal_id

),

enriched as (

    select
        credit_shares.*,
        partner_versions.partner_id is not null as is_partner_known,
        partner_versions.partner_name,
        partner_versions.region,
        partner_versions.country,
        partner_versions.tier,
        partner_versions.partner_type,
        partner_versions.enrolled_at,
        products.product_id is not null as is_product_known,
        products.family,
        case
            when credit_shares.currency_code = 'USD' then cast(1 as decimal(18, 12))
            else fx_rates.usd_per_unit
        end as usd_per_unit,
        fx_rates.rate_date as fx_rate_date,
        stage_probabilities.probability as stage_probability

    from credit_shares
    left join partner_versions
        on
            credit_shares.credited_partner_id = partner_versions.partner_id
            and (
                partner_versions.valid_from is null
                or credit_shares.attributed_at >= partner_versions.valid_from
            )
            and (
                partner_versions.valid_to is null
                or credit_shares.attributed_at < partner_versions.valid_to
            )
    left join products on credit_shares.product_id = products.product_id
    left join fx_rates
        on
            credit_shares.currency_code = fx_rates.currency_code
            and credit_shares.rate_lookup_date = fx_rates.rate_on
    left join stage_probabilities on credit_shares.stage = stage_probabilities.stage

),

checked as (

    select
        *,
        -- The first reason that applies, in the order the deal log lists them.
        case
            when not is_partner_known then 'partner unknown'
            when not is_product_known then 'product unknown'
            when close_date is not null and usd_per_unit is null
                then 'no FX rate on or before the close date'
            when closed_at is not null and enrolled_at > closed_at
                then 'partner not enrolled at close'
            when is_split_set_rejected then 'split set rejected'
        end as not_credited_reason

    from enriched

),

final as (

    select
        checked.deal_id,
        checked.credited_partner_id as partner_id,
        checked.partner_id as deal_partner_id,
        checked.product_id,
        checked.family,
        checked.partner_name,
        checked.region,
        checked.country,
        checked.tier,
        checked.partner_type,
        checked.stage,
        checked.deal_status,
        checked.quantity,
        checked.amount,
        checked.currency_code,
        checked.usd_per_unit,
        checked.fx_rate_date,
        checked.split_pct,
        checked.has_split_set,
        checked.created_at,
        checked.expected_close_date,
        checked.closed_at,
        checked.close_date,
        checked.cancelled_at,
        checked.updated_at,
        checked.clawback_days,
        checked.not_credited_reason,
        checked.not_credited_reason is null and checked.deal_status = 'won' as is_credited,
        case
            when checked.not_credited_reason is null and checked.deal_status = 'won'
                then {{ round_money(exact_product([
                    'checked.amount', 'checked.usd_per_unit', 'checked.split_pct', '0.01'
                ])) }}
        end as credited_usd,
        case
            when checked.not_credited_reason is null and checked.deal_status = 'won'
                then {{ exact_product(['checked.quantity', 'checked.split_pct', '0.01']) }}
        end as credited_units,
        -- Open pipeline: counts in the period of its expected close date, or in
        -- the running period once that date has passed, weighted by its stage.
        case
            when
                checked.deal_status = 'open'
                and checked.not_credited_reason is null
                and checked.usd_per_unit is not null
                and checked.pipeline_date is not null
                then checked.pipeline_date
        end as pipeline_date,
        checked.stage_probability,
        case
            when
                checked.deal_status = 'open'
                and checked.not_credited_reason is null
                and checked.usd_per_unit is not null
                and checked.pipeline_date is not null
                then {{ round_money(exact_product([
                    'checked.amount',
                    'checked.usd_per_unit',
                    'checked.split_pct',
                    '0.01',
                    'coalesce(checked.stage_probability, 0)'
                ])) }}
        end as weighted_usd,
        case
            when
                checked.deal_status = 'open'
                and checked.not_credited_reason is null
                and checked.usd_per_unit is not null
                and checked.pipeline_date is not null
                then {{ exact_product([
                    'checked.quantity',
                    'checked.split_pct',
                    '0.01',
                    'coalesce(checked.stage_probability, 0)'
                ]) }}
        end as weighted_units,
        {{ period_start('checked.close_date', 'settings.attainment_grain', 'settings.fiscal_start_month') }}
            as attainment_period_start,
        {{ period_start('checked.pipeline_date', 'settings.attainment_grain', 'settings.fiscal_start_month') }}
            as pipeline_attainment_period_start

    from checked
    cross join settings

)

select * from final
