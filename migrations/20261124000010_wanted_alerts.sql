-- Wanted alerts (issue 4): a member saves a search or an ISBN; every new listing that
-- matches is stored as a hit for them, in the listing's own transaction. Delivery (push,
-- mail) lands with the notifications issue; the hits are what it will deliver.
CREATE TABLE wanted (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id   BIGINT UNSIGNED NOT NULL,
    isbn13      CHAR(13) CHARACTER SET ascii NULL,
    query       VARCHAR(100) NULL,
    -- "isbn:<isbn13>" or "q:<sorted terms>": the same alert twice is one alert.
    match_key   VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    term_count  TINYINT UNSIGNED NOT NULL DEFAULT 0,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_wanted_member_key (member_id, match_key),
    KEY ix_wanted_isbn (isbn13),
    CONSTRAINT fk_wanted_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A saved search's terms (the search tokenizer's), looked up by the new listing's terms.
CREATE TABLE wanted_term (
    term       VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    wanted_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (term, wanted_id),
    CONSTRAINT fk_wanted_term FOREIGN KEY (wanted_id) REFERENCES wanted (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE wanted_hit (
    wanted_id   BIGINT UNSIGNED NOT NULL,
    listing_id  BIGINT UNSIGNED NOT NULL,
    member_id   BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    seen_at     DATETIME(6) NULL,
    PRIMARY KEY (wanted_id, listing_id),
    KEY ix_hit_member (member_id, created_at),
    CONSTRAINT fk_hit_wanted FOREIGN KEY (wanted_id) REFERENCES wanted (id) ON DELETE CASCADE,
    CONSTRAINT fk_hit_listing FOREIGN KEY (listing_id) REFERENCES listing (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
