-- Admins sanction members (issue 23): a warning (told and kept on record), a suspension
-- for some days (no selling, buying or chatting until it ends) or a ban (no signing in;
-- `ends_at` far in the future, so every "running now" query needs no special case). The
-- reason is kept with the sanction and shown to the member.
ALTER TABLE sanction
    MODIFY kind ENUM('chat', 'warn', 'suspend', 'ban') NOT NULL,
    ADD COLUMN reason VARCHAR(300) NOT NULL DEFAULT '' AFTER kind;
