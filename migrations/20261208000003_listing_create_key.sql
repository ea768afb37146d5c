-- A listing's creation key (a UUID from the sale form, or made by the server): a create
-- repeated after its answer was lost - a double tap, or the server retrying a COMMIT
-- whose connection dropped - finds the first listing instead of making a second.
ALTER TABLE listing
    ADD COLUMN create_key CHAR(36) CHARACTER SET ascii NULL,
    ADD UNIQUE KEY uq_listing_create_key (seller_id, create_key);
