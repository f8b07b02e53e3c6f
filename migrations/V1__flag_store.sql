-- The rollout flag, its allow/deny overrides, and the append-only audit trail of every change.

CREATE TABLE flags (
    key        text PRIMARY KEY,
    variants   text[]        NOT NULL,
    percentage numeric(5, 2) NOT NULL DEFAULT 0.00 CHECK (percentage BETWEEN 0.00 AND 100.00),
    status     text          NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED', 'ROLLED_BACK')),
    version    bigint        NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at timestamptz   NOT NULL DEFAULT now(),
    updated_at timestamptz   NOT NULL DEFAULT now()
);

INSERT INTO flags (key, variants, percentage, status, version)
VALUES ('transcription-provider', ARRAY ['webspeech', 'whisper'], 0.00, 'ACTIVE', 1);

-- The allowlist gives whisper, the denylist webspeech; an id is on at most one list, so there is never a doubt.
CREATE TABLE flag_overrides (
    id         bigserial PRIMARY KEY,
    flag_key   text        NOT NULL REFERENCES flags (key),
    list       text        NOT NULL CHECK (list IN ('ALLOW', 'DENY')),
    subject    text        NOT NULL CHECK (subject IN ('USER', 'SESSION')),
    subject_id text        NOT NULL CHECK (char_length(subject_id) BETWEEN 1 AND 256),
    note       text        NOT NULL DEFAULT '',
    added_by   text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT flag_overrides_one_entry_per_subject UNIQUE (flag_key, subject, subject_id)
);

CREATE TABLE audit_log (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text        NOT NULL,
    action text        NOT NULL,
    target text        NOT NULL,
    before jsonb,
    after  jsonb,
    reason text
);

CREATE INDEX audit_log_target ON audit_log (target, id DESC);

-- The audit trail is evidence: nobody, not even the application's own user, may rewrite or erase it.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
