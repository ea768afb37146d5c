-- 알림 센터 (issue 23): trades and reviews join chat and sanctions in one list, and each
-- kind can be turned off.
ALTER TABLE notification
    MODIFY kind ENUM('chat', 'sanction', 'order', 'review') NOT NULL,
    -- Which event of the subject ('paid', 'shipped', …): one notice per (member, kind,
    -- subject, event), so a step run again raises nothing new. '' for kinds with one
    -- notice per subject (a chat room's is refreshed in place).
    ADD COLUMN event VARCHAR(24) CHARACTER SET ascii NOT NULL DEFAULT '' AFTER kind,
    DROP INDEX uq_notification_subject,
    ADD UNIQUE KEY uq_notification_subject (member_id, kind, subject_id, event),
    -- The bell's unread count.
    ADD KEY ix_notification_unread (member_id, read_at);

-- A kind the member turned off (no row: on). Checked where a notice is raised.
CREATE TABLE notification_setting (
    member_id  BIGINT UNSIGNED NOT NULL,
    kind       ENUM('chat', 'sanction', 'order', 'review') NOT NULL,
    enabled    BOOLEAN NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (member_id, kind),
    CONSTRAINT fk_notification_setting_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
