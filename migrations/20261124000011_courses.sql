-- Course lookup (issue 4): a student finds the books filed under their course by
-- school + course name or professor. Sellers file a book under a course when they list
-- it; a course is (school, name, professor), so "자료구조" taught by two professors at
-- one school is two courses, each with its own books.
CREATE TABLE school (
    id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
    name        VARCHAR(60) NOT NULL,
    short_name  VARCHAR(30) NOT NULL,
    region      VARCHAR(20) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_school_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE course (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    school_id   INT UNSIGNED NOT NULL,
    name        VARCHAR(80) NOT NULL,
    -- '' when the seller did not say; part of the key, so it cannot be NULL.
    professor   VARCHAR(40) NOT NULL DEFAULT '',
    created_by  BIGINT UNSIGNED NULL,
    created_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    -- Also the lookup index: every lookup names the school, and one school's courses
    -- are a few thousand rows at most, so a substring match walks only those.
    UNIQUE KEY uq_course (school_id, name, professor),
    CONSTRAINT fk_course_school FOREIGN KEY (school_id) REFERENCES school (id),
    CONSTRAINT fk_course_creator FOREIGN KEY (created_by) REFERENCES member (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE course_book (
    course_id   BIGINT UNSIGNED NOT NULL,
    book_id     BIGINT UNSIGNED NOT NULL,
    filed_by    BIGINT UNSIGNED NULL,
    filed_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (course_id, book_id),
    KEY ix_course_book_book (book_id),
    CONSTRAINT fk_course_book_course FOREIGN KEY (course_id) REFERENCES course (id),
    CONSTRAINT fk_course_book_book FOREIGN KEY (book_id) REFERENCES book (id),
    CONSTRAINT fk_course_book_member FOREIGN KEY (filed_by) REFERENCES member (id)
) ENGINE=InnoDB;

-- Four-year universities (names and regions are public facts). Fixed ids so links stay
-- stable across environments; later additions take ids above 1000.
INSERT INTO school (id, name, short_name, region) VALUES
    (1, '서울대학교', '서울대', '서울'),
    (2, '연세대학교', '연세대', '서울'),
    (3, '고려대학교', '고려대', '서울'),
    (4, '한국과학기술원', 'KAIST', '대전'),
    (5, '포항공과대학교', '포스텍', '경북'),
    (6, '성균관대학교', '성균관대', '서울'),
    (7, '한양대학교', '한양대', '서울'),
    (8, '서강대학교', '서강대', '서울'),
    (9, '중앙대학교', '중앙대', '서울'),
    (10, '경희대학교', '경희대', '서울'),
    (11, '이화여자대학교', '이화여대', '서울'),
    (12, '한국외국어대학교', '한국외대', '서울'),
    (13, '서울시립대학교', '서울시립대', '서울'),
    (14, '건국대학교', '건국대', '서울'),
    (15, '동국대학교', '동국대', '서울'),
    (16, '홍익대학교', '홍익대', '서울'),
    (17, '국민대학교', '국민대', '서울'),
    (18, '숭실대학교', '숭실대', '서울'),
    (19, '세종대학교', '세종대', '서울'),
    (20, '광운대학교', '광운대', '서울'),
    (21, '숙명여자대학교', '숙명여대', '서울'),
    (22, '서울과학기술대학교', '서울과기대', '서울'),
    (23, '명지대학교', '명지대', '서울'),
    (24, '상명대학교', '상명대', '서울'),
    (25, '한성대학교', '한성대', '서울'),
    (26, '인하대학교', '인하대', '인천'),
    (27, '아주대학교', '아주대', '경기'),
    (28, '가천대학교', '가천대', '경기'),
    (29, '단국대학교', '단국대', '경기'),
    (30, '한국항공대학교', '한국항공대', '경기'),
    (31, '부산대학교', '부산대', '부산'),
    (32, '부경대학교', '부경대', '부산'),
    (33, '경북대학교', '경북대', '대구'),
    (34, '계명대학교', '계명대', '대구'),
    (35, '영남대학교', '영남대', '경북'),
    (36, '전남대학교', '전남대', '광주'),
    (37, '조선대학교', '조선대', '광주'),
    (38, '전북대학교', '전북대', '전북'),
    (39, '충남대학교', '충남대', '대전'),
    (40, '충북대학교', '충북대', '충북'),
    (41, '강원대학교', '강원대', '강원'),
    (42, '울산대학교', '울산대', '울산'),
    (43, '경상국립대학교', '경상국립대', '경남'),
    (44, '제주대학교', '제주대', '제주'),
    (45, '한림대학교', '한림대', '강원');
