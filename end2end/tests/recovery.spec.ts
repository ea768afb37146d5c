import { allowConsoleErrors, expect, test } from './fixtures';
import { gotoHydrated, mailedCode, signUp, snap, uniqueMember } from './helpers';

// The codes come from a real SMTP receiver on loopback (scripts/test starts aiosmtpd);
// the app's SMTP client delivered them.

test('a forgotten password is reset with the mailed code, and the new one logs in', async ({ page, request, browser, baseURL }, info) => {
  const m = uniqueMember(info);
  await signUp(request, m); // from another browser: this page is signed out
  await gotoHydrated(page, '/login');
  await page.locator('[data-test="recovery-links"]').getByRole('link', { name: '비밀번호 재설정' }).click();
  await expect(page).toHaveURL(/\/find\/password$/);
  // A wrong address in the form is named before anything is sent.
  await page.locator('#f-login_id').fill(m.loginId);
  await page.locator('#f-email').fill('not-an-email');
  await page.locator('[data-test="reset-send"]').click();
  await expect(page.locator('[data-test="field-email"] .err')).toBeVisible();
  await page.locator('#f-email').fill(m.email);
  await page.locator('[data-test="reset-send"]').click();
  await expect(page.locator('[data-test="code-sent"]')).toBeVisible();

  const code = await mailedCode(m.email, '비밀번호 재설정');
  await page.locator('#f-code').fill(code);
  await page.locator('#f-password').fill('Fresh9Bread');
  await page.locator('#f-password_confirm').fill('Fresh9Brea');
  await page.locator('[data-test="reset-submit"]').click();
  await expect(page.locator('[data-test="field-password_confirm"] .err')).toHaveText('비밀번호가 일치하지 않습니다.');
  await page.locator('#f-password_confirm').fill('Fresh9Bread');
  await snap(page, info, 'reset-password');
  await page.locator('[data-test="reset-submit"]').click();
  await expect(page.locator('[data-test="reset-done"]')).toBeVisible();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${m.nickname}님`);

  // The old password no longer opens the account; the new one does.
  const fresh = await browser.newContext({ baseURL });
  const login = (password: string) =>
    fresh.request.post('/api/accounts/login', {
      form: { 'input[login_id]': m.loginId, 'input[password]': password },
      headers: { 'Sec-Fetch-Site': 'same-origin' },
    });
  expect((await login(m.password)).status()).toBe(401);
  expect((await login('Fresh9Bread')).status()).toBe(200);
  await fresh.close();
});

test('a forgotten ID shows masked, then whole after the mailed code', async ({ page, request }, info) => {
  const m = uniqueMember(info);
  await signUp(request, m);
  await gotoHydrated(page, '/find/id');
  await page.locator('#f-name').fill('김독서');
  await page.locator('#f-email').fill(m.email);
  await page.locator('[data-test="find-id-submit"]').click();
  const masked = page.locator('[data-test="masked-id"] strong');
  await expect(masked).toHaveText(/^[a-z0-9]{2,3}\*\*\*[a-z0-9]{1,2}$/);
  expect(m.loginId.startsWith((await masked.textContent())!.split('*')[0])).toBe(true);
  await page.locator('[data-test="find-id-send"]').click();
  await expect(page.locator('[data-test="code-sent"]')).toBeVisible();
  const code = await mailedCode(m.email, '아이디 찾기');
  // A wrong code says how many tries are left; fixing it then goes through.
  allowConsoleErrors(info, /\/find\/id: Failed to load resource: the server responded with a status of 422/);
  await page.locator('#f-code').fill(code === '000000' ? '111111' : '000000');
  await page.locator('[data-test="find-id-confirm"]').click();
  await expect(page.locator('[data-test="field-code"] .err')).toHaveText('인증 코드가 맞지 않아요. (남은 기회 4번)');
  await page.locator('#f-code').fill(code);
  await expect(page.locator('[data-test="field-code"] .err')).toHaveCount(0); // edited: the refusal goes
  await snap(page, info, 'find-id-code');
  await page.locator('[data-test="find-id-confirm"]').click();
  await expect(page.locator('[data-test="whole-id"] strong')).toHaveText(m.loginId);
});
