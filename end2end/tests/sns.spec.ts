import type { Page, TestInfo } from '@playwright/test';
import { allowConsoleErrors, expect, test } from './fixtures';
import { gotoHydrated, mailedCode, snap, uniqueMember } from './helpers';

/**
 * The provider's own page (not ours) loads a stylesheet from a CDN this machine cannot
 * reach, which is served empty, and has no favicon: its 404 is the provider's.
 */
async function expectProviderPage(page: Page, info: TestInfo) {
  await page.route('https://cdn.jsdelivr.net/**', (r) => r.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  allowConsoleErrors(info, /^http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?.*Failed to load resource: the server responded with a status of 404/);
}

/**
 * SNS sign-in against a real OpenID provider on loopback (oidc-provider-mock, started by
 * scripts/test and configured as the Google slot): its authorization page is where the
 * person says who they are, and its ID token is what the app checks.
 */
async function atProvider(page: Page, sub: string) {
  await page.locator('input[name="sub"]').fill(sub);
  await page.getByRole('button', { name: 'Authorize' }).click();
}

test('sign up with the OpenID provider, prove the address, and sign straight back in', async ({ page }, info) => {
  const m = uniqueMember(info);
  const sub = `oidc-${m.loginId}`;
  await gotoHydrated(page, '/login?next=/me/trades');
  await expect(page.locator('[data-test="sns-google"]')).toHaveText('Google로 계속하기');
  await snap(page, info, 'login-with-sns');
  await expectProviderPage(page, info);
  await page.locator('[data-test="sns-google"]').click();
  await atProvider(page, sub);

  // A first sign-in asks for what the provider did not give, and the consents.
  await expect(page).toHaveURL(/\/signup\/sns$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByRole('heading', { name: 'Google로 가입하기' })).toBeVisible();
  await page.locator('#f-name').fill('박지민');
  await page.locator('#f-nickname').fill(m.nickname);
  await page.locator('#f-email').fill(m.email);
  await page.locator('#f-birth_date').fill('2000-05-05');
  await page.getByRole('button', { name: '가입하기' }).click();
  await expect(page.getByText('이용약관에 동의해야 가입할 수 있습니다.')).toBeVisible();
  await expect(page.locator('#f-nickname')).toHaveValue(m.nickname);
  await page.locator('[data-test="agree-terms"]').click();
  await page.locator('[data-test="agree-privacy"]').click();
  await snap(page, info, 'sns-signup');
  await page.getByRole('button', { name: '가입하기' }).click();

  // The provider did not vouch for an address: the usual code proves the one given.
  await expect(page).toHaveURL(/\/verify$/);
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${m.nickname}님`);
  const code = await mailedCode(m.email, '가입 이메일');
  await page.locator('#f-code').fill(code);
  await page.locator('[data-test="verify-submit"]').click();
  await expect(page.locator('[data-test="verified"]')).toContainText(m.email);

  // 내 정보 shows the link, and that there is no password yet.
  await gotoHydrated(page, '/me');
  await expect(page.locator('[data-test="sns-link-google"]')).toContainText('연결 해제');
  await expect(page.locator('[data-test="no-password"]')).toBeVisible();
  await snap(page, info, 'me-sns-links');

  // Signed out, the same provider account signs straight back in, where it was going.
  await page.context().clearCookies();
  await gotoHydrated(page, '/login?next=/me/trades');
  await page.locator('[data-test="sns-google"]').click();
  await atProvider(page, sub);
  await expect(page).toHaveURL(/\/me\/trades$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${m.nickname}님`);
});

test('saying no at the provider comes back to the login page with the reason', async ({ page }, info) => {
  await gotoHydrated(page, '/login');
  await expectProviderPage(page, info);
  await page.locator('[data-test="sns-google"]').click();
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page).toHaveURL(/\/login\?sns_error=cancelled$/);
  await expect(page.locator('[data-test="sns-error"]')).toHaveText('SNS 로그인을 취소했어요.');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await snap(page, info, 'sns-cancelled');
});
