import { expect, test } from './fixtures';
import { gotoHydrated, snap, watchConsole } from './helpers';

test('a buyer wishes a listing, finds it in 찜 목록, and reports it once', async ({ page }, info) => {
  const errors = watchConsole(page);
  const [buyer, nickname] = info.project.name === 'phone' ? ['busanbook', '부산책방'] : ['bookworm01', '책벌레'];
  await gotoHydrated(page, '/login');
  await page.locator('#f-login_id').fill(buyer);
  await page.locator('#f-password').fill('Bread1234');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="header-nickname"]')).toHaveText(`${nickname}님`);

  // Someone else's listing.
  const card = page.locator('[data-test="listing-card"]').filter({ hasNotText: nickname }).first();
  const title = (await card.locator('.title').textContent())!.trim();
  await card.locator('a.card-link').click();
  await expect(page.locator('[data-test="listing-title"]')).toHaveText(title);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  const wish = page.locator('[data-test="wish"]');
  const before = Number(await page.locator('[data-test="wish-count"]').textContent());
  await wish.click();
  await expect(wish).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-test="wish-count"]')).toHaveText(String(before + 1));

  await page.locator('[data-test="report-open"]').click();
  await page.getByText('불법 복제물 (제본·스캔본)').click();
  await page.getByRole('button', { name: '신고 보내기' }).click();
  await expect(page.locator('[data-test="report-done"]')).toBeVisible();
  await snap(page, info, 'wish-report');

  await gotoHydrated(page, '/me/wishes');
  await expect(page.locator('[data-test="listing-card"]').filter({ hasText: title })).toHaveCount(1);
  expect(errors).toEqual([]);
});
