//! The live nudge after a notice is committed: open tabs of the members told count their
//! bell again. The notice itself is already stored; a member with no socket finds it in
//! the list, so a nudge that never arrives loses nothing.

use crate::features::chat::types::ServerFrame;
use crate::server::AppState;

pub fn nudge(state: &AppState, members: &[u64]) {
    if !members.is_empty() {
        state.chat.publish(members, &ServerFrame::Notice, None);
    }
}

/// Nudges the wishers of `listing_id`, off the request path (their ids are a query).
pub fn nudge_wishers(state: &AppState, listing_id: u64) {
    let state = state.clone();
    tokio::spawn(async move {
        match super::repo::wishers(&state.pool, listing_id).await {
            Ok(members) => nudge(&state, &members),
            Err(e) => tracing::warn!(listing = listing_id, error = %e, "wishers not nudged"),
        }
    });
}

/// Nudges the members whose wanted alerts `listing_id` matched.
pub fn nudge_wanted(state: &AppState, listing_id: u64) {
    let state = state.clone();
    tokio::spawn(async move {
        match super::repo::wanted_by(&state.pool, listing_id).await {
            Ok(members) => nudge(&state, &members),
            Err(e) => tracing::warn!(listing = listing_id, error = %e, "wanted not nudged"),
        }
    });
}
