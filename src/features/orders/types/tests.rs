use super::*;

#[test]
fn phones_are_normalised() {
    assert_eq!(normalize_phone("01012345678").unwrap(), "010-1234-5678");
    assert_eq!(normalize_phone("010-123-4567").unwrap(), "010-123-4567");
    assert_eq!(normalize_phone("02 3456 7890").unwrap(), "02-3456-7890");
    assert!(normalize_phone("1234").is_err());
    assert!(normalize_phone("010-abcd-5678").is_err());
}

#[test]
fn addresses_report_every_problem() {
    let bad = AddressInput {
        postcode: "1234".into(),
        ..Default::default()
    };
    let errors = bad.validate().unwrap_err();
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "address.recipient",
            "address.phone",
            "address.postcode",
            "address.address1"
        ]
    );
    let good = AddressInput {
        recipient: " 김독서 ".into(),
        phone: "01012345678".into(),
        postcode: "03722".into(),
        address1: "서울 서대문구 연세로 50".into(),
        address2: "101호".into(),
    }
    .validate()
    .unwrap();
    assert_eq!(good.recipient, "김독서");
    assert_eq!(good.phone, "010-1234-5678");
}

#[test]
fn tracking_numbers() {
    assert_eq!(
        check_tracking("CJ대한통운", "6543-2109-8765").unwrap().1,
        "654321098765"
    );
    assert!(check_tracking("", "123").is_err());
}

#[test]
fn idempotency_keys_are_uuids() {
    assert!(check_idempotency_key("3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7b").is_ok());
    assert!(check_idempotency_key("not-a-uuid").is_err());
    assert!(check_idempotency_key("3f2b8c1e-9d4a-4e6b-8f1a-2c3d4e5f6a7g").is_err());
}

#[test]
fn statuses_round_trip() {
    for s in OrderStatus::ALL {
        assert_eq!(OrderStatus::from_db(s.as_db()), Some(s));
    }
    for k in EventKind::ALL {
        assert_eq!(EventKind::from_db(k.as_db()), Some(k));
    }
}

/// A saved address flattens its fields next to its id: the names must not collide, or
/// the browser cannot read what the server sent (see `SellerProfile`).
#[test]
fn a_saved_address_survives_the_trip_to_the_browser() {
    let saved = SavedAddress {
        id: 3,
        address: AddressInput {
            recipient: "김독서".into(),
            phone: "010-1234-5678".into(),
            postcode: "03722".into(),
            address1: "서울 서대문구 연세로 50".into(),
            address2: "101호".into(),
        },
    };
    let json = serde_json::to_string(&saved).unwrap();
    assert_eq!(serde_json::from_str::<SavedAddress>(&json).unwrap(), saved);
}
