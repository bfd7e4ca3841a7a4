-- Shared definitions: the expressions several queries need, each written once as a DuckDB
-- macro so every file, and the importer's Python, means the same thing by it.
-- Grain: none (definitions only, no rows).
-- Parameters: none; each macro's arguments are named above it.
-- Every build defines these first, before the staging views that call source_key, so a
-- database carries them and any query file runs as-is in the DuckDB CLI on it. They are part
-- of the build's fingerprint: a changed definition rebuilds the database on its next open.
-- The table macros that read the marts (funnel_in_scope, leads_created_in, cohort_leads) live
-- in marts/: DuckDB binds a table macro's body when it is created, so they follow the tables.

-- source_key(source): the channel-rule key of a lead-source value. Its letters and digits,
-- lower-cased, with each run of anything else in between turned into one "_": "Paid Search",
-- "PAID_SEARCH" and " paid-search" share a key. Trimming the "_" rather than the value makes
-- any kind of space at the ends (tab, no-break space) irrelevant, as it is to a reader.
create or replace macro source_key(source) as
    trim(lower(regexp_replace(source, '[^A-Za-z0-9]+', '_', 'g')), '_');

-- campaign_key(campaign): a campaign name as spend matches it to leads and touches: trimmed
-- and lower-cased, so "Brand NL" and " brand nl" are one campaign.
create or replace macro campaign_key(campaign) as lower(trim(campaign));

-- is_in_period(moment, start_date, end_date): whether `moment` falls in the period of whole
-- days from start_date to end_date, both included. Null when `moment` is null.
create or replace macro is_in_period(moment, start_date, end_date) as
    moment >= cast(start_date as timestamp)
    and moment < cast(end_date as timestamp) + interval 1 day;

-- is_in_scope(channel, owner, segment, channels, owners, segments): whether a row passes the
-- sidebar's filters, each a list of values to keep or null for all (an empty list keeps
-- nothing). funnel_in_scope and funnel_events_in_scope both filter with it.
create or replace macro is_in_scope(channel, owner, segment, channels, owners, segments) as
    (channels is null or list_contains(channels, channel))
    and (owners is null or list_contains(owners, owner))
    and (segments is null or list_contains(segments, segment));

-- iso_weeks(end_date, weeks): the `weeks` ISO weeks (Monday to Sunday) that end with the week
-- of end_date, oldest first: week_start (its Monday) and week_end (its Sunday), both dates.
create or replace macro iso_weeks(end_date, weeks) as table
    select
        cast(week_start_at as date) as week_start,
        cast(week_start_at as date) + 6 as week_end,
    from unnest(generate_series(
        cast(date_trunc('week', cast(end_date as date)) as timestamp)
            - to_weeks(cast(weeks as integer) - 1),
        cast(date_trunc('week', cast(end_date as date)) as timestamp),
        interval 7 day
    )) as week_starts(week_start_at);

-- lead_channel(source, rule_channel): a lead's channel from its source and the channel rule
-- its source_key matched (null when none did): "(unknown)" with no source, "(unmapped)" when
-- no rule knows it.
create or replace macro lead_channel(source, rule_channel) as
    case when source is null then '(unknown)' else coalesce(rule_channel, '(unmapped)') end;

-- opportunity_key(id): a deal id as a lead's converted opportunity is matched to it. A
-- Salesforce id of 18 characters is its 15-character id and a 3-character case checksum (each
-- of A-Z or 0-5); reports show the 15, data exports the 18, so the key is the 15. Any other id
-- is its own key.
create or replace macro opportunity_key(id) as
    case
        when length(id) = 18 and regexp_full_match(id, '[0-9A-Za-z]{15}[A-Z0-5]{3}')
            then left(id, 15)
        else id
    end;

-- stage_key(stage): a deal stage as the stage rules and the reading below match it: its
-- letters and digits, lower-cased, so the label "Closed Won", "Closed/Won" and HubSpot's
-- internal id "closedwon" are one stage.
create or replace macro stage_key(stage) as replace(source_key(stage), '_', '');

-- is_won_deal(stage, is_won, ruled), is_closed_deal(stage, is_won, is_closed, ruled): whether
-- a deal is won, and won or lost, by its export's Won and Closed values; else by the stage
-- rule its stage_key matched (`ruled`: 'won', 'lost' or 'open', null when none did: the
-- analysts' own word for a stage such as "Contract signed"); else by what its stage says: won
-- is Won (Pipedrive's status) or any stage starting Closed Won (a pipeline's own "Closed Won -
-- Renewal" too), closed any stage starting Closed, or Won or Lost. A won deal is closed,
-- whatever else the export says (a Salesforce report may have Won and no Closed column, and a
-- stage of the org's own naming). False when nothing says so: stg_deals makes both unknown
-- for a deal with no stage, won or closed value at all; the importer's checks (close dates in
-- the future, stages that say won or lost but are read as open) ask the same.
create or replace macro is_won_deal(stage, is_won, ruled) as
    coalesce(
        is_won,
        ruled = 'won',
        stage_key(stage) = 'won' or starts_with(stage_key(stage), 'closedwon'),
        false
    );
create or replace macro is_closed_deal(stage, is_won, is_closed, ruled) as
    is_won_deal(stage, is_won, ruled)
    or coalesce(
        is_closed,
        ruled in ('won', 'lost'),
        starts_with(stage_key(stage), 'closed') or stage_key(stage) in ('won', 'lost'),
        false
    );

-- is_deleted_deal(stage, is_won, is_closed, ruled): whether the CRM deleted the deal
-- (Pipedrive's status "deleted"), no column or stage rule saying what it is: it loads as its
-- export has it, and stg_deals leaves it out, as the CRM's own reports do: neither open
-- pipeline nor a loss. A rule for the stage counts it as the rule says.
create or replace macro is_deleted_deal(stage, is_won, is_closed, ruled) as
    ruled is null and is_won is null and is_closed is null and stage_key(stage) = 'deleted';

-- is_undated_win(is_won, closed_at, created_at, end_date): a won deal the export gives no
-- close date, created by `end_date` (or on a day it does not say): it may have been won in a
-- period that ends on `end_date`, so that period's wins and won revenue are not known to be
-- none. Such a deal is in no period (is_in_period of a null is false).
create or replace macro is_undated_win(is_won, closed_at, created_at, end_date) as
    coalesce(is_won, false)
    and closed_at is null
    and coalesce(cast(created_at as date) <= end_date, true);

-- is_date_only(moment): whether `moment` is a date without a time, read as its midnight: the
-- export says the day, not the hour (Salesforce's Close Date, a spreadsheet's contact date).
-- Null when `moment` is.
create or replace macro is_date_only(moment) as moment = date_trunc('day', moment);

-- deal_closed_at(closed_at, created_at): when a deal closed, for every duration and check.
-- A close date without a time (is_date_only) on the day the deal was created closed it that
-- day, not hours before it: the close is then the creation moment, a sales cycle of 0 days.
-- Any other close stays as the export has it.
create or replace macro deal_closed_at(closed_at, created_at) as
    if(
        coalesce(
            closed_at < created_at
                and is_date_only(closed_at)
                and cast(closed_at as date) = cast(created_at as date),
            false
        ),
        created_at,
        closed_at
    );

-- is_dated_before_creation(moment, created_at): whether a lead's `moment` (its first contact,
-- its MQL or SQL date) is recorded before the lead was created, a data error: a contact so
-- dated judges no follow-up (never a fast reply), and the importer warns on its line. A moment
-- dated by its day alone (is_date_only) on the creation day or later is not: its hour is
-- unknown (Salesforce's Converted Date on the day a lead came in). False when either is null.
create or replace macro is_dated_before_creation(moment, created_at) as
    coalesce(
        moment < created_at
            and not (is_date_only(moment) and cast(moment as date) >= cast(created_at as date)),
        false
    );

-- is_within_hours(earliest_hours, latest_hours, is_waiting_while_closed, hours): whether a lead
-- was first contacted within `hours`, judged on the bounds of its time to first contact
-- (funnel_revenue's earliest_ and latest_hours_to_first_contact): true when even the latest
-- it can have been is within; false when even the earliest is past, or when the lead, never
-- contacted, has waited exactly `hours` while its working-time clock stands still (the time
-- ran out at the end of an earlier span); null, not judged, otherwise. funnel_revenue judges
-- each lead against its agreed time with it, and the Follow-up page's what-if against one.
create or replace macro is_within_hours(
    earliest_hours, latest_hours, is_waiting_while_closed, hours
) as
    case
        when latest_hours <= hours then true
        when earliest_hours > hours then false
        when latest_hours is null and earliest_hours = hours and is_waiting_while_closed
            then false
    end;

-- utc_offset_us(time_zone, wall): how far the wall time `wall` in `time_zone` is ahead of
-- UTC, in microseconds (a wall time the clocks skip or repeat as the time-zone library reads it).
create or replace macro utc_offset_us(time_zone, wall) as
    epoch_us(wall) - epoch_us(timezone(time_zone, wall));

-- wall_second(wall, time_zone, offset_us_at_start, offset_us_at_end): the instant of the wall
-- time `wall` in `time_zone`, in seconds since 1970 UTC, exactly as
-- epoch(timezone(time_zone, wall)) gives it, given the zone's utc_offset_us at the first and
-- the last microsecond of wall's day. When they agree, the clocks did not move that day and
-- the instant is a subtraction; else (or with no offsets) the time-zone library is asked.
-- Null when `wall` is.
create or replace macro wall_second(wall, time_zone, offset_us_at_start, offset_us_at_end) as
    case
        when offset_us_at_start = offset_us_at_end
            then (epoch_us(wall) - offset_us_at_start) / 1000000
        else epoch(timezone(time_zone, wall))
    end;

-- working_seconds_at(working_seconds_before, first_starts_second, first_working_seconds,
-- later_spans, moment_second): working seconds since the calendar began at the instant
-- moment_second (seconds since 1970 UTC), given the columns of the working_time_calendar row
-- of its version and local day: the days before, plus the part of each of the day's spans
-- already passed. Null when moment_second is null.
create or replace macro working_seconds_at(
    working_seconds_before, first_starts_second, first_working_seconds, later_spans,
    moment_second
) as
    case
        when moment_second is not null
            then working_seconds_before
                + coalesce(
                    least(
                        greatest(moment_second - first_starts_second, 0),
                        first_working_seconds
                    ),
                    0
                )
                + coalesce(
                    list_sum(
                        list_transform(
                            later_spans,
                            lambda span: least(
                                greatest(moment_second - span.starts_second, 0),
                                span.working_seconds
                            )
                        )
                    ),
                    0
                )
    end;

-- stage_order(stage): the funnel's order of stages, lead 1 to won 5; null for another name.
create or replace macro stage_order(stage) as
    list_position(['lead', 'mql', 'sql', 'opportunity', 'won'], stage);

-- wilson_interval(count_successes, count_trials): the 95% Wilson score interval of the share
-- count_successes / count_trials, as a struct (low, high); null when count_trials is 0. Unlike
-- the plain normal interval it stays inside 0..1 and behaves at small counts and at 0 or 100%.
-- The optional z (1.96 for 95%) widens or narrows it.
create or replace macro wilson_interval(count_successes, count_trials, z := 1.959963984540054) as
    case when count_trials > 0 then struct_pack(
        low := greatest(
            (count_successes / count_trials + z * z / (2 * count_trials)
                - z * sqrt(count_successes / count_trials * (1 - count_successes / count_trials)
                    / count_trials + z * z / (4 * count_trials * count_trials)))
                / (1 + z * z / count_trials),
            0
        ),
        high := least(
            (count_successes / count_trials + z * z / (2 * count_trials)
                + z * sqrt(count_successes / count_trials * (1 - count_successes / count_trials)
                    / count_trials + z * z / (4 * count_trials * count_trials)))
                / (1 + z * z / count_trials),
            1
        )
    ) end;

-- channels_total_label(channels): the name of the row that sums the channels in scope, given
-- the channel filter: "(all channels)", or "(selected channels)" when a filter narrows them,
-- so a total is never read as the whole business when it is not.
create or replace macro channels_total_label(channels) as
    case when channels is null then '(all channels)' else '(selected channels)' end;

-- lifecycle_stage_order(stage): how far a lifecycle stage, as HubSpot labels it ("Marketing
-- Qualified Lead") or stores it ("marketingqualifiedlead"), is along the funnel, in
-- stage_order's numbers: subscriber and lead 1, MQL 2, SQL 3, opportunity 4, customer and
-- evangelist 5. Null for another value ("Other"), which says nothing about the funnel.
create or replace macro lifecycle_stage_order(stage) as
    case replace(source_key(stage), '_', '')
        when 'subscriber' then 1
        when 'lead' then 1
        when 'marketingqualifiedlead' then 2
        when 'mql' then 2
        when 'salesqualifiedlead' then 3
        when 'sql' then 3
        when 'opportunity' then 4
        when 'customer' then 5
        when 'evangelist' then 5
    end;

-- currency_summary(currency, count_rows, unit): an aggregate over one row per currency (null:
-- none stated nor set, which counts as a currency of its own), as a struct to unnest:
-- count_currencies; currency, the one currency when there is exactly one (else null);
-- has_unknown_currency; currencies_listed, the currencies in words for a sentence ("EUR: 1,203
-- deals, no currency stated: 2 deals"), `unit` being the singular of what count_rows counts.
create or replace macro currency_summary(currency, count_rows, unit) as
    struct_pack(
        count_currencies := count(*),
        currency := case when count(*) = 1 then any_value(currency) end,
        has_unknown_currency := coalesce(bool_or(currency is null), false),
        currencies_listed := string_agg(
            coalesce(currency, 'no currency stated') || ': ' || format('{:,}', count_rows)
                || ' ' || unit || if(count_rows = 1, '', 's'),
            ', '
            order by currency nulls last
        )
    );
