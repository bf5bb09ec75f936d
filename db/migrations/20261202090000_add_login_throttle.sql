-- migrate:up

-- Sign-in throttling shared by every instance (the counters of one instance alone would let
-- three instances check three times as many guesses). One row per thing counted:
--   'a:' || ip || ' ' || account  failed passwords for one account from one address: after 5
--                                 each attempt waits longer, after 10 a 15-minute lock, so a
--                                 stranger elsewhere cannot lock the account's owner out;
--   'i:' || ip                    failures from one address in the current minute (30 at most;
--                                 successes never count: a hospital NAT signs a shift in at once).
-- No patient data and no clinic: usernames as typed and addresses, kept a day at most.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 3 AND 400),
    failures      integer NOT NULL CHECK (failures >= 1),
    window_start  timestamptz NOT NULL,
    last_failure  timestamptz NOT NULL,
    blocked_until timestamptz
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure);

-- migrate:down

DROP TABLE login_throttle;
