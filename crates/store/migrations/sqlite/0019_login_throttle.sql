-- Sign-in throttling (see qaward_core::signin). Keep in step with the other backend's file.
-- One counter per scope: pair (a name from one client address), address (one client
-- address, name ''), name (one name from every address, address ''). Names are counted as
-- typed, whether or not an account has them.
CREATE TABLE login_throttle (
    scope TEXT NOT NULL CHECK (scope IN ('pair', 'address', 'name')),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (scope, name, address)
);
CREATE INDEX login_throttle_locked ON login_throttle (locked_until);
