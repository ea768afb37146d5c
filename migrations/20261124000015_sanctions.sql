-- Restrictions on members (CHAT_004: "repeated reports restrict the offender
-- automatically; guard against false reports").
--
-- * A row is one restriction with an end: it is over when `ends_at` passes or an admin
--   lifts it (`lifted_at`); the row stays as the member's record either way.
-- * `source` says who imposed it: the report rule (no `created_by`) or an admin.
-- * `rule_seq` numbers a member's automatic restrictions (1, 2, …; NULL for an admin's).
--   Two reports tipping the rule at once, even on two Galera nodes, both pick the same
--   next number, and the unique key lets one of them through: FOR UPDATE locks are
--   node-local (DESIGN.md), a unique key is certified cluster-wide.
-- * The active ones are read by end time (the chat hub caches that short list), one
--   member's history by member.
CREATE TABLE sanction (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id   BIGINT UNSIGNED NOT NULL,
    kind        ENUM('chat') NOT NULL,
    source      ENUM('reports', 'admin') NOT NULL,
    reporters   INT UNSIGNED NOT NULL DEFAULT 0,
    rule_seq    INT UNSIGNED NULL,
    starts_at   DATETIME(6) NOT NULL,
    ends_at     DATETIME(6) NOT NULL,
    created_by  BIGINT UNSIGNED NULL,
    lifted_at   DATETIME(6) NULL,
    lifted_by   BIGINT UNSIGNED NULL,
    PRIMARY KEY (id),
    KEY ix_sanction_member (member_id, ends_at),
    UNIQUE KEY uq_sanction_rule (member_id, rule_seq),
    KEY ix_sanction_ends (ends_at),
    CONSTRAINT fk_sanction_member FOREIGN KEY (member_id) REFERENCES member (id),
    CONSTRAINT fk_sanction_creator FOREIGN KEY (created_by) REFERENCES member (id),
    CONSTRAINT fk_sanction_lifter FOREIGN KEY (lifted_by) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- "Reports against this member by distinct reporters" and "this reporter's dismissed
-- reports" are index ranges.
ALTER TABLE chat_report
    ADD KEY ix_chat_report_reporter (reporter_id, outcome);

-- The restricted member is told why, and until when.
ALTER TABLE notification
    MODIFY kind ENUM('chat', 'sanction') NOT NULL;
