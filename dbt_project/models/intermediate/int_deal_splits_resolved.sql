-- The split set in force for each deal that has one: the set of the latest
-- batch that mentions the deal, valid or not. A rejected (quarantined) set
-- blocks crediting until a later batch brings a valid one.
with

splits as (

    select * from {{ ref('stg_crm__deal_splits') }}

),

quarantined as (

    select * from {{ ref('stg_ingest__quarantine') }}

),

rejected_sets as (

    select distinct
        deal_id,
        batch_id

    from quarantined
    where table_name = 'deal_splits' and deal_id is not null

),

mentions as (

    select
        deal_id,
        batch_id
    from splits
    union
    select
        deal_id,
        batch_id
    from rejected_sets

),

latest_mention as (

    select
        deal_id,
        max(batch_id) as batch_id

    from mentions
    group by deal_id

),

valid_sets as (

    select distinct
        splits.deal_id,
        splits.partner_id,
        splits.split_pct,
        false as is_split_set_rejected

    from splits
    inner join latest_mention
        on
            splits.deal_id = latest_mention.deal_id
            and splits.batch_id = latest_mention.batch_id

),

rejected_in_force as (

    select
        rejected_sets.deal_id,
        cast(null as {{ dbt.type_string() }}) as partner_id,
        cast(null as decimal(12, 8)) as split_pct,
        true as is_split_set_rejected

    from rejected_sets
    inner join latest_mention
        on
            rejected_sets.deal_id = latest_mention.deal_id
            and rejected_sets.batch_id = latest_mention.batch_id

),

final as (

    select * from valid_sets
    union all
    select * from rejected_in_force

)

select * from final
