//! The app: the HTML shell, `<App/>` with its routes, and the page title every page
//! passes through. Routes and layout only: features never import from here.

mod layout;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::features::accounts::api::{Logout, get_me};
use crate::features::accounts::auth::Auth;
use crate::features::accounts::pages::{
    ChangeEmailPage, ChangePasswordPage, FindIdPage, LoginPage, MyPage, ProfileEditPage,
    ResetPasswordPage, SignupPage, SnsSignupPage, VerifyEmailPage, WithdrawPage,
};
use crate::features::alerts::pages::AlertsPage;
use crate::features::catalog::pages::CategoryPage;
use crate::features::chat::live::ChatLive;
use crate::features::chat::pages::{ChatListPage, ChatRoomPage, ChatToast, provide_unread};
use crate::features::courses::pages::CoursesPage;
use crate::features::listings::pages::detail::ListingPage;
use crate::features::listings::pages::sell::{EditListingPage, SellPage};
use crate::features::listings::pages::{HomePage, MyListingsPage, MyWishesPage, SellerPage};
use crate::features::moderation::dashboard::AdminPage;
use crate::features::moderation::pages::AdminChatPage;
use crate::features::notifications::pages::{NotificationsPage, provide_notice_count};
use crate::features::orders::pages::{BuyPage, OrderPage, SandboxCheckoutPage, TradesPage};
use crate::features::search::pages::SearchPage;
use crate::ui::not_found::NotFound;
use layout::{BottomNav, Header};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="ko">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#c8792f" />
                <meta name="description" content="책빵 — 필요 없어진 책은 팔고, 필요한 책은 싸게. 대학 교재부터 소설까지 중고책 거래." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                // Not `defer` (hydrate when idle): tried, and Lighthouse's median got worse
                // on three of four pages (BENCHMARKS.md, Lighthouse).
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page's `<title>` passes through here: pages set only the text, never their own
/// formatter. leptos_meta (0.8.7, still in 0.9) writes the server's `<title>` without
/// escaping it, so a book title or search query could close the tag and run script; the
/// server escapes here, once for every page. The browser sets `document.title`, which is
/// plain text, so it gets the text as it is.
pub fn page_title(text: String) -> String {
    let title = if text.is_empty() {
        "책빵 · 중고책 거래".to_owned()
    } else {
        format!("{text} · 책빵")
    };
    if cfg!(feature = "ssr") {
        crate::ui::format::escape_html(&title)
    } else {
        title
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let logout = ServerAction::<Logout>::new();
    let refresh = RwSignal::new(0u32);
    let me = Resource::new(
        move || (refresh.get(), logout.version().get()),
        |_| get_me(),
    );
    provide_context(Auth {
        logout,
        refresh,
        me,
    });
    // One chat connection per tab, opened once someone is signed in (browser only).
    let chat = ChatLive::provide();
    provide_unread();
    provide_notice_count();
    Effect::new(move |_| {
        if let Some(Ok(Some(_))) = me.get() {
            chat.start();
        }
    });

    // Effects run only in the browser: this marks the page as hydrated (interactive),
    // which the end-to-end tests wait for before clicking. Not after a panic: a page
    // whose hydration broke is not interactive, whatever ran after it.
    Effect::new(move |_| {
        if let Some(body) = document().body()
            && !crate::PANICKED.load(std::sync::atomic::Ordering::Relaxed)
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=page_title />
        <Router>
            <a class="skip-link" href="#main">"본문으로 건너뛰기"</a>
            <Header />
            <main id="main" class="container">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    // Async: one finished page, not streamed pieces swapped in by script,
                    // so results show without JavaScript and the page costs less to serve.
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/categories") view=CategoryPage />
                    // Async: wait for the data before sending headers, so an unknown
                    // category answers 404 rather than a streamed 200.
                    <Route path=path!("/categories/:id") view=CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/signup") view=SignupPage />
                    <Route path=path!("/signup/sns") view=SnsSignupPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/verify") view=VerifyEmailPage />
                    <Route path=path!("/find/id") view=FindIdPage />
                    <Route path=path!("/find/password") view=ResetPasswordPage />
                    <Route path=path!("/me") view=MyPage />
                    <Route path=path!("/me/edit") view=ProfileEditPage />
                    <Route path=path!("/me/password") view=ChangePasswordPage />
                    <Route path=path!("/me/email") view=ChangeEmailPage />
                    <Route path=path!("/me/withdraw") view=WithdrawPage />
                    <Route path=path!("/me/listings") view=MyListingsPage />
                    <Route path=path!("/me/wishes") view=MyWishesPage />
                    <Route path=path!("/sellers/:id") view=SellerPage ssr=SsrMode::Async />
                    <Route path=path!("/sell") view=SellPage />
                    <Route path=path!("/listings/:id") view=ListingPage ssr=SsrMode::Async />
                    <Route path=path!("/listings/:id/edit") view=EditListingPage />
                    <Route path=path!("/listings/:id/buy") view=BuyPage />
                    <Route path=path!("/pay/sandbox/:attempt") view=SandboxCheckoutPage />
                    <Route path=path!("/orders/:id") view=OrderPage />
                    <Route path=path!("/me/trades") view=TradesPage />
                    <Route path=path!("/me/alerts") view=AlertsPage />
                    <Route path=path!("/notifications") view=NotificationsPage />
                    <Route path=path!("/courses") view=CoursesPage ssr=SsrMode::Async />
                    <Route path=path!("/chat") view=ChatListPage />
                    <Route path=path!("/chat/:id") view=ChatRoomPage />
                    <Route path=path!("/admin") view=AdminPage />
                    <Route path=path!("/admin/chat") view=AdminChatPage />
                </Routes>
            </main>
            <ChatToast />
            <BottomNav />
        </Router>
    }
}
