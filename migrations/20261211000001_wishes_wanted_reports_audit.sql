-- 알림 센터, second slice (issue 23): a wished listing's price or status, a wanted book
-- coming up for sale and what became of a report are told too; admins close listing
-- reports; and every admin action is written to a log nobody can change.
ALTER TABLE notification
    MODIFY kind ENUM('chat', 'sanction', 'order', 'review', 'wish', 'wanted', 'report') NOT NULL;
ALTER TABLE notification_setting
    MODIFY kind ENUM('chat', 'sanction', 'order', 'review', 'wish', 'wanted', 'report') NOT NULL;

-- Who closed a listing report, and how. A reporter's reports of the last day are one
-- index range (the daily cap).
ALTER TABLE listing_report
    ADD COLUMN handled_by BIGINT UNSIGNED NULL AFTER handled_at,
    ADD COLUMN outcome ENUM('removed', 'dismissed') NULL AFTER handled_by,
    ADD KEY ix_report_reporter (reporter_id, created_at),
    ADD CONSTRAINT fk_report_handler FOREIGN KEY (handled_by) REFERENCES member (id);

-- What admins did, newest first by id. Append-only: the triggers refuse any change or
-- removal, whoever asks (the app's own user included), and on every Galera node, since
-- triggers run where the statement runs.
CREATE TABLE admin_audit (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    admin_id     BIGINT UNSIGNED NOT NULL,
    action       VARCHAR(32) CHARACTER SET ascii NOT NULL,
    target_kind  VARCHAR(16) CHARACTER SET ascii NOT NULL,
    target_id    BIGINT UNSIGNED NOT NULL,
    detail       VARCHAR(300) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_audit_target (target_kind, target_id),
    CONSTRAINT fk_audit_admin FOREIGN KEY (admin_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TRIGGER admin_audit_append_only_update BEFORE UPDATE ON admin_audit FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'admin_audit is append-only';
CREATE TRIGGER admin_audit_append_only_delete BEFORE DELETE ON admin_audit FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'admin_audit is append-only';
