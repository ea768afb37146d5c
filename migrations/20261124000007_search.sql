-- Search (issue 4): an inverted index of terms made by the app (features/search/
-- tokens.rs: Hangul bigrams, Latin words and prefixes), one row per (term, listing).
-- InnoDB, so Galera replicates it and it commits in the same transaction as the listing
-- (Mroonga tables are not replicated; InnoDB FULLTEXT finds 27% of particle-glued words).
-- Rows are never deleted: a listing's book facts do not change, and status, price and
-- category are checked on the listing row itself.
CREATE TABLE listing_term (
    term        VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    listing_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (term, listing_id)
) ENGINE=InnoDB;

-- The same postings ordered by price, for the price sorts and price ranges: the first
-- page of a common term comes off this index in order instead of sorting every match.
-- Kept in step with listing.price by the edit path.
CREATE TABLE listing_term_price (
    term        VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    price       INT UNSIGNED NOT NULL,
    listing_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (term, price, listing_id)
) ENGINE=InnoDB;

-- Which tokenizer version indexed the listing; start-up indexes anything older.
ALTER TABLE listing ADD COLUMN terms_version TINYINT UNSIGNED NOT NULL DEFAULT 0,
    ADD KEY ix_listing_terms_version (terms_version, id);
