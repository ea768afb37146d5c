//! The one error type of the app, shared by server functions and the browser.
//!
//! Internal causes (SQL, I/O, hashing) never reach the wire: the server logs the whole
//! cause chain and sends `Internal`, which carries no text. Everything else is meant for
//! the user and carries a Korean message (or per-field messages for forms).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// One field's problem, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input; one message per offending field.
    #[error("입력 내용을 확인해 주세요.")]
    Validation(Vec<FieldError>),
    /// The request itself was malformed (not produced by our UI).
    #[error("잘못된 요청입니다.")]
    BadRequest,
    #[error("로그인이 필요합니다.")]
    Unauthorized,
    #[error("권한이 없습니다.")]
    Forbidden,
    #[error("찾을 수 없습니다.")]
    NotFound,
    /// A member who has not yet entered the code mailed at sign-up tried to sell, chat
    /// or buy.
    #[error("이메일 인증을 마치면 판매·채팅·구매를 할 수 있어요.")]
    Unverified,
    /// A user-facing refusal with its own message (wrong password, already taken …).
    #[error("{0}")]
    Rejected(String),
    /// Wrong login ID or password.
    #[error("{0}")]
    BadCredentials(String),
    /// Too many attempts; the message says when to try again.
    #[error("{0}")]
    Locked(String),
    /// Too many requests of one kind in a window; says when to come back, which the
    /// HTTP answer also carries as `Retry-After`.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u32,
    },
    /// The upload is bigger than we accept; the message gives the limit.
    #[error("{0}")]
    TooLarge(String),
    /// A file of a kind we do not take (sniffed from its bytes, not its name).
    #[error("{0}")]
    Unsupported(String),
    /// The database gave up on this request because it collided with another one (a
    /// deadlock, a lock wait or, on Galera, a certification conflict), even after retries.
    #[error("요청이 한꺼번에 몰려 처리하지 못했어요. 잠시 후 다시 시도해 주세요.")]
    Busy,
    /// The connection to the database was lost while the request was using it, so
    /// whether its write committed is unknown. Retried only where a key makes a repeat
    /// recognisable (`db::retry_keyed`); the client is told to try again, which is safe
    /// for the same reason.
    #[error("잠시 서버 연결이 원활하지 않아요. 잠시 후 다시 시도해 주세요.")]
    Unavailable,
    /// The mail server did not take a mail the user is waiting for (a code).
    #[error("메일을 보내지 못했어요. 잠시 후 다시 시도해 주세요.")]
    MailNotSent,
    /// Anything that is our fault. Deliberately carries no detail.
    #[error("일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.")]
    Internal,
    /// The browser could not reach the server or could not read its answer.
    #[error("서버와 통신하지 못했습니다. 네트워크 상태를 확인해 주세요.")]
    Network,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The message for one form field, if this error names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// HTTP status for this error; server functions answer with it (see server::http).
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::BadRequest => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::Unverified => 403,
            AppError::NotFound => 404,
            AppError::Rejected(_) => 409,
            AppError::BadCredentials(_) => 401,
            AppError::Locked(_) => 423,
            AppError::RateLimited { .. } => 429,
            AppError::TooLarge(_) => 413,
            AppError::Busy | AppError::Unavailable | AppError::MailNotSent => 503,
            AppError::Unsupported(_) => 415,
            AppError::Internal | AppError::Network => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are the client's fault, not ours.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            // On the server these mean the request body could not be read or decoded
            // (cut off, too big, not UTF-8): the client's fault, never a 500.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::BadRequest
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::Network
            }
            ServerFnErrorErr::Response(_) => AppError::Network,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function framework error");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
mod server_conversions {
    use super::AppError;

    /// Logs the full cause chain and hides it from the client.
    pub fn internal(context: &str, cause: &(dyn std::error::Error + 'static)) -> AppError {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(context, error = %chain, "internal error");
        AppError::Internal
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> Self {
            use crate::server::metrics::{DB_TRANSIENT_ERRORS, TransientLabels};
            let transient = |kind: &'static str, outcome: AppError| {
                tracing::warn!(error = %e, kind, "database call failed for now");
                DB_TRANSIENT_ERRORS
                    .get_or_create(&TransientLabels { kind })
                    .inc();
                outcome
            };
            // Nothing committed: the transaction can simply run again.
            if let Some(kind) = crate::server::db::uncommitted_kind(&e) {
                return transient(kind, AppError::Busy);
            }
            // The connection broke under the request: maybe during COMMIT.
            if crate::server::db::is_connection_lost(&e) {
                return transient("connection_lost", AppError::Unavailable);
            }
            match &e {
                // No connection came free (or none could be opened) in time: nothing ran.
                sqlx::Error::PoolTimedOut => transient("pool_timeout", AppError::Busy),
                _ => internal("database", &e),
            }
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        fn from(e: tokio::task::JoinError) -> Self {
            internal("blocking task", &e)
        }
    }
}

#[cfg(feature = "ssr")]
pub use server_conversions::internal;

pub type AppResult<T> = Result<T, AppError>;
