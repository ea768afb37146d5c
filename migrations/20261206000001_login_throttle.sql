-- Wrong-password lock-out per (login ID as typed, client address). The count used to sit
-- on the member row, so anyone anywhere could lock a member out again every 5 minutes;
-- now an attacker's failures lock only their own address out of that ID. Rows exist for
-- IDs that do not exist as well, so no answer tells whether an ID exists.
CREATE TABLE login_throttle (
    login_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    ip           VARCHAR(45) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    failures     SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    locked_until DATETIME(6) NULL,
    updated_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (login_id, ip),
    KEY ix_login_throttle_updated (updated_at)
) ENGINE=InnoDB;

ALTER TABLE member DROP COLUMN failed_logins, DROP COLUMN locked_until;
