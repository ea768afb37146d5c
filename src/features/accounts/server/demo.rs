//! Demo members for a fresh database (see `server::seed`).

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::server::db::Tx;
use crate::server::password;

/// Every demo member signs in with this password (README says so).
pub const DEMO_PASSWORD: &str = "Bread1234";

pub const DEMO_MEMBERS: [(&str, &str, &str, bool); 6] = [
    ("bookworm01", "책벌레", "김서연", false),
    ("sinchon22", "신촌헌책방", "박지훈", false),
    ("kaistcs", "카이스트새내기", "이도윤", false),
    ("maporeader", "마포독서가", "최하은", false),
    ("busanbook", "부산책방", "정민준", false),
    ("breadadmin", "책빵관리자", "관리자", true),
];

/// The demo members, each with its consents; the ids of those who are not admins.
pub async fn seed_members(tx: &mut Tx<'_>, now: DateTime<Utc>) -> anyhow::Result<Vec<u64>> {
    let mut member_ids = Vec::new();
    for (i, (login_id, nickname, name, is_admin)) in DEMO_MEMBERS.iter().enumerate() {
        let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
        let joined = (now - Duration::days(90 - i as i64 * 7)).naive_utc();
        let id = sqlx::query!(
            "INSERT INTO member (login_id, email, password_hash, name, nickname, birth_date,
                                 is_admin, email_verified_at, trust_score, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            login_id,
            format!("{login_id}@demo.breadbook.kr"),
            hash,
            name,
            nickname,
            NaiveDate::from_ymd_opt(1998 + i as i32, 3 + i as u32, 10 + i as u32),
            is_admin,
            joined,
            crate::features::reviews::types::trust_score(0, 0, 0),
            joined,
            joined,
        )
        .execute(&mut **tx)
        .await?
        .last_insert_id();
        for kind in ["terms", "privacy"] {
            sqlx::query!(
                "INSERT INTO member_consent (member_id, kind, version, agreed, created_at)
                 VALUES (?, ?, '2026-11-01', TRUE, ?)",
                id,
                kind,
                joined
            )
            .execute(&mut **tx)
            .await?;
        }
        if !is_admin {
            member_ids.push(id);
        }
    }

    Ok(member_ids)
}
