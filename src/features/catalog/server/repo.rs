use sqlx::MySqlPool;

use crate::error::AppResult;
use crate::features::catalog::types::{Category, CategoryNode};
use crate::features::listings::server::repo::CardRow;
use crate::features::listings::types::ListingCard;

/// The children of `parent` (the roots when None), in display order.
pub async fn children(pool: &MySqlPool, parent: Option<u32>) -> AppResult<Vec<Category>> {
    let rows = sqlx::query!(
        "SELECT c.id, c.name, c.depth,
                EXISTS (SELECT 1 FROM category k WHERE k.parent_id = c.id) AS `has_children: bool`
         FROM category c WHERE c.parent_id <=> ? ORDER BY c.sort_order, c.id",
        parent
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Category {
            id: r.id,
            name: r.name,
            depth: r.depth,
            has_children: r.has_children,
        })
        .collect())
}

/// The category and its ancestors, root first (for breadcrumbs and re-opening a
/// level-by-level picker at a saved choice). Empty when the id does not exist.
pub async fn trail(pool: &MySqlPool, id: u32) -> AppResult<Vec<Category>> {
    let Some(path) = sqlx::query_scalar!("SELECT path FROM category WHERE id = ?", id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(Vec::new());
    };
    // "/147/213/" names every ancestor: one primary-key lookup each, at most a few.
    let ids: Vec<u32> = path.split('/').filter_map(|p| p.parse().ok()).collect();
    let mut trail = Vec::with_capacity(ids.len());
    for ancestor in ids {
        let r = sqlx::query!(
            "SELECT c.id, c.name, c.depth,
                    EXISTS (SELECT 1 FROM category k WHERE k.parent_id = c.id) AS `has_children: bool`
             FROM category c WHERE c.id = ?",
            ancestor
        )
        .fetch_one(pool)
        .await?;
        trail.push(Category {
            id: r.id,
            name: r.name,
            depth: r.depth,
            has_children: r.has_children,
        });
    }
    Ok(trail)
}

/// Newest listings on sale anywhere under `path` ("/152/153/"): the path prefix is one
/// range of the category path index, then the (category_id, status, created_at) index.
pub async fn newest_under(pool: &MySqlPool, path: &str, limit: u32) -> AppResult<Vec<ListingCard>> {
    let rows = sqlx::query_as!(
        CardRow,
        "SELECT l.id, b.title, b.author, b.publisher, l.price,
                l.`condition` AS `condition: String`, l.status AS `status: String`,
                l.delivery AS `delivery: String`, l.meet_label,
                m.nickname AS seller_nickname, m.trust_score AS seller_trust, l.created_at, l.cover_photo
         FROM category c
         JOIN listing l ON l.category_id = c.id AND l.status = 'on_sale'
         JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = l.seller_id
         WHERE c.path LIKE CONCAT(?, '%')
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT ?",
        path,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(ListingCard::try_from).collect()
}

pub async fn path_of(pool: &MySqlPool, id: u32) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar!("SELECT path FROM category WHERE id = ?", id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The whole tree (about a hundred rows), in display order.
pub async fn all(pool: &MySqlPool) -> AppResult<Vec<CategoryNode>> {
    Ok(sqlx::query_as!(
        CategoryNode,
        "SELECT id, parent_id, name FROM category ORDER BY depth, sort_order, id"
    )
    .fetch_all(pool)
    .await?)
}
