//! The audit log: every admin action, written in the action's own transaction (an action
//! that rolled back leaves no entry, and none happens unrecorded). The table refuses
//! UPDATE and DELETE (triggers in the migration), so entries cannot be changed later.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use crate::error::AppResult;
use crate::features::moderation::types::{AuditAction, AuditEntry, AuditPage};

pub async fn record(
    tx: &mut Transaction<'_, MySql>,
    admin: u64,
    action: AuditAction,
    target_id: u64,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let detail: String = detail.chars().take(300).collect();
    sqlx::query!(
        "INSERT INTO admin_audit (admin_id, action, target_kind, target_id, detail, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
        admin,
        action.as_db(),
        action.target_kind(),
        target_id,
        detail,
        now.naive_utc()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Newest first, `limit` at a time, below `before` (an entry id; keyset on the key).
pub async fn page(pool: &MySqlPool, before: Option<u64>, limit: u32) -> AppResult<AuditPage> {
    let rows = sqlx::query!(
        "SELECT a.id, m.nickname, a.action, a.target_id, a.detail, a.created_at
         FROM admin_audit a JOIN member m ON m.id = a.admin_id
         WHERE a.id < ?
         ORDER BY a.id DESC
         LIMIT ?",
        before.unwrap_or(u64::MAX),
        limit + 1
    )
    .fetch_all(pool)
    .await?;
    let mut items: Vec<AuditEntry> = rows
        .into_iter()
        .filter_map(|r| {
            Some(AuditEntry {
                id: r.id,
                admin_nickname: r.nickname,
                action: AuditAction::from_db(&r.action)?,
                target_id: r.target_id,
                detail: r.detail,
                at: r.created_at.and_utc(),
            })
        })
        .collect();
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage { items, next })
}
