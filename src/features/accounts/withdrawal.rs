//! 회원 탈퇴 server functions (USER-DELETE-01, `/api/accounts/withdraw…`): members only,
//! after the withdrawal terms and the password; refused while a trade is under way.

use leptos::prelude::*;

use super::types::withdrawal::{LiveTrade, WithdrawInput};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::profile::check_password,
    super::recovery::notify,
    super::server::{recovery as rec, withdrawal},
    super::types::withdrawal::live_trades_message,
    crate::server::{mail::Mail, request, session},
};

/// The trades that must end before the caller may leave (none: they may).
#[server(endpoint = "accounts/withdraw/blockers")]
pub async fn withdrawal_blockers() -> Result<Vec<LiveTrade>, AppError> {
    let caller = request::require_caller().await?;
    withdrawal::live_trades(&request::state()?.pool, caller.id).await
}

/// Leaves 책빵: personal data is anonymised at once and this browser is signed out.
#[server(endpoint = "accounts/withdraw")]
pub async fn withdraw(#[server(default)] input: WithdrawInput) -> Result<(), AppError> {
    let caller = request::require_caller().await?;
    input.validate()?;
    check_password(caller.id, input.current_password).await?;
    let state = request::state()?;
    let holder = rec::by_id(&state.pool, caller.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let now = state.clock.now();
    if let Err(trades) = withdrawal::withdraw(&state.pool, caller.id, now).await? {
        return Err(AppError::Rejected(live_trades_message(&trades)));
    }
    tracing::info!(member_id = caller.id, "member withdrew");
    request::append_set_cookie(&session::clear_cookie(state.config.secure_cookies()));
    // To the address they had: the last mail 책빵 sends them.
    notify(Mail {
        to: holder.email,
        subject: "[책빵] 탈퇴가 끝났어요".to_owned(),
        paragraphs: vec![
            format!(
                "{}님, 그동안 책빵을 이용해 주셔서 고마워요. 개인정보는 지웠고, 아이디 {}는 다시 쓸 수 없어요.",
                holder.nickname, holder.login_id
            ),
            "본인이 탈퇴하지 않았다면 고객센터로 바로 알려 주세요.".to_owned(),
        ],
        link: None,
    })
    .await;
    Ok(())
}
