//! Which SNS providers this site offers, read from the environment at start-up. A
//! provider shows its button only when its client ID is set.

use crate::features::accounts::types::sns::SnsProvider;

pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
pub const KAKAO_ISSUER: &str = "https://kauth.kakao.com";
pub const NAVER_AUTH_BASE: &str = "https://nid.naver.com";
pub const NAVER_API_BASE: &str = "https://openapi.naver.com";

/// One provider's client registration.
#[derive(Clone)]
pub struct ProviderSettings {
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The OpenID issuer (Google, Kakao) or Naver's login host.
    pub base: String,
    /// Naver only: the host of its profile API.
    pub api_base: String,
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("base", &self.base)
            .finish()
    }
}

#[derive(Debug, Clone, Default)]
pub struct SnsSettings {
    pub kakao: Option<ProviderSettings>,
    pub naver: Option<ProviderSettings>,
    pub google: Option<ProviderSettings>,
}

impl SnsSettings {
    /// From `{KAKAO,NAVER,GOOGLE}_LOGIN_CLIENT_ID` and `_LOGIN_CLIENT_SECRET`;
    /// `KAKAO_LOGIN_ISSUER`, `GOOGLE_LOGIN_ISSUER`, `NAVER_LOGIN_AUTH_BASE` and
    /// `NAVER_LOGIN_API_BASE` point elsewhere (tests). Named apart from the book-search
    /// keys (`KAKAO_REST_API_KEY`, `NAVER_CLIENT_ID`): turning on book search must not
    /// put up a sign-in button the provider was never asked to allow.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        let provider = |prefix: &str, base_var: &str, base: &str| {
            Some(ProviderSettings {
                client_id: var(&format!("{prefix}_LOGIN_CLIENT_ID"))?,
                client_secret: var(&format!("{prefix}_LOGIN_CLIENT_SECRET")),
                base: var(base_var).unwrap_or_else(|| base.to_owned()),
                api_base: var("NAVER_LOGIN_API_BASE").unwrap_or_else(|| NAVER_API_BASE.to_owned()),
            })
        };
        Self {
            kakao: provider("KAKAO", "KAKAO_LOGIN_ISSUER", KAKAO_ISSUER),
            naver: provider("NAVER", "NAVER_LOGIN_AUTH_BASE", NAVER_AUTH_BASE),
            google: provider("GOOGLE", "GOOGLE_LOGIN_ISSUER", GOOGLE_ISSUER),
        }
    }

    pub fn get(&self, provider: SnsProvider) -> Option<&ProviderSettings> {
        match provider {
            SnsProvider::Kakao => self.kakao.as_ref(),
            SnsProvider::Naver => self.naver.as_ref(),
            SnsProvider::Google => self.google.as_ref(),
        }
    }

    pub fn set(&mut self, provider: SnsProvider, settings: Option<ProviderSettings>) {
        match provider {
            SnsProvider::Kakao => self.kakao = settings,
            SnsProvider::Naver => self.naver = settings,
            SnsProvider::Google => self.google = settings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> SnsSettings {
        SnsSettings::from_env(|k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn book_search_keys_do_not_turn_on_sign_in() {
        let s = from(&[
            ("NAVER_CLIENT_ID", "search"),
            ("NAVER_CLIENT_SECRET", "s"),
            ("KAKAO_REST_API_KEY", "k"),
        ]);
        assert!(s.kakao.is_none() && s.naver.is_none() && s.google.is_none());
    }

    #[test]
    fn each_provider_by_its_login_client_id_with_real_endpoints_by_default() {
        let s = from(&[
            ("KAKAO_LOGIN_CLIENT_ID", "rest-key"),
            ("GOOGLE_LOGIN_CLIENT_ID", "g.apps.googleusercontent.com"),
            ("GOOGLE_LOGIN_CLIENT_SECRET", "g-secret"),
            ("GOOGLE_LOGIN_ISSUER", "http://127.0.0.1:9400"),
        ]);
        let kakao = s.get(SnsProvider::Kakao).unwrap();
        assert_eq!(kakao.base, KAKAO_ISSUER);
        assert_eq!(kakao.client_secret, None);
        let google = s.get(SnsProvider::Google).unwrap();
        assert_eq!(google.base, "http://127.0.0.1:9400");
        assert_eq!(google.client_secret.as_deref(), Some("g-secret"));
        assert!(s.get(SnsProvider::Naver).is_none());
        // The secret stays out of logs.
        assert!(!format!("{s:?}").contains("g-secret"));
    }
}
