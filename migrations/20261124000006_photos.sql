-- Listing photos (PRODUCT_03). A photo is stored once, under the SHA-256 of its
-- re-encoded bytes; who uploaded it is kept apart so two members uploading the same
-- picture each own it, and only an uploader can attach it to a listing.
CREATE TABLE photo (
    hash        CHAR(64) CHARACTER SET ascii NOT NULL,
    width       SMALLINT UNSIGNED NOT NULL,
    height      SMALLINT UNSIGNED NOT NULL,
    bytes       INT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE photo_owner (
    member_id   BIGINT UNSIGNED NOT NULL,
    hash        CHAR(64) CHARACTER SET ascii NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (member_id, hash),
    CONSTRAINT fk_photo_owner_member FOREIGN KEY (member_id) REFERENCES member (id),
    CONSTRAINT fk_photo_owner_photo FOREIGN KEY (hash) REFERENCES photo (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A listing's photos in the seller's order (position 0 is the cover).
CREATE TABLE listing_photo (
    listing_id  BIGINT UNSIGNED NOT NULL,
    position    TINYINT UNSIGNED NOT NULL,
    hash        CHAR(64) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (listing_id, position),
    CONSTRAINT fk_listing_photo_listing FOREIGN KEY (listing_id) REFERENCES listing (id),
    CONSTRAINT fk_listing_photo_photo FOREIGN KEY (hash) REFERENCES photo (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The cover is copied onto the listing so feeds show it without another join.
ALTER TABLE listing ADD COLUMN cover_photo CHAR(64) CHARACTER SET ascii NULL AFTER description;
