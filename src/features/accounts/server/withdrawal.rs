//! 회원 탈퇴: anonymising a member at once, and purging what is left two years on.

use chrono::{DateTime, Months, Utc};
use sha2::{Digest, Sha256};
use sqlx::{MySql, MySqlPool, Transaction};

use super::repo::forget_activity;
use crate::error::AppResult;
use crate::features::accounts::types::withdrawal::{
    KEEP_YEARS, LiveTrade, WITHDRAWAL_VERSION, WITHDRAWN_NICKNAME,
};
use crate::server::db;

/// The member's trades still under way, as buyer or seller, oldest first. The index
/// ranges read are share-locked, so no order for the member starts until the caller's
/// transaction ends.
async fn live_trades_in(
    tx: &mut Transaction<'_, MySql>,
    member_id: u64,
) -> Result<Vec<LiveTrade>, sqlx::Error> {
    // One range per side, each on its own index, rather than an OR across both.
    let bought = sqlx::query!(
        "SELECT id, order_no, book_title FROM trade_order
         WHERE buyer_id = ? AND status IN ('pending', 'agreed', 'paid', 'shipped', 'received')
         LOCK IN SHARE MODE",
        member_id
    )
    .fetch_all(&mut **tx)
    .await?;
    let sold = sqlx::query!(
        "SELECT id, order_no, book_title FROM trade_order
         WHERE seller_id = ? AND status IN ('pending', 'agreed', 'paid', 'shipped', 'received')
         LOCK IN SHARE MODE",
        member_id
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut trades: Vec<LiveTrade> = bought
        .into_iter()
        .map(|r| (r.id, r.order_no, r.book_title, true))
        .chain(
            sold.into_iter()
                .map(|r| (r.id, r.order_no, r.book_title, false)),
        )
        .map(|(order_id, order_no, book_title, as_buyer)| LiveTrade {
            order_id,
            order_no,
            book_title,
            as_buyer,
        })
        .collect();
    trades.sort_by_key(|t| t.order_id);
    Ok(trades)
}

/// What keeps the member from leaving right now (shown before they try).
pub async fn live_trades(pool: &MySqlPool, member_id: u64) -> AppResult<Vec<LiveTrade>> {
    let mut tx = pool.begin().await?;
    let trades = live_trades_in(&mut tx, member_id).await?;
    tx.commit().await?;
    Ok(trades)
}

fn email_hash(email: &str) -> Vec<u8> {
    Sha256::digest(email.trim().to_ascii_lowercase().as_bytes()).to_vec()
}

/// Withdraws the member in one transaction, unless trades are under way (then nothing
/// changes and they come back). Personal data goes at once: name, nickname, email (its
/// hash stays), birth date, phone, gender, password, saved addresses, sessions, wishes,
/// saved searches, codes and notices. Listings on sale come down; chat rooms are left,
/// so the other side still reads them. The login ID stays, so it is never signed up
/// again.
pub async fn withdraw(
    pool: &MySqlPool,
    member_id: u64,
    now: DateTime<Utc>,
) -> AppResult<Result<(), Vec<LiveTrade>>> {
    db::retry_conflicts(|| async {
        let mut tx = pool.begin().await?;
        let Some(email) = sqlx::query_scalar!(
            "SELECT email FROM member WHERE id = ? AND withdrawn_at IS NULL FOR UPDATE",
            member_id
        )
        .fetch_optional(&mut *tx)
        .await?
        else {
            // Withdrawn meanwhile (a second tab): done.
            return Ok(Ok(()));
        };
        let trades = live_trades_in(&mut tx, member_id).await?;
        if !trades.is_empty() {
            return Ok(Err(trades));
        }
        let at = now.naive_utc();
        sqlx::query!(
            "UPDATE member SET withdrawn_at = ?, updated_at = ?, name = '', nickname = ?,
                               email = '', email_hash = ?, password_hash = ?,
                               birth_date = '1900-01-01', phone = NULL, gender = NULL,
                               is_admin = FALSE
             WHERE id = ?",
            at,
            at,
            WITHDRAWN_NICKNAME,
            email_hash(&email),
            crate::server::password::NO_PASSWORD,
            member_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE listing SET status = 'deleted', updated_at = ?, version = version + 1
             WHERE seller_id = ? AND status IN ('on_sale', 'reserved')",
            at,
            member_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE chat_room SET buyer_left_at = ?, buyer_unread = 0
             WHERE buyer_id = ? AND buyer_left_at IS NULL",
            at,
            member_id
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE chat_room SET seller_left_at = ?, seller_unread = 0
             WHERE seller_id = ? AND seller_left_at IS NULL",
            at,
            member_id
        )
        .execute(&mut *tx)
        .await?;
        forget_activity(&mut tx, member_id).await?;
        sqlx::query!("DELETE FROM address WHERE member_id = ?", member_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO member_consent (member_id, kind, version, agreed, created_at)
             VALUES (?, 'withdrawal', ?, TRUE, ?)",
            member_id,
            WITHDRAWAL_VERSION,
            at
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    })
    .await
}

/// Clears what was kept of members who withdrew `KEEP_YEARS` ago: the email hash, the
/// login history, the consent records, the addresses on their orders and the words they
/// wrote in chat. The row and its login ID stay (never reusable). Each member is one
/// conditional transaction, so several instances purging at once do each member once.
pub async fn purge_due(pool: &MySqlPool, now: DateTime<Utc>) -> AppResult<u32> {
    let cutoff = now
        .checked_sub_months(Months::new(12 * KEEP_YEARS as u32))
        .unwrap_or(now)
        .naive_utc();
    let due = sqlx::query!(
        "SELECT id, login_id FROM member
         WHERE withdrawn_at < ? AND purged_at IS NULL ORDER BY withdrawn_at LIMIT 500",
        cutoff
    )
    .fetch_all(pool)
    .await?;
    let mut purged = 0;
    for member in due {
        let done = db::retry_conflicts(|| async {
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query!(
                "UPDATE member SET email_hash = NULL, purged_at = ?
                 WHERE id = ? AND purged_at IS NULL",
                now.naive_utc(),
                member.id
            )
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                return Ok(false);
            }
            sqlx::query!(
                "DELETE FROM login_attempt WHERE login_id = ?",
                member.login_id
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!("DELETE FROM member_consent WHERE member_id = ?", member.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query!(
                "UPDATE trade_order SET ship_recipient = NULL, ship_phone = NULL,
                        ship_postcode = NULL, ship_address1 = NULL, ship_address2 = NULL
                 WHERE buyer_id = ?",
                member.id
            )
            .execute(&mut *tx)
            .await?;
            // Per side, so each walks its own index; the messages by (room, sender).
            for side_rooms in [
                sqlx::query_scalar!("SELECT id FROM chat_room WHERE buyer_id = ?", member.id)
                    .fetch_all(&mut *tx)
                    .await?,
                sqlx::query_scalar!("SELECT id FROM chat_room WHERE seller_id = ?", member.id)
                    .fetch_all(&mut *tx)
                    .await?,
            ] {
                for room in side_rooms {
                    sqlx::query!(
                        "UPDATE chat_message SET body = '', deleted_at = COALESCE(deleted_at, ?)
                         WHERE room_id = ? AND sender_id = ?",
                        now.naive_utc(),
                        room,
                        member.id
                    )
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query!(
                        "UPDATE chat_room SET last_message_preview = ''
                         WHERE id = ? AND last_sender_id = ?",
                        room,
                        member.id
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
        .await?;
        purged += u32::from(done);
    }
    Ok(purged)
}

/// Once an hour for the life of the server: purges what is left of members gone two
/// years, removes accounts whose sign-up code never came back, and SNS sign-ins never
/// finished.
pub async fn purge_forever(state: crate::server::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match purge_due(&state.pool, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "withdrawn members purged"),
            Err(e) => tracing::warn!(error = %e, "withdrawal purge failed"),
        }
        match super::stale::remove_unverified(&state.pool, state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "never-verified accounts removed"),
            Err(e) => tracing::warn!(error = %e, "removing never-verified accounts failed"),
        }
        if let Err(e) = super::sns::repo::sweep(&state.pool, state.clock.now()).await {
            tracing::warn!(error = %e, "sweeping SNS sign-ins failed");
        }
    }
}
