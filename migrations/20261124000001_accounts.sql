-- Accounts: members, consent records, server-side sessions, login attempts, email tokens.
-- Every table: InnoDB with a primary key (Galera replicates only that), utf8mb4, and
-- DATETIME(6) holding UTC written by the application clock (never NOW(), so tests can
-- inject time and nodes never disagree about "now").

CREATE TABLE member (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- Case-sensitive by spec ("Abc123" and "abc123" are different IDs): binary collation.
    login_id        VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email           VARCHAR(254) NOT NULL,
    password_hash   VARCHAR(255) NOT NULL,
    name            VARCHAR(40) NOT NULL,
    nickname        VARCHAR(20) NOT NULL,
    birth_date      DATE NOT NULL,
    gender          ENUM('male', 'female') NULL,
    phone           VARCHAR(16) NULL,
    is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    email_verified_at DATETIME(6) NULL,
    failed_logins   SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    locked_until    DATETIME(6) NULL,
    -- Trust score (0-100) from reviews and completed trades; grades are derived from it.
    trust_score     SMALLINT UNSIGNED NOT NULL DEFAULT 50,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    -- Withdrawal anonymises PII but keeps the row: a login ID is never reusable.
    withdrawn_at    DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_member_login_id (login_id),
    UNIQUE KEY uq_member_email (email),
    UNIQUE KEY uq_member_nickname (nickname)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a member agreed to, which version, and when (USER_SIGNUP_005). Append-only.
CREATE TABLE member_consent (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id   BIGINT UNSIGNED NOT NULL,
    kind        ENUM('terms', 'privacy', 'marketing', 'withdrawal') NOT NULL,
    version     VARCHAR(20) NOT NULL,
    agreed      BOOLEAN NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_consent_member (member_id, kind),
    CONSTRAINT fk_consent_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is stored, so
-- a leaked table cannot be replayed as cookies.
CREATE TABLE session (
    token_hash    BINARY(32) NOT NULL,
    member_id     BIGINT UNSIGNED NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    expires_at    DATETIME(6) NOT NULL,
    user_agent    VARCHAR(255) NULL,
    PRIMARY KEY (token_hash),
    KEY ix_session_member (member_id),
    KEY ix_session_expires (expires_at),
    CONSTRAINT fk_session_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every login attempt, for lockout forensics and abuse detection.
CREATE TABLE login_attempt (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    login_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id   BIGINT UNSIGNED NULL,
    outcome     ENUM('success', 'bad_password', 'unknown_id', 'locked') NOT NULL,
    ip          VARCHAR(45) NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_attempt_login_time (login_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time codes mailed for email verification, password reset, find-my-ID.
CREATE TABLE email_token (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id    BIGINT UNSIGNED NOT NULL,
    purpose      ENUM('verify_email', 'reset_password', 'find_id') NOT NULL,
    email        VARCHAR(254) NOT NULL,
    code_hash    BINARY(32) NOT NULL,
    attempts     SMALLINT UNSIGNED NOT NULL DEFAULT 0,
    created_at   DATETIME(6) NOT NULL,
    expires_at   DATETIME(6) NOT NULL,
    used_at      DATETIME(6) NULL,
    PRIMARY KEY (id),
    KEY ix_email_token_member (member_id, purpose),
    CONSTRAINT fk_email_token_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
