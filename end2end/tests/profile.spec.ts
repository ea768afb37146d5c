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
