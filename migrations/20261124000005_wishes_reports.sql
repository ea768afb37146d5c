-- Wish list (찜): one row per (member, listing) — the seed ERD allowed one wish per
-- member in total. The listing keeps a count, changed in the same transaction.
CREATE TABLE wish (
    member_id   BIGINT UNSIGNED NOT NULL,
    listing_id  BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (member_id, listing_id),
    KEY ix_wish_listing (listing_id),
    KEY ix_wish_member_time (member_id, created_at),
    CONSTRAINT fk_wish_member FOREIGN KEY (member_id) REFERENCES member (id),
    CONSTRAINT fk_wish_listing FOREIGN KEY (listing_id) REFERENCES listing (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE listing ADD COLUMN wish_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER version;

-- Reports of a listing (PRODUCT_10): who, which, why, when; one per member per listing.
CREATE TABLE listing_report (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    listing_id   BIGINT UNSIGNED NOT NULL,
    reporter_id  BIGINT UNSIGNED NOT NULL,
    reason       ENUM('pirated', 'prohibited', 'misleading', 'spam', 'other') NOT NULL,
    detail       VARCHAR(500) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    handled_at   DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_report_once (listing_id, reporter_id),
    KEY ix_report_open (handled_at, created_at),
    CONSTRAINT fk_report_listing FOREIGN KEY (listing_id) REFERENCES listing (id),
    CONSTRAINT fk_report_member FOREIGN KEY (reporter_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
