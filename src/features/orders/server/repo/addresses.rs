//! The buyer's address book.

use chrono::{DateTime, Utc};
use sqlx::MySqlPool;

use super::{Tx, naive};
use crate::error::AppResult;
use crate::features::orders::types::{AddressInput, SavedAddress};

pub async fn addresses(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<SavedAddress>> {
    let rows = sqlx::query!(
        "SELECT id, recipient, phone, postcode, address1, address2 FROM address
         WHERE member_id = ? ORDER BY last_used_at DESC, id DESC LIMIT 5",
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SavedAddress {
            id: r.id,
            address: AddressInput {
                recipient: r.recipient,
                phone: r.phone,
                postcode: r.postcode,
                address1: r.address1,
                address2: r.address2,
            },
        })
        .collect())
}

/// One of the member's saved addresses (None for someone else's).
pub async fn address(pool: &MySqlPool, member_id: u64, id: u64) -> AppResult<Option<AddressInput>> {
    Ok(sqlx::query_as!(
        AddressInput,
        "SELECT recipient, phone, postcode, address1, address2 FROM address
         WHERE id = ? AND member_id = ?",
        id,
        member_id
    )
    .fetch_optional(pool)
    .await?)
}

/// Remembers an address for next time; the same address again only moves it to the top.
pub async fn remember_address(
    tx: &mut Tx<'_>,
    member_id: u64,
    a: &AddressInput,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let touched = sqlx::query!(
        "UPDATE address SET last_used_at = ?, recipient = ?, phone = ?
         WHERE member_id = ? AND postcode = ? AND address1 = ? AND address2 = ?",
        naive(now),
        a.recipient,
        a.phone,
        member_id,
        a.postcode,
        a.address1,
        a.address2
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if touched == 0 {
        sqlx::query!(
            "INSERT INTO address (member_id, recipient, phone, postcode, address1, address2,
                                  created_at, last_used_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            member_id,
            a.recipient,
            a.phone,
            a.postcode,
            a.address1,
            a.address2,
            naive(now),
            naive(now)
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
