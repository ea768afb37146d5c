-- Book facts a seller types for an ISBN no catalog source knows are that seller's, not
-- the catalog's. The first seller of an unknown ISBN used to write the shared row, and
-- every later listing and ISBN lookup showed their title, author and publisher.
-- Shared rows (typed_by NULL) come only from a catalog source (the local list, Kakao,
-- Naver) or an admin; a seller's typed row is theirs (one per seller and ISBN) and is
-- never offered by the ISBN lookup.
ALTER TABLE book
    ADD COLUMN typed_by BIGINT UNSIGNED NULL AFTER cover_url,
    ADD COLUMN typed_scope BIGINT UNSIGNED AS (COALESCE(typed_by, 0)) STORED,
    DROP KEY uq_book_isbn13,
    ADD UNIQUE KEY uq_book_isbn13 (isbn13, typed_scope),
    ADD CONSTRAINT fk_book_typed_by FOREIGN KEY (typed_by) REFERENCES member (id);
