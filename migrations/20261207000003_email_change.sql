-- 이메일 변경: the code goes to the new address, which waits here until it is proved.
ALTER TABLE account_code
    MODIFY purpose ENUM('find_id', 'reset_password', 'change_email') NOT NULL,
    ADD COLUMN new_email VARCHAR(254) NULL AFTER purpose;
