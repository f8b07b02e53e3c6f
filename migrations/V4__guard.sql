-- The guard: what its sequential detectors carry from one run to the next (one row, written by whichever instance
-- holds the guard's advisory lock), and every evaluation's verdicts, kept 7 days (GET /api/v1/rollout/evaluations).
-- rollout.judged_since starts a new judging epoch: the detectors start afresh when a phase is entered, the rollout
-- resumes or the plan changes, and count only the signals from then on.

ALTER TABLE rollout ADD COLUMN judged_since timestamptz;
UPDATE rollout SET judged_since = entered_at;
ALTER TABLE rollout ALTER COLUMN judged_since SET NOT NULL;

CREATE TABLE guard_state (
    id           smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    judged_since timestamptz NOT NULL,
    plan_version bigint      NOT NULL,
    phase        integer     NOT NULL,
    last_run_at  timestamptz NOT NULL,
    detectors    jsonb       NOT NULL,
    fed          jsonb       NOT NULL,
    verdicts     jsonb       NOT NULL,
    instance_id  text        NOT NULL
);

CREATE TABLE rollout_evaluations (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL,
    instance_id     text        NOT NULL,
    rollout_version bigint      NOT NULL,
    phase           integer     NOT NULL,
    phase_name      text        NOT NULL,
    status          text        NOT NULL,
    outcome         text        NOT NULL,
    rules           jsonb       NOT NULL,
    criteria        jsonb
);

CREATE INDEX rollout_evaluations_at ON rollout_evaluations (at);
