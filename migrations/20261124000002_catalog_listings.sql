-- Books, the category tree and listings: enough for the home page and demo data. The
-- listings issue extends these (photos, wishes, reports) with its own migrations.

-- Category tree. `path` is the materialised chain of ids ("/1/4/17/"), so "everything
-- under X" is one index range: path LIKE '/1/4/%'.
CREATE TABLE category (
    id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
    parent_id   INT UNSIGNED NULL,
    name        VARCHAR(60) NOT NULL,
    path        VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    depth       TINYINT UNSIGNED NOT NULL,
    sort_order  SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY uq_category_parent_name (parent_id, name),
    KEY ix_category_path (path),
    CONSTRAINT fk_category_parent FOREIGN KEY (parent_id) REFERENCES category (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE book (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    isbn13        CHAR(13) CHARACTER SET ascii NOT NULL,
    title         VARCHAR(255) NOT NULL,
    author        VARCHAR(255) NOT NULL,
    publisher     VARCHAR(120) NOT NULL,
    published_on  DATE NULL,
    cover_url     VARCHAR(500) NULL,
    created_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_book_isbn13 (isbn13)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE listing (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    seller_id     BIGINT UNSIGNED NOT NULL,
    book_id       BIGINT UNSIGNED NOT NULL,
    category_id   INT UNSIGNED NULL,
    price         INT UNSIGNED NOT NULL,                 -- whole won
    `condition`   ENUM('good', 'fair', 'poor') NOT NULL, -- 상 / 중 / 하
    delivery      SET('parcel', 'pickup', 'meet') NOT NULL,
    meet_label    VARCHAR(100) NULL,
    meet_lat      DECIMAL(9, 6) NULL,
    meet_lng      DECIMAL(9, 6) NULL,
    payment_ways  SET('safe_pay', 'bank_transfer', 'cash') NOT NULL,
    description   VARCHAR(1000) NOT NULL DEFAULT '',
    status        ENUM('on_sale', 'reserved', 'sold', 'deleted') NOT NULL DEFAULT 'on_sale',
    version       INT UNSIGNED NOT NULL DEFAULT 0,       -- optimistic concurrency
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    -- Home/newest feed: keyset on (status, created_at, id).
    KEY ix_listing_status_created (status, created_at, id),
    KEY ix_listing_seller (seller_id, created_at, id),
    KEY ix_listing_book (book_id, status, price),
    KEY ix_listing_category (category_id, status, created_at),
    CONSTRAINT fk_listing_seller FOREIGN KEY (seller_id) REFERENCES member (id),
    CONSTRAINT fk_listing_book FOREIGN KEY (book_id) REFERENCES book (id),
    CONSTRAINT fk_listing_category FOREIGN KEY (category_id) REFERENCES category (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
