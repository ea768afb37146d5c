import { allowConsoleErrors, expect, test } from './fixtures';
import { gotoHydrated, mailedCode, signUp, snap, uniqueMember, watchConsole } from './helpers';

test('home shows the demo marketplace, hydrated, with no console errors', async ({ page }, info) => {
  const errors = watchConsole(page);
  await gotoHydrated(page, '/');
  await expect(page).toHaveTitle(/책빵/);
  await expect(page.getByRole('heading', { name: '방금 올라온 책' })).toBeVisible();
  const cards = page.locator('[data-test="listing-card"]');
  expect(await cards.count()).toBeGreaterThanOrEqual(12);
  await expect(cards.first().locator('.price')).toHaveText(/^[\d,]+원$/);
  // A visitor's one account control: 로그인 on a phone (sign-up is one tap further, on
  // the login page), both on a wide screen.
  if (info.project.name === 'phone') {
    await page.locator('.site-header').getByRole('link', { name: '로그인' }).click();
    await expect(page.getByRole('link', { name: '회원가입' })).toBeVisible();
    await gotoHydrated(page, '/');
  } else {
    await expect(page.getByRole('link', { name: '회원가입' })).toBeVisible();
  }
  await snap(page, info, 'home');
  expect(errors).toEqual([]);
});

// Console errors on every page are checked by the suite-wide watch (fixtures.ts).
test('sign up (inline error first), log out, log in, name in the header', async ({ page }, info) => {
  const m = uniqueMember(info);
  await gotoHydrated(page, '/signup');

  // Rules run in the browser while typing: no submit needed to see the error.
  await page.locator('#f-login_id').fill('ab');
  await expect(page.locator('[data-test="field-login_id"] .err')).toHaveText('아이디는 6~20자여야 합니다.');
  await page.locator('#f-password').fill('short');
  await expect(page.locator('[data-test="field-password"] .err')).toHaveText('비밀번호는 8~20자여야 합니다.');
  await snap(page, info, 'signup-inline-error');

  // The availability check is a debounced server call: proof the page is live.
  await page.locator('#f-login_id').fill(m.loginId);
  await expect(page.locator('[data-test="field-login_id"] .ok')).toHaveText('사용할 수 있는 아이디입니다.');
  await page.locator('#f-password').fill(m.password);
  await page.locator('#f-password_confirm').fill(m.password);
  await page.locator('#f-name').fill('김테스트');
  await page.locator('#f-nickname').fill(m.nickname);
  await page.locator('#f-email').fill(m.email);
  await page.locator('#f-birth_date').fill('2001-03-15');

  // Submitting without consent keeps everything typed and says what is missing.
  await page.getByRole('button', { name: '가입하기' }).click();
  await expect(page.getByText('이용약관에 동의해야 가입할 수 있습니다.')).toBeVisible();
  await expect(page.locator('#f-login_id')).toHaveValue(m.loginId);
  await expect(page.locator('#f-email')).toHaveValue(m.email);

  await page.getByText('전체 동의').click();
  await page.getByRole('button', { name: '가입하기' }).click();
  // Signed in, and asked for the code just mailed to the address given.
  await expect(page).toHaveURL(/\/verify$/);
  await expect(page.locator('[data-test="verify-to"]')).toContainText(m.email);
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${m.nickname}님`);
  await snap(page, info, 'verify-email');

  // Until then selling is refused, with the way to the code on every page.
  await gotoHydrated(page, '/sell');
  await expect(page.locator('[data-test="verify-banner"]')).toBeVisible();
  await expect(page.locator('[data-test="verify-first"]')).toContainText('책을 팔려면 먼저');
  await snap(page, info, 'sell-before-verification');
  await page.locator('[data-test="verify-first"]').getByRole('link', { name: '이메일 인증하기' }).click();
  await expect(page).toHaveURL(/\/verify$/);
  const code = await mailedCode(m.email, '가입 이메일');
  allowConsoleErrors(info, /\/verify: Failed to load resource: the server responded with a status of 422/);
  await page.locator('#f-code').fill(code === '000000' ? '111111' : '000000');
  await page.locator('[data-test="verify-submit"]').click();
  await expect(page.locator('[data-test="field-code"] .err')).toHaveText('인증 코드가 맞지 않아요. (남은 기회 4번)');
  await page.locator('#f-code').fill(code);
  await page.locator('[data-test="verify-submit"]').click();
  await expect(page.locator('[data-test="verified"]')).toContainText(m.email);
  await snap(page, info, 'verified');
  await page.getByRole('link', { name: '책 팔기' }).click();
  await expect(page.locator('#f-isbn')).toBeVisible();
  await expect(page.locator('[data-test="verify-banner"]')).toHaveCount(0);

  await gotoHydrated(page, '/');
  // One header row, signed in too: on a phone the tabs do the navigating.
  const header = await page.locator('.site-header').boundingBox();
  expect(header!.height).toBeLessThan(80);
  await snap(page, info, 'signed-in-home');

  // Log out: from the header on a wide screen, from 내 정보 on a phone.
  if (await page.locator('[data-test="logout"]').isVisible()) {
    await page.locator('[data-test="logout"]').click();
  } else {
    await page.locator('.bottom-nav').getByRole('link', { name: '내 정보' }).click();
    // 내 정보 asks for the member again once logged out, and is told 401.
    allowConsoleErrors(info, /\/me: Failed to load resource: the server responded with a status of 401/);
    await page.locator('[data-test="me-logout"]').click();
  }
  await expect(page.getByRole('link', { name: '로그인' }).first()).toBeVisible();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveCount(0);

  await gotoHydrated(page, '/login');
  await page.locator('#f-login_id').fill(m.loginId);
  await page.locator('#f-password').fill(m.password);
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${m.nickname}님`);

  await gotoHydrated(page, '/me');
  await expect(page.locator('[data-test="my-nickname"]')).toHaveText(m.nickname);
  await expect(page.getByText('이용약관 · 2026-11-01 버전')).toBeVisible();
  await snap(page, info, 'my-page');
});

test('a wrong password says so and counts down; what was typed stays', async ({ page }, info) => {
  // The browser logs the 401 answer itself; that is the expected outcome here.
  const errors = watchConsole(page, [/status of 401/]);
  await gotoHydrated(page, '/login');
  await page.locator('#f-login_id').fill('sinchon22');
  await page.locator('#f-password').fill('WrongPass1');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="login-error"]')).toContainText('아이디 또는 비밀번호가 올바르지 않습니다.');
  await expect(page.locator('[data-test="login-error"]')).toContainText('남은 시도');
  await expect(page.locator('#f-login_id')).toHaveValue('sinchon22');
  await expect(page.locator('#f-password')).toHaveValue('WrongPass1');
  await expect(page.locator('[data-test="field-password"] .err')).toHaveCount(0);
  await snap(page, info, 'login-error');
  expect(errors).toEqual([]);
});

test('members-only page asks a visitor to log in; unknown pages are a Korean 404', async ({ page }, info) => {
  await gotoHydrated(page, '/me');
  await expect(page.locator('[data-test="login-required"]')).toBeVisible();
  // Chromium logs the 404 document itself as a console error; nothing else may be.
  allowConsoleErrors(info, /no-such-page: Failed to load resource: the server responded with a status of 404/);
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '페이지를 찾을 수 없습니다' })).toBeVisible();
  await snap(page, info, 'not-found');
});

test('header search finds a seeded book', async ({ page }, info) => {
  await gotoHydrated(page, '/');
  await page.getByPlaceholder('책 제목, 저자, ISBN 검색').fill('토비');
  await page.getByPlaceholder('책 제목, 저자, ISBN 검색').press('Enter');
  await expect(page).toHaveURL(/\/search\?q=/);
  await expect(page.locator('[data-test="listing-card"]').first()).toContainText('토비의 스프링');
  await snap(page, info, 'search');
});

test('before the mailed code, 채팅하기 and 구매하기 say why and lead to the code', async ({ page }, info) => {
  const m = uniqueMember(info);
  await signUp(page.request, m, { verify: false });
  await gotoHydrated(page, '/');
  await page.locator('[data-test="listing-card"] .card-link').first().click();
  await expect(page.locator('[data-test="chat-open"]')).toBeVisible();
  // Refused by the server (403), and the browser logs that answer.
  allowConsoleErrors(info, /Failed to load resource: the server responded with a status of 403/);
  await page.locator('[data-test="chat-open"]').click();
  await expect(page.locator('[data-test="form-error"]')).toContainText('이메일 인증을 마치면 판매·채팅·구매를 할 수 있어요.');
  await expect(page.locator('[data-test="verify-link"]')).toBeVisible();
  await page.locator('[data-test="buy"]').click();
  await expect(page.locator('[data-test="form-error"]')).toContainText('이메일 인증을 마치면');
  await snap(page, info, 'buy-before-verification');
  await page.locator('[data-test="verify-link"]').click();
  await expect(page).toHaveURL(/\/verify$/);
  await expect(page.locator('[data-test="verify-to"]')).toContainText(m.email);
});
