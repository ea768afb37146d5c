-- SNS 가입·로그인 (USER_SIGNUP_004, USER-LOGIN-01): Kakao, Naver and Google accounts.
--
-- A member signs in with a provider account once it is linked here. A link is made
-- only by a new sign-up through that provider or by the member themselves while signed
-- in (내 정보 → SNS 연결), never by an email address matching: whoever controls an
-- address at one provider must not get into someone else's account.
CREATE TABLE member_identity (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    member_id     BIGINT UNSIGNED NOT NULL,
    provider      ENUM('kakao', 'naver', 'google') NOT NULL,
    -- The provider's stable ID for the account (OIDC `sub`, Naver's `id`).
    subject       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email         VARCHAR(254) NULL,
    created_at    DATETIME(6) NOT NULL,
    last_login_at DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_identity_subject (provider, subject),
    -- One account per provider per member.
    UNIQUE KEY uq_identity_member (member_id, provider),
    CONSTRAINT fk_identity_member FOREIGN KEY (member_id) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A sign-in started here and not yet back from the provider. The browser holds the
-- state in a cookie; the row, found by the state's SHA-256, holds what the callback
-- checks against (nonce, PKCE verifier) and is deleted when it is used. Rows of flows
-- never finished are swept after their 10 minutes.
CREATE TABLE oauth_flow (
    state_hash    BINARY(32) NOT NULL,
    provider      ENUM('kakao', 'naver', 'google') NOT NULL,
    -- Linking: the member who asked, checked again at the callback.
    link_member_id BIGINT UNSIGNED NULL,
    nonce         VARCHAR(64) CHARACTER SET ascii NOT NULL,
    pkce_verifier VARCHAR(128) CHARACTER SET ascii NOT NULL,
    next_path     VARCHAR(255) NULL,
    created_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (state_hash),
    KEY ix_oauth_flow_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A provider account that proved itself but has no member yet: the SNS sign-up page
-- asks for what the provider did not give (nickname, consents, …) within 30 minutes.
-- Found by the SHA-256 of a token in an HttpOnly cookie.
CREATE TABLE sns_signup (
    token_hash     BINARY(32) NOT NULL,
    provider       ENUM('kakao', 'naver', 'google') NOT NULL,
    subject        VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email          VARCHAR(254) NULL,
    -- The provider vouches that the address is the account holder's.
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    name           VARCHAR(40) NULL,
    nickname       VARCHAR(40) NULL,
    birth_date     DATE NULL,
    gender         ENUM('male', 'female') NULL,
    next_path      VARCHAR(255) NULL,
    created_at     DATETIME(6) NOT NULL,
    PRIMARY KEY (token_hash),
    KEY ix_sns_signup_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
