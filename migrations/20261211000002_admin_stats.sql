-- The admin dashboard's daily counts read the last 30 days of sign-ups and orders by
-- time; without these they scan both tables whole. (Listings are counted through
-- ix_listing_status_created: one range per status.)
ALTER TABLE member ADD KEY ix_member_created (created_at);
ALTER TABLE trade_order ADD KEY ix_order_created (created_at);
