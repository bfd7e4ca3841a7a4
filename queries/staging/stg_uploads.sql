-- Uploads of leads and deals as the coverage checks read them: which contract fields each
-- file had a column for, so a field the file lacked reads as unknown rather than blank.
-- Grain: one row per upload of leads or deals (restores carry no rows and are left out).
-- Parameters: none. Reads uploads, the history; mapped_fields is null for uploads recorded
-- before the history kept it.

with

source as (
    select * from uploads
),

final as (
    select
        upload_id,
        uploaded_at,
        kind,
        file_name,
        fields as mapped_fields,
    from source
    where kind in ('leads', 'deals')
)

select * from final
