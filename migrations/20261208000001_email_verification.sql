-- 이메일 인증 at sign-up (USER_SIGNUP_002): the code travels in account_code like the
-- others. Members who joined before verification existed were active from the start and
-- stay so. The never-used email_token table (account_code replaced it) goes.
ALTER TABLE account_code
    MODIFY purpose ENUM('find_id', 'reset_password', 'change_email', 'verify_email') NOT NULL;
UPDATE member SET email_verified_at = created_at WHERE email_verified_at IS NULL;
DROP TABLE email_token;
