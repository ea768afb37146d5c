-- Admins work through chat reports (CHAT_004: "admins handle reports in a dashboard").
--
-- * The open queue is read newest message first and paged by message id, so its index
--   leads with the open mark and then the message; the old (handled_at, created_at)
--   index served no query.
-- * Who handled a report, and how, stays on the row.
-- * The reported member is stored on the report, so "reports against this member
--   lately" is one index range (the admin sees it now; automatic restriction after
--   repeated reports will read the same range).
ALTER TABLE chat_report
    ADD COLUMN sender_id BIGINT UNSIGNED NULL AFTER reporter_id,
    ADD COLUMN handled_by BIGINT UNSIGNED NULL AFTER handled_at,
    ADD COLUMN outcome ENUM('deleted', 'dismissed') NULL AFTER handled_by;

UPDATE chat_report r JOIN chat_message m ON m.room_id = r.room_id AND m.id = r.message_id
SET r.sender_id = m.sender_id;

ALTER TABLE chat_report
    MODIFY sender_id BIGINT UNSIGNED NOT NULL,
    DROP KEY ix_chat_report_open,
    ADD KEY ix_chat_report_open (handled_at, message_id),
    ADD KEY ix_chat_report_sender (sender_id, created_at),
    ADD CONSTRAINT fk_chat_report_sender FOREIGN KEY (sender_id) REFERENCES member (id),
    ADD CONSTRAINT fk_chat_report_handler FOREIGN KEY (handled_by) REFERENCES member (id);
