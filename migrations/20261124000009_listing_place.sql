-- The distance sort boxes meet places around the searcher before measuring them:
-- this index serves that box (latitude range) among listings on sale.
ALTER TABLE listing ADD KEY ix_listing_place (status, meet_lat, meet_lng);
