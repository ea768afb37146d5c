-- Storing a message becomes one statement: a trigger moves the room's last message,
-- unread counts, read pointer and "left" marks with every message row, in the same
-- statement and so the same transaction (issue 5: one round trip per batch instead of
-- five; BENCHMARKS.md, chat).
--
-- A statement may not read a table its trigger writes (MariaDB error 1442), and the
-- message insert must know who muted the room, so mutes move out of chat_room into
-- their own table.
CREATE TABLE chat_mute (
    room_id     BIGINT UNSIGNED NOT NULL,
    member_id   BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (room_id, member_id),
    CONSTRAINT fk_chat_mute_room FOREIGN KEY (room_id) REFERENCES chat_room (id) ON DELETE CASCADE,
    CONSTRAINT fk_chat_mute_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO chat_mute (room_id, member_id, created_at)
SELECT id, buyer_id, NOW(6) FROM chat_room WHERE buyer_muted
UNION ALL
SELECT id, seller_id, NOW(6) FROM chat_room WHERE seller_muted;

ALTER TABLE chat_room DROP COLUMN buyer_muted, DROP COLUMN seller_muted;

-- The last message only moves forward (another writer may commit a later message
-- first); its id is assigned last, so the guards before it read the old one whether
-- assignments run left to right or (SIMULTANEOUS_ASSIGNMENT) all at once. A message
-- brings the room back to a recipient who had left it.
CREATE TRIGGER chat_message_moves_room AFTER INSERT ON chat_message FOR EACH ROW
UPDATE chat_room SET
    buyer_unread     = buyer_unread + (NEW.sender_id = seller_id),
    seller_unread    = seller_unread + (NEW.sender_id = buyer_id),
    buyer_last_read  = IF(NEW.sender_id = buyer_id, GREATEST(buyer_last_read, NEW.id), buyer_last_read),
    seller_last_read = IF(NEW.sender_id = seller_id, GREATEST(seller_last_read, NEW.id), seller_last_read),
    buyer_left_at    = IF(NEW.sender_id = seller_id, NULL, buyer_left_at),
    seller_left_at   = IF(NEW.sender_id = buyer_id, NULL, seller_left_at),
    last_message_at  = IF(last_message_id IS NULL OR last_message_id < NEW.id, NEW.created_at, last_message_at),
    last_sender_id   = IF(last_message_id IS NULL OR last_message_id < NEW.id, NEW.sender_id, last_sender_id),
    last_message_preview = IF(last_message_id IS NULL OR last_message_id < NEW.id, LEFT(NEW.body, 100), last_message_preview),
    last_message_id  = IF(last_message_id IS NULL OR last_message_id < NEW.id, NEW.id, last_message_id)
WHERE id = NEW.room_id;
