-- 회원 탈퇴 (USER-DELETE-01). The row stays, anonymised: its login ID can never be signed
-- up again, and trades, reviews and chats that name it keep their other side. Nickname
-- and email are unique among live members only (every withdrawn member is
-- '탈퇴한 사용자' with no address), so the unique keys move to columns that are NULL once
-- a member has withdrawn. What is kept about the address is its SHA-256, for disputes,
-- until the purge two years on clears it too (purged_at).
--
-- An address also belongs only to whoever proves it: an account that has not entered
-- its sign-up code does not hold its email against anyone, so the mailbox's owner can
-- still sign up with it (someone may have typed it by mistake or on purpose), and the
-- first to verify keeps it. Never-verified accounts are removed after a week
-- (accounts::server::stale).
ALTER TABLE member
    DROP INDEX uq_member_nickname,
    DROP INDEX uq_member_email,
    ADD COLUMN email_hash BINARY(32) NULL AFTER email,
    ADD COLUMN live_nickname VARCHAR(20) AS (IF(withdrawn_at IS NULL, nickname, NULL)) STORED,
    ADD COLUMN live_email VARCHAR(254)
        AS (IF(withdrawn_at IS NULL AND email_verified_at IS NOT NULL, email, NULL)) STORED,
    ADD COLUMN purged_at DATETIME(6) NULL,
    ADD UNIQUE KEY uq_member_nickname (live_nickname),
    ADD UNIQUE KEY uq_member_email (live_email),
    -- 아이디 찾기 looks an address up among verified and unverified accounts alike.
    ADD KEY ix_member_email (email),
    -- The purge walks withdrawals by date; the clean-up, never-verified sign-ups.
    ADD KEY ix_member_withdrawn (withdrawn_at),
    ADD KEY ix_member_unverified (email_verified_at, created_at);
-- The withdrawal terms are agreed to like the others, with their version.
ALTER TABLE member_consent
    MODIFY kind ENUM('terms', 'privacy', 'marketing', 'withdrawal') NOT NULL;
