-- Products have no updated_at: the latest batch (then the later row) wins.
with

source as (

    select * from {{ source('erp', 'products') }}

),

latest_per_product as (

    select
        *,
        row_number() over (
            partition by product_id
            order by _batch_id desc, _row_number desc
        ) as recency_rank

    from source

),

final as (

    select
        product_id,
        product_name,
        family,
        list_price_usd

    from latest_per_product
    where recency_rank = 1

)

select * from final
