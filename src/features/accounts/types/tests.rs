use super::*;

#[test]
fn next_path_stays_on_this_site() {
    for ok in ["/", "/me", "/listings/3?x=1#top", "/search?q=%2F%2Fevil"] {
        assert_eq!(safe_next_path(ok), Some(ok), "{ok}");
    }
    for bad in [
        "",
        "me",
        "//evil.example",
        "/\\evil.example/x",
        "\\\\evil",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example",
        "/ /evil",
        "/\u{2028}/evil",
    ] {
        assert_eq!(safe_next_path(bad), None, "{bad:?}");
    }
}

proptest::proptest! {
    /// Whatever is accepted, a browser resolves it against our origin to our origin.
    #[test]
    fn accepted_next_never_leaves_the_site(next in r"[/\\\t\n\r \x0b.a-z:%@\u{3000}]{0,12}") {
        if let Some(path) = safe_next_path(&next) {
            let cleaned: String = path.chars().filter(|c| !c.is_ascii_control()).collect();
            let cleaned = cleaned.replace('\\', "/");
            proptest::prop_assert!(cleaned.starts_with('/') && !cleaned.starts_with("//"));
        }
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
const TODAY: &str = "2026-11-24";

#[test]
fn login_id_accepts_ascii_letters_and_digits_6_to_20() {
    for ok in ["abc123", "ABCdef", "a1b2c3d4e5f6g7h8i9j0", "  Reader1  "] {
        assert!(LoginId::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(LoginId::parse("  Reader1 ").unwrap().as_str(), "Reader1");
}

#[test]
fn login_id_rejects_bad_length_and_characters() {
    assert_eq!(LoginId::parse("").unwrap_err(), "아이디를 입력해 주세요.");
    assert_eq!(
        LoginId::parse("abc12").unwrap_err(),
        "아이디는 6~20자여야 합니다."
    );
    assert_eq!(
        LoginId::parse("a1b2c3d4e5f6g7h8i9j0k").unwrap_err(),
        "아이디는 6~20자여야 합니다."
    );
    for bad in [
        "abc_123",
        "한글아이디12",
        "abc 1234",
        "abc-1234",
        "abc@1234",
    ] {
        assert_eq!(
            LoginId::parse(bad).unwrap_err(),
            "아이디는 영문 대소문자와 숫자만 사용할 수 있습니다.",
            "{bad}"
        );
    }
}

#[test]
fn password_needs_upper_lower_digit_and_8_to_20_ascii() {
    assert!(Password::parse("Abcdefg1").is_ok());
    assert!(Password::parse("Abcdefghijklmnopqr1!").is_ok());
    assert_eq!(
        Password::parse("").unwrap_err(),
        "비밀번호를 입력해 주세요."
    );
    assert_eq!(
        Password::parse("Abcde1").unwrap_err(),
        "비밀번호는 8~20자여야 합니다."
    );
    assert_eq!(
        Password::parse("Abcdefghijklmnopqrs12").unwrap_err(),
        "비밀번호는 8~20자여야 합니다."
    );
    assert_eq!(
        Password::parse("abcdefg1").unwrap_err(),
        "비밀번호에 영문 대문자를 포함해 주세요."
    );
    assert_eq!(
        Password::parse("ABCDEFGH").unwrap_err(),
        "비밀번호에 영문 소문자, 숫자를 포함해 주세요."
    );
    assert!(Password::parse("Abcd efg1").unwrap_err().contains("공백"));
    assert!(Password::parse("Abcdefg1가").unwrap_err().contains("한글"));
}

#[test]
fn password_is_redacted_in_debug() {
    let p = Password::parse("Secret123").unwrap();
    assert!(!format!("{p:?}").contains("Secret"));
}

#[test]
fn password_confirm_must_match() {
    assert!(check_password_confirm("Abcdefg1", "Abcdefg1").is_ok());
    assert_eq!(
        check_password_confirm("Abcdefg1", "Abcdefg2").unwrap_err(),
        "비밀번호가 일치하지 않습니다."
    );
    assert_eq!(
        check_password_confirm("Abcdefg1", "").unwrap_err(),
        "비밀번호를 한 번 더 입력해 주세요."
    );
}

#[test]
fn person_name_rules() {
    for ok in ["김철수", "이 영희", "John Smith", "남궁민수"] {
        assert!(PersonName::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(PersonName::parse(" ").unwrap_err(), "이름을 입력해 주세요.");
    assert_eq!(
        PersonName::parse("김").unwrap_err(),
        "이름은 2~20자여야 합니다."
    );
    for bad in ["김철수1", "ㄱㄴㄷ", "Kim!", "김  철수"] {
        assert_eq!(
            PersonName::parse(bad).unwrap_err(),
            "이름은 한글 또는 영문으로 입력해 주세요.",
            "{bad}"
        );
    }
}

#[test]
fn nickname_rules() {
    for ok in ["책벌레", "book_lover", "빵2", "abcdefghijkl"] {
        assert!(Nickname::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(Nickname::parse("").unwrap_err(), "닉네임을 입력해 주세요.");
    assert_eq!(
        Nickname::parse("빵").unwrap_err(),
        "닉네임은 2~12자여야 합니다."
    );
    assert_eq!(
        Nickname::parse("abcdefghijklm").unwrap_err(),
        "닉네임은 2~12자여야 합니다."
    );
    assert!(Nickname::parse("책 벌레").unwrap_err().contains("밑줄"));
    assert!(Nickname::parse("빵!").unwrap_err().contains("밑줄"));
}

#[test]
fn email_rules_and_normalisation() {
    assert_eq!(
        Email::parse(" Reader@Example.COM ").unwrap().as_str(),
        "reader@example.com"
    );
    for ok in ["a.b+c@mail.co.kr", "x_y-z@sub.domain.com"] {
        assert!(Email::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(Email::parse("").unwrap_err(), "이메일을 입력해 주세요.");
    for bad in [
        "plain",
        "a@b",
        "a@.com",
        "@x.com",
        "a..b@x.com",
        "a@x.c",
        "a@x-.com",
        "한글@x.com",
        "a@x.c0m",
    ] {
        assert!(
            Email::parse(bad).unwrap_err().contains("올바른 이메일"),
            "{bad}"
        );
    }
    let long = format!("{}@example.com", "a".repeat(250));
    assert_eq!(
        Email::parse(&long).unwrap_err(),
        "이메일 주소가 너무 깁니다."
    );
}

#[test]
fn birth_date_rules() {
    let today = d(TODAY);
    assert!(BirthDate::parse("2001-03-15", today).is_ok());
    // Exactly 14 today is allowed; one day short is not.
    assert!(BirthDate::parse("2012-11-24", today).is_ok());
    assert_eq!(
        BirthDate::parse("2012-11-25", today).unwrap_err(),
        "만 14세 이상만 가입할 수 있습니다."
    );
    assert_eq!(
        BirthDate::parse("", today).unwrap_err(),
        "생년월일을 입력해 주세요."
    );
    assert!(
        BirthDate::parse("2001/03/15", today)
            .unwrap_err()
            .contains("형식")
    );
    assert!(
        BirthDate::parse("2001-02-30", today)
            .unwrap_err()
            .contains("형식")
    );
    assert_eq!(
        BirthDate::parse("2027-01-01", today).unwrap_err(),
        "미래의 날짜는 입력할 수 없습니다."
    );
    assert_eq!(
        BirthDate::parse("1890-01-01", today).unwrap_err(),
        "생년월일을 다시 확인해 주세요."
    );
}

#[test]
fn age_counts_full_years() {
    assert_eq!(age_on(d("2000-02-29"), d("2026-02-28")), 25);
    assert_eq!(age_on(d("2000-02-29"), d("2026-03-01")), 26);
}

#[test]
fn phone_is_optional_and_normalised() {
    assert_eq!(Phone::parse_optional("").unwrap(), None);
    assert_eq!(
        Phone::parse_optional("010-1234-5678")
            .unwrap()
            .unwrap()
            .as_str(),
        "01012345678"
    );
    assert!(Phone::parse_optional("011 123 4567").unwrap().is_some());
    for bad in [
        "02-123-4567",
        "010-1234-567",
        "010-1234-56789",
        "010-abcd-5678",
    ] {
        assert!(
            Phone::parse_optional(bad).unwrap_err().contains("휴대폰"),
            "{bad}"
        );
    }
}

#[test]
fn gender_is_optional() {
    assert_eq!(Gender::parse_optional("").unwrap(), None);
    assert_eq!(
        Gender::parse_optional("female").unwrap(),
        Some(Gender::Female)
    );
    assert!(Gender::parse_optional("x").is_err());
}

fn valid_input() -> SignupInput {
    SignupInput {
        login_id: "reader01".into(),
        password: "Passw0rd".into(),
        password_confirm: "Passw0rd".into(),
        name: "김독서".into(),
        nickname: "책벌레".into(),
        email: "reader@example.com".into(),
        birth_date: "2001-03-15".into(),
        phone: String::new(),
        gender: String::new(),
        agree_terms: true,
        agree_privacy: true,
    }
}

#[test]
fn signup_accepts_a_complete_form() {
    let v = valid_input().validate(d(TODAY)).unwrap();
    assert_eq!(v.login_id.as_str(), "reader01");
    assert_eq!(v.phone, None);
}

#[test]
fn signup_reports_every_bad_field_and_missing_consent() {
    let input = SignupInput {
        login_id: "ab".into(),
        password_confirm: "x".into(),
        agree_terms: false,
        agree_privacy: false,
        ..valid_input()
    };
    let err = input.validate(d(TODAY)).unwrap_err();
    assert_eq!(
        err.field_message("login_id").unwrap(),
        "아이디는 6~20자여야 합니다."
    );
    assert_eq!(
        err.field_message("password_confirm").unwrap(),
        "비밀번호가 일치하지 않습니다."
    );
    assert_eq!(
        err.field_message("agree_terms").unwrap(),
        "이용약관에 동의해야 가입할 수 있습니다."
    );
    assert!(err.field_message("agree_privacy").is_some());
    assert!(err.field_message("email").is_none());
}

#[test]
fn signup_of_empty_form_names_every_required_field() {
    let err = SignupInput::default().validate(d(TODAY)).unwrap_err();
    for f in [
        "login_id",
        "password",
        "password_confirm",
        "name",
        "nickname",
        "email",
        "birth_date",
        "agree_terms",
        "agree_privacy",
    ] {
        assert!(err.field_message(f).is_some(), "{f}");
    }
    assert!(err.field_message("phone").is_none());
}
