-- A chat report keeps what was reported. Rooms (and their messages) are deleted once
-- both members leave, and the report used to go with them through ON DELETE CASCADE:
-- an abuser and a victim who both left took the evidence along. The report now holds
-- the message as it was when reported, and no foreign key ties it to the message.
ALTER TABLE chat_report
    ADD COLUMN body VARCHAR(500) NULL AFTER sender_id,
    ADD COLUMN sent_at DATETIME(6) NULL AFTER body;

UPDATE chat_report r JOIN chat_message m ON m.room_id = r.room_id AND m.id = r.message_id
SET r.body = m.body, r.sent_at = m.created_at;

ALTER TABLE chat_report
    DROP FOREIGN KEY fk_chat_report_message,
    MODIFY body VARCHAR(500) NOT NULL,
    MODIFY sent_at DATETIME(6) NOT NULL;
