use super::*;

#[test]
fn prices_are_whole_won_in_range() {
    assert_eq!(parse_price("12,000").unwrap(), 12000);
    assert_eq!(parse_price(" 12000원 ").unwrap(), 12000);
    assert_eq!(parse_price("100").unwrap(), 100);
    assert_eq!(parse_price("10,000,000").unwrap(), 10_000_000);
    assert_eq!(parse_price("").unwrap_err(), "가격을 입력해 주세요.");
    assert_eq!(
        parse_price("12.5").unwrap_err(),
        "가격은 숫자로만 입력해 주세요. (원 단위)"
    );
    assert_eq!(
        parse_price("-500").unwrap_err(),
        "가격은 숫자로만 입력해 주세요. (원 단위)"
    );
    assert_eq!(
        parse_price("만원").unwrap_err(),
        "가격은 숫자로만 입력해 주세요. (원 단위)"
    );
    assert!(parse_price("99").unwrap_err().contains("100원 이상"));
    assert!(
        parse_price("10000001")
            .unwrap_err()
            .contains("1,000만 원 이하")
    );
    assert!(parse_price("99999999999999999999999").is_err());
}

#[test]
fn prices_as_people_say_them() {
    assert_eq!(parse_price("1만원").unwrap(), 10_000);
    assert_eq!(parse_price("1.5만").unwrap(), 15_000);
    assert_eq!(parse_price("1만 2천원").unwrap(), 12_000);
    assert_eq!(parse_price("5천").unwrap(), 5_000);
    assert_eq!(parse_price("3만5000").unwrap(), 35_000);
    assert_eq!(parse_price("2.5천").unwrap(), 2_500);
    for bad in ["만원", "천", "1.23456만", "1만원만", "1..5만", "abc만"] {
        assert_eq!(
            parse_price(bad).unwrap_err(),
            "가격은 숫자로만 입력해 주세요. (원 단위)",
            "{bad}"
        );
    }
    assert!(
        parse_price("1001만")
            .unwrap_err()
            .contains("1,000만 원 이하")
    );
}

#[test]
fn median_of_prices() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [5000]), Some(5000));
    assert_eq!(median(&mut [9000, 3000, 5000]), Some(5000));
    assert_eq!(median(&mut [4000, 1000, 3000, 2000]), Some(2000));
}

#[test]
fn checklist_suggests_the_grade() {
    let none = ConditionChecklist::default();
    assert_eq!(none.suggested(), Condition::Good);
    assert_eq!(
        ConditionChecklist {
            writing: true,
            ..none
        }
        .suggested(),
        Condition::Fair
    );
    assert_eq!(
        ConditionChecklist {
            missing_supplements: true,
            ..none
        }
        .suggested(),
        Condition::Fair
    );
    assert_eq!(
        ConditionChecklist {
            water_damage: true,
            ..none
        }
        .suggested(),
        Condition::Poor
    );
    assert_eq!(
        ConditionChecklist {
            torn_pages: true,
            writing: true,
            ..none
        }
        .suggested(),
        Condition::Poor
    );
}

#[test]
fn description_counts_characters_not_bytes() {
    assert!(check_description(&"가".repeat(1000)).is_ok());
    assert_eq!(
        check_description(&"가".repeat(1003)).unwrap_err(),
        "설명은 1000자까지 쓸 수 있어요. (3자 초과)"
    );
}

#[test]
fn meet_place_rules() {
    assert!(check_meet_place("신촌역 2번 출구", None, None).is_ok());
    assert!(check_meet_place("신촌역", Some(37.5551), Some(126.9368)).is_ok());
    assert!(
        check_meet_place(" ", None, None)
            .unwrap_err()
            .contains("직거래 장소")
    );
    assert!(
        check_meet_place(&"가".repeat(51), None, None)
            .unwrap_err()
            .contains("50자")
    );
    assert!(
        check_meet_place("파리", Some(48.85), Some(2.35))
            .unwrap_err()
            .contains("대한민국")
    );
    assert!(check_meet_place("반쪽", Some(37.5), None).is_err());
}

fn valid() -> ListingInput {
    ListingInput {
        isbn: "9788936433598".into(),
        category_id: Some(141),
        price: "9,000".into(),
        condition: Some(Condition::Fair),
        checklist: ConditionChecklist {
            writing: true,
            ..Default::default()
        },
        meet: true,
        meet_label: "신촌역 2번 출구".into(),
        pay_cash: true,
        description: "밑줄 조금 있어요.".into(),
        ..Default::default()
    }
}

#[test]
fn a_complete_form_is_valid() {
    let v = valid().validate().unwrap();
    assert_eq!(v.price, 9000);
    assert_eq!(v.delivery, ["meet"]);
    assert_eq!(v.payment_ways, ["cash"]);
    assert_eq!(v.meet.unwrap().0, "신촌역 2번 출구");
}

#[test]
fn grade_better_than_the_checklist_allows_is_refused() {
    let input = ListingInput {
        condition: Some(Condition::Good),
        ..valid()
    };
    let err = input.validate().unwrap_err();
    assert_eq!(
        err.field_message("condition").unwrap(),
        "체크한 항목이 있으면 '상' 이상으로 등록할 수 없어요. ('중' 추천)"
    );
    // A worse grade than suggested is the seller's call.
    assert!(
        ListingInput {
            condition: Some(Condition::Poor),
            ..valid()
        }
        .validate()
        .is_ok()
    );
}

#[test]
fn empty_form_names_every_required_choice() {
    let err = ListingInput::default().validate().unwrap_err();
    for f in ["category_id", "price", "condition", "delivery", "payment"] {
        assert!(err.field_message(f).is_some(), "{f}");
    }
    assert!(
        err.field_message("meet_label").is_none(),
        "no meet place needed without meeting"
    );
}

/// Everything a server function answers is read back by the browser: a flattened struct
/// whose field names collide (a seller's review count and review list were both
/// "reviews") serializes fine and fails to deserialize, which broke /sellers/:id.
#[test]
fn a_seller_profile_survives_the_trip_to_the_browser() {
    let profile = SellerProfile {
        seller: SellerSummary {
            id: 7,
            nickname: "책벌레".into(),
            reviews: 2,
            ..Default::default()
        },
        listings: Vec::new(),
        received_reviews: vec![crate::features::reviews::types::ReviewView {
            stars: 5,
            body: "좋아요".into(),
            reviewer_nickname: "빵".into(),
            created_at: chrono::Utc::now(),
        }],
    };
    let json = serde_json::to_string(&profile).unwrap();
    assert_eq!(
        serde_json::from_str::<SellerProfile>(&json).unwrap(),
        profile
    );
}

#[test]
fn a_price_far_above_the_going_price_gets_a_nudge() {
    let on_sale_only = PriceGuide {
        lowest_on_sale: Some(4_000),
        on_sale: 3,
        ..Default::default()
    };
    // The case: 15,000원 while the lowest on sale is 4,000원.
    assert_eq!(
        on_sale_only.nudge(15_000),
        Some(PriceNudge {
            typical: 4_000,
            lowest_on_sale: Some(4_000)
        })
    );
    assert_eq!(on_sale_only.nudge(5_900), None, "under half again as much");
    // Sold prices say more than one cheap copy on sale.
    let with_sales = PriceGuide {
        median_sold: Some(10_000),
        ..on_sale_only.clone()
    };
    assert_eq!(with_sales.nudge(12_000), None);
    assert_eq!(with_sales.nudge(15_000).map(|n| n.typical), Some(10_000));
    // Cheap books: a few hundred won more is no reason to say anything.
    let cheap = PriceGuide {
        lowest_on_sale: Some(1_000),
        ..Default::default()
    };
    assert_eq!(cheap.nudge(2_500), None);
    assert_eq!(
        PriceGuide::default().nudge(1_000_000),
        None,
        "nothing to compare"
    );
}
