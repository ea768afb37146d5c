-- An address belongs to whoever proves it. An account that has not entered its sign-up
-- code does not hold its email against anyone: the mailbox's owner can still sign up
-- with it (someone may have typed it by mistake or on purpose), and the first to verify
-- keeps it. Never-verified accounts are removed after a week (accounts::server::stale).
ALTER TABLE member
    DROP INDEX uq_member_email,
    MODIFY live_email VARCHAR(254)
        AS (IF(withdrawn_at IS NULL AND email_verified_at IS NOT NULL, email, NULL)) STORED,
    ADD UNIQUE KEY uq_member_email (live_email),
    -- 아이디 찾기 looks an address up among verified and unverified accounts alike.
    ADD KEY ix_member_email (email),
    ADD KEY ix_member_unverified (email_verified_at, created_at);
