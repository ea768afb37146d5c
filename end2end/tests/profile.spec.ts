import { allowConsoleErrors, expect, test } from './fixtures';
import { gotoHydrated, mailedCode, signUp, snap, uniqueMember } from './helpers';

test('a member edits their profile and changes their password from 내 정보', async ({ page }, info) => {
  const m = uniqueMember(info);
  await signUp(page.request, m); // the page's own cookies: signed in
  await gotoHydrated(page, '/me');
  await page.locator('[data-test="edit-profile-link"]').click();
  await expect(page.locator('#f-name')).toHaveValue('김독서');
  const nickname = `새${m.nickname.slice(1)}`;
  await page.locator('#f-nickname').fill(nickname);
  await page.locator('#f-gender').selectOption('female');
  // The wrong password is named under its field, and everything typed stays.
  allowConsoleErrors(info, /\/me\/edit: Failed to load resource: the server responded with a status of 422/);
  await page.locator('#f-current_password').fill('Wr0ngpassword');
  await page.locator('[data-test="profile-save"]').click();
  await expect(page.locator('[data-test="field-current_password"] .err')).toHaveText('비밀번호가 맞지 않아요.');
  await expect(page.locator('#f-nickname')).toHaveValue(nickname);
  await page.locator('#f-current_password').fill(m.password);
  await page.locator('[data-test="profile-save"]').click();
  await expect(page.locator('[data-test="profile-saved"]')).toBeVisible();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${nickname}님`);
  await snap(page, info, 'profile-edit');

  await gotoHydrated(page, '/me/password');
  await page.locator('#f-current_password').fill(m.password);
  await page.locator('#f-password').fill('Fresh9Bread');
  await page.locator('#f-password_confirm').fill('Fresh9Bread');
  await page.locator('[data-test="password-save"]').click();
  await expect(page.locator('[data-test="password-changed"]')).toBeVisible();
  // Still signed in here.
  await gotoHydrated(page, '/me');
  await expect(page.locator('[data-test="my-nickname"]')).toHaveText(nickname);
});

test('a new email is proved with the code sent to it before it counts', async ({ page }, info) => {
  const m = uniqueMember(info);
  await signUp(page.request, m);
  await gotoHydrated(page, '/me/email');
  const fresh = `moved.${m.email}`;
  await page.locator('#f-email').fill(fresh);
  await page.locator('#f-current_password').fill(m.password);
  await page.locator('[data-test="email-send"]').click();
  await expect(page.locator('[data-test="code-sent"]')).toContainText(fresh);
  await page.locator('#f-code').fill(await mailedCode(fresh, '이메일 변경'));
  await snap(page, info, 'change-email');
  await page.locator('[data-test="email-confirm"]').click();
  await expect(page.locator('[data-test="email-changed"]')).toBeVisible();
  await gotoHydrated(page, '/me');
  await expect(page.locator('[data-test="account-info"]')).toContainText(fresh);
});

test('a member leaves from 내 정보: terms, password, signed out, the ID gone for good', async ({ page }, info) => {
  const m = uniqueMember(info);
  await signUp(page.request, m);
  await gotoHydrated(page, '/me');
  await page.locator('[data-test="withdraw-link"]').click();
  await expect(page.locator('[data-test="withdraw-terms"]')).toContainText(`아이디 ${m.loginId}는 다시 가입하는 데 쓸 수 없어요.`);
  // Nothing ticked, nothing typed: both are named.
  await page.locator('[data-test="withdraw-submit"]').click();
  await expect(page.getByText('탈퇴 안내를 읽고 동의해 주세요.')).toBeVisible();
  await expect(page.locator('[data-test="field-current_password"] .err')).toHaveText('지금 쓰는 비밀번호를 입력해 주세요.');
  allowConsoleErrors(info, /\/me\/withdraw: Failed to load resource: the server responded with a status of 422/);
  await page.locator('[data-test="withdraw-agree"]').click();
  await page.locator('#f-current_password').fill('Wr0ngpassword');
  await page.locator('[data-test="withdraw-submit"]').click();
  await expect(page.locator('[data-test="field-current_password"] .err')).toHaveText('비밀번호가 맞지 않아요.');
  await snap(page, info, 'withdraw');
  await page.locator('#f-current_password').fill(m.password);
  await page.locator('[data-test="withdraw-submit"]').click();
  await expect(page.locator('[data-test="withdrawn"]')).toBeVisible();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveCount(0);
  await snap(page, info, 'withdrawn');

  // The old ID and password open nothing.
  allowConsoleErrors(info, /\/login: Failed to load resource: the server responded with a status of 401/);
  await gotoHydrated(page, '/login');
  await page.locator('#f-login_id').fill(m.loginId);
  await page.locator('#f-password').fill(m.password);
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="login-error"]')).toContainText('아이디 또는 비밀번호가 올바르지 않습니다.');
});
