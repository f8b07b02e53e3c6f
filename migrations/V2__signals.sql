-- What users experience with each provider, in 10-second windows per instance (each instance writes only its own
-- rows, so instances never conflict), merged hourly rollups for long spans, and the instances' heartbeats.

CREATE TABLE signal_windows (
    instance_id   text        NOT NULL,
    window_start  timestamptz NOT NULL,
    provider      text        NOT NULL CHECK (provider IN ('webspeech', 'whisper')),
    source        text        NOT NULL CHECK (source IN ('server', 'client')),
    browser       text        NOT NULL,
    language      text        NOT NULL,
    attempts      bigint      NOT NULL DEFAULT 0,
    ok            bigint      NOT NULL DEFAULT 0,
    failures      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    empty         bigint      NOT NULL DEFAULT 0,
    no_speech     bigint      NOT NULL DEFAULT 0,
    aborted       bigint      NOT NULL DEFAULT 0,
    fallbacks     bigint      NOT NULL DEFAULT 0,
    client_errors bigint      NOT NULL DEFAULT 0,
    exposures     bigint      NOT NULL DEFAULT 0,
    split_exposures bigint    NOT NULL DEFAULT 0,
    cache_hits    bigint      NOT NULL DEFAULT 0,
    cache_lookups bigint      NOT NULL DEFAULT 0,
    audio_ms      bigint      NOT NULL DEFAULT 0,
    engine_ms     bigint      NOT NULL DEFAULT 0,
    latency_hist  bytea,
    rtf_hist      bytea,
    PRIMARY KEY (instance_id, window_start, provider, source, browser, language)
);

CREATE INDEX signal_windows_by_time ON signal_windows (window_start);

CREATE TABLE signal_rollups (
    hour_start    timestamptz NOT NULL,
    provider      text        NOT NULL,
    source        text        NOT NULL,
    browser       text        NOT NULL,
    language      text        NOT NULL,
    attempts      bigint      NOT NULL DEFAULT 0,
    ok            bigint      NOT NULL DEFAULT 0,
    failures      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    empty         bigint      NOT NULL DEFAULT 0,
    no_speech     bigint      NOT NULL DEFAULT 0,
    aborted       bigint      NOT NULL DEFAULT 0,
    fallbacks     bigint      NOT NULL DEFAULT 0,
    client_errors bigint      NOT NULL DEFAULT 0,
    exposures     bigint      NOT NULL DEFAULT 0,
    split_exposures bigint    NOT NULL DEFAULT 0,
    cache_hits    bigint      NOT NULL DEFAULT 0,
    cache_lookups bigint      NOT NULL DEFAULT 0,
    audio_ms      bigint      NOT NULL DEFAULT 0,
    engine_ms     bigint      NOT NULL DEFAULT 0,
    latency_hist  bytea,
    rtf_hist      bytea,
    PRIMARY KEY (hour_start, provider, source, browser, language)
);

CREATE TABLE instances (
    id            text PRIMARY KEY,
    version       text        NOT NULL,
    started_at    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    model_loaded  boolean     NOT NULL,
    busy_workers  integer     NOT NULL,
    queue_depth   integer     NOT NULL
);
