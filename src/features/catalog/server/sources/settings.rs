//! Which outside book sources run, read from the environment at start-up.

use super::{kakao, naver};

#[derive(Clone)]
pub struct SourceSettings {
    /// Kakao book search (disabled without a key); base URL overridable for tests.
    pub kakao_rest_api_key: Option<String>,
    pub kakao_api_base: String,
    /// Naver book search: (client id, client secret); disabled without them.
    pub naver_client: Option<(String, String)>,
    pub naver_api_base: String,
}

impl std::fmt::Debug for SourceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceSettings")
            .field("kakao", &self.kakao_rest_api_key.as_ref().map(|_| "***"))
            .field("naver", &self.naver_client.as_ref().map(|_| "***"))
            .finish()
    }
}

impl SourceSettings {
    /// From `KAKAO_REST_API_KEY`, `NAVER_CLIENT_ID`/`NAVER_CLIENT_SECRET` and their bases.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            kakao_rest_api_key: var("KAKAO_REST_API_KEY"),
            kakao_api_base: var("KAKAO_API_BASE").unwrap_or_else(|| kakao::DEFAULT_BASE.into()),
            naver_client: var("NAVER_CLIENT_ID").zip(var("NAVER_CLIENT_SECRET")),
            naver_api_base: var("NAVER_API_BASE").unwrap_or_else(|| naver::DEFAULT_BASE.into()),
        }
    }

    /// Our own catalog only.
    pub fn for_tests() -> Self {
        Self::from_env(|_| None)
    }
}
