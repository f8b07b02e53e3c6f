-- The rollout: its plan and state in one row (the flag is its projection), the history of its phases, and the
-- outbox of notifications written in the same transaction as each transition (delivered later, with retries).
-- The row itself is seeded from Java at start, since the default plan is Java data (RolloutPlan.defaultPlan()).

CREATE TABLE rollout (
    id               smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    plan             jsonb       NOT NULL,
    plan_version     bigint      NOT NULL DEFAULT 1 CHECK (plan_version >= 1),
    status           text        NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED', 'ROLLED_BACK', 'COMPLETED')),
    phase            integer     NOT NULL CHECK (phase >= 0),
    rolled_back_from integer CHECK (rolled_back_from >= 0),
    entered_at       timestamptz NOT NULL,
    version          bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_at       timestamptz NOT NULL
);

CREATE TABLE rollout_phases (
    id         bigserial PRIMARY KEY,
    phase      integer     NOT NULL CHECK (phase >= 0),
    phase_name text        NOT NULL,
    entered_at timestamptz NOT NULL,
    left_at    timestamptz,
    entered_by text        NOT NULL,
    forced     boolean     NOT NULL DEFAULT false,
    reason     text
);

CREATE INDEX rollout_phases_open ON rollout_phases (id) WHERE left_at IS NULL;

CREATE TABLE notification_outbox (
    id              bigserial PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    idempotency_key text        NOT NULL UNIQUE,
    kind            text        NOT NULL,
    payload         jsonb       NOT NULL,
    delivered_at    timestamptz,
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notification_outbox_pending ON notification_outbox (next_attempt_at) WHERE delivered_at IS NULL;
