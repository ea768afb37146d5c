-- Orders, escrow payments, payouts, reviews and the inputs of the bread grade (issue 6).
--
-- Galera rules shape this schema (see DESIGN.md): FOR UPDATE locks are node-local, so
-- "one live order per listing" and "one payment per attempt" are unique keys, which the
-- cluster certifies on every node, and every state change is a conditional UPDATE
-- (WHERE status = <expected>) whose affected-row count says whether it happened.

-- Saved shipping addresses (Korean postal fields: 5-digit 우편번호, 도로명/지번 주소, 상세주소).
CREATE TABLE address (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id     BIGINT UNSIGNED NOT NULL,
    recipient     VARCHAR(40) NOT NULL,
    phone         VARCHAR(16) NOT NULL,
    postcode      CHAR(5) CHARACTER SET ascii NOT NULL,
    address1      VARCHAR(200) NOT NULL,
    address2      VARCHAR(100) NOT NULL DEFAULT '',
    created_at    DATETIME(6) NOT NULL,
    last_used_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_address_member (member_id, last_used_at),
    CONSTRAINT fk_address_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE trade_order (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    -- What people read and say on the phone: "B" + KST date + 6 random digits.
    order_no         CHAR(15) CHARACTER SET ascii NOT NULL,
    listing_id       BIGINT UNSIGNED NOT NULL,
    -- Equals listing_id while the order holds the listing (every state but cancelled and
    -- expired), NULL after: the unique key makes a second live order impossible.
    live_listing_id  BIGINT UNSIGNED NULL,
    buyer_id         BIGINT UNSIGNED NOT NULL,
    seller_id        BIGINT UNSIGNED NOT NULL,
    -- The buyer's key for this purchase: a double submit finds the first order.
    idempotency_key  CHAR(36) CHARACTER SET ascii NOT NULL,
    amount           INT UNSIGNED NOT NULL,                  -- whole won, fixed at ordering
    method           ENUM('cash', 'safe_pay') NOT NULL,
    provider         ENUM('sandbox', 'toss', 'kakao') NULL,  -- safe_pay only
    delivery         ENUM('parcel', 'meet', 'pickup') NOT NULL,
    -- Snapshot of the book and the address at ordering time (the listing may change).
    book_title       VARCHAR(255) NOT NULL,
    ship_recipient   VARCHAR(40) NULL,
    ship_phone       VARCHAR(16) NULL,
    ship_postcode    CHAR(5) CHARACTER SET ascii NULL,
    ship_address1    VARCHAR(200) NULL,
    ship_address2    VARCHAR(100) NULL,
    status           ENUM('pending', 'agreed', 'paid', 'shipped', 'received', 'settled',
                          'completed', 'cancelled', 'expired') NOT NULL,
    expires_at       DATETIME(6) NULL,                       -- pending payment deadline
    paid_at          DATETIME(6) NULL,
    carrier          VARCHAR(30) NULL,
    tracking_no      VARCHAR(30) NULL,
    shipped_at       DATETIME(6) NULL,
    auto_confirm_at  DATETIME(6) NULL,
    received_at      DATETIME(6) NULL,
    auto_confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    settled_at       DATETIME(6) NULL,
    completed_at     DATETIME(6) NULL,
    cancelled_at     DATETIME(6) NULL,
    cancel_reason    VARCHAR(200) NULL,
    disputed_at      DATETIME(6) NULL,
    dispute_reason   VARCHAR(500) NULL,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_order_no (order_no),
    UNIQUE KEY uq_order_live_listing (live_listing_id),
    UNIQUE KEY uq_order_idempotency (buyer_id, idempotency_key),
    -- Trade history (USER-PAYMENT-01): keyset on (created_at, id) per side.
    KEY ix_order_buyer (buyer_id, created_at, id),
    KEY ix_order_seller (seller_id, created_at, id),
    KEY ix_order_listing (listing_id),
    -- The sweeper's three scans.
    KEY ix_order_expiry (status, expires_at),
    KEY ix_order_auto_confirm (status, auto_confirm_at),
    CONSTRAINT fk_order_listing FOREIGN KEY (listing_id) REFERENCES listing (id),
    CONSTRAINT fk_order_buyer FOREIGN KEY (buyer_id) REFERENCES member (id),
    CONSTRAINT fk_order_seller FOREIGN KEY (seller_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per attempt to pay an order through a provider.
CREATE TABLE payment (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id       BIGINT UNSIGNED NOT NULL,
    -- Our id for the attempt; sent to the provider as its order id and idempotency key.
    attempt_key    CHAR(36) CHARACTER SET ascii NOT NULL,
    provider       ENUM('sandbox', 'toss', 'kakao') NOT NULL,
    amount         INT UNSIGNED NOT NULL,
    -- The provider's id: Toss paymentKey, KakaoPay tid, sandbox key.
    provider_ref   VARCHAR(200) NULL,
    checkout_url   VARCHAR(1000) NULL,
    status         ENUM('ready', 'approved', 'failed', 'cancelled') NOT NULL,
    -- Set only when approved: at most one approved payment per order.
    approved_order_id BIGINT UNSIGNED NULL,
    failure        VARCHAR(300) NULL,
    created_at     DATETIME(6) NOT NULL,
    updated_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_payment_attempt (attempt_key),
    UNIQUE KEY uq_payment_approved (approved_order_id),
    KEY ix_payment_order (order_id, created_at),
    CONSTRAINT fk_payment_order FOREIGN KEY (order_id) REFERENCES trade_order (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every transition, in order; append-only (the audit trail of the money).
CREATE TABLE payment_event (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id    BIGINT UNSIGNED NOT NULL,
    kind        VARCHAR(30) CHARACTER SET ascii NOT NULL,
    from_status VARCHAR(12) CHARACTER SET ascii NULL,
    to_status   VARCHAR(12) CHARACTER SET ascii NULL,
    actor_id    BIGINT UNSIGNED NULL,                 -- NULL: the system (sweeper, provider)
    detail      VARCHAR(300) NOT NULL DEFAULT '',
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY ix_event_order (order_id, created_at, id),
    CONSTRAINT fk_event_order FOREIGN KEY (order_id) REFERENCES trade_order (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The seller's payout; the primary key makes "settled twice" impossible.
CREATE TABLE payout (
    order_id    BIGINT UNSIGNED NOT NULL,
    seller_id   BIGINT UNSIGNED NOT NULL,
    amount      INT UNSIGNED NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (order_id),
    KEY ix_payout_seller (seller_id, created_at),
    CONSTRAINT fk_payout_order FOREIGN KEY (order_id) REFERENCES trade_order (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Reviews (PRODUCT_08): each side of a completed trade reviews the other once.
-- Double-blind: visible_at is when both have written, or 7 days after writing.
CREATE TABLE review (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id     BIGINT UNSIGNED NOT NULL,
    reviewer_id  BIGINT UNSIGNED NOT NULL,
    reviewee_id  BIGINT UNSIGNED NOT NULL,
    reviewer_role ENUM('buyer', 'seller') NOT NULL,
    stars        TINYINT UNSIGNED NOT NULL,
    body         VARCHAR(500) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    visible_at   DATETIME(6) NOT NULL,
    -- Whether the reviewee's trust score already includes this review.
    counted      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (id),
    UNIQUE KEY uq_review_once (order_id, reviewer_id),
    KEY ix_review_reviewee (reviewee_id, visible_at, id),
    KEY ix_review_uncounted (counted, visible_at),
    CONSTRAINT fk_review_order FOREIGN KEY (order_id) REFERENCES trade_order (id),
    CONSTRAINT fk_review_reviewer FOREIGN KEY (reviewer_id) REFERENCES member (id),
    CONSTRAINT fk_review_reviewee FOREIGN KEY (reviewee_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Inputs of the trust score, kept on the member so cards and search sort read one row.
ALTER TABLE member
    ADD COLUMN completed_trades INT UNSIGNED NOT NULL DEFAULT 0 AFTER trust_score,
    ADD COLUMN review_count INT UNSIGNED NOT NULL DEFAULT 0 AFTER completed_trades,
    ADD COLUMN review_star_sum INT UNSIGNED NOT NULL DEFAULT 0 AFTER review_count;
-- Scores so far were placeholders; a member with no history scores 50 by the formula.
UPDATE member SET trust_score = 50;
