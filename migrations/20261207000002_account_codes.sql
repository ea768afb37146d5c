-- One-time codes mailed to a member's address (find my ID, password reset; email
-- verification later uses the same table). One live code per member and purpose: a new
-- code replaces the old. Only a salted SHA-256 of the code is kept; what protects a
-- six-digit code is its 10-minute life and its five attempts, both enforced here.
CREATE TABLE account_code (
    member_id     BIGINT UNSIGNED NOT NULL,
    purpose       ENUM('find_id', 'reset_password') NOT NULL,
    code_hash     BINARY(32) NOT NULL,
    salt          BINARY(16) NOT NULL,
    attempts      TINYINT UNSIGNED NOT NULL DEFAULT 0,
    sent_at       DATETIME(6) NOT NULL,
    expires_at    DATETIME(6) NOT NULL,
    -- Codes sent in the hour that began at window_start (at most five).
    window_start  DATETIME(6) NOT NULL,
    window_sends  TINYINT UNSIGNED NOT NULL,
    PRIMARY KEY (member_id, purpose),
    CONSTRAINT fk_account_code_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
