-- Typo correction (issue 21): the whole Korean words (3+ syllables) of indexed books,
-- and each spelled backwards, so the words sharing a mistyped word's first or last
-- syllable come off an index range. Written with a listing's postings; never deleted.
CREATE TABLE search_word (
    word        VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    backwards   VARCHAR(12) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (word),
    KEY ix_search_word_backwards (backwards)
) ENGINE=InnoDB;
