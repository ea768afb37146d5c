import { expect, test } from './fixtures';
import { gotoHydrated, snap, watchConsole } from './helpers';

test('browse textbooks level by level: 대학교재 › 공과대학 › 컴퓨터공학과', async ({ page }, info) => {
  const errors = watchConsole(page);
  await gotoHydrated(page, '/');
  await page.getByRole('link', { name: '대학교재 분야 ›' }).click();
  await expect(page.locator('[data-test="category-title"]')).toHaveText('대학교재');
  // Everything under 대학교재 is listed, including books filed three levels down.
  await expect(page.locator('[data-test="listing-card"]').first()).toBeVisible();

  await page.locator('[data-test="category-children"]').getByRole('link', { name: /공과대학/ }).click();
  await expect(page.locator('[data-test="category-title"]')).toHaveText('공과대학');
  await page.locator('[data-test="category-children"]').getByRole('link', { name: /컴퓨터공학과/ }).click();
  await expect(page.locator('[data-test="category-title"]')).toHaveText('컴퓨터공학과');
  await expect(page.locator('[data-test="category-children"]')).toContainText('자료구조');
  await expect(page.locator('[data-test="listing-card"]').filter({ hasText: '운영체제' }).first()).toBeVisible();
  await expect(page.getByRole('navigation', { name: '분야 경로' })).toContainText('대학교재');
  await snap(page, info, 'category');

  // The breadcrumb goes back up.
  await page.getByRole('navigation', { name: '분야 경로' }).getByRole('link', { name: '대학교재' }).click();
  await expect(page.locator('[data-test="category-title"]')).toHaveText('대학교재');
  expect(errors).toEqual([]);
});

test("a seller's page works reached from a listing and loaded directly", async ({ page }, info) => {
  // A demo listing whose seller has finished trades and reviews.
  await gotoHydrated(page, '/');
  await page.locator('[data-test="listing-card"] a.card-link').first().click();
  const card = page.locator('[data-test="seller-card"]');
  await expect(card).toBeVisible();
  const nickname = (await card.locator('a.name').textContent())!.trim();
  // In the app: the page loads its data through the server function.
  await card.locator('a.name').click();
  await expect(page).toHaveURL(/\/sellers\/\d+$/);
  await expect(page.locator('[data-test="seller-profile"] h1')).toHaveText(nickname);
  await expect(page.locator('[data-test="review-list"]')).toBeVisible();
  await expect(page.locator('[data-test="listing-card"]').first()).toBeVisible();
  // Loaded directly: the server's page hydrates, and its links work.
  await gotoHydrated(page, new URL(page.url()).pathname);
  await expect(page.locator('[data-test="seller-profile"] h1')).toHaveText(nickname);
  await snap(page, info, 'seller-page');
  const first = page.locator('[data-test="listing-card"]').first();
  const title = (await first.locator('h3, .title').first().textContent())?.trim() ?? '';
  await first.locator('a.card-link').click();
  await expect(page).toHaveURL(/\/listings\/\d+$/);
  if (title) await expect(page.locator('[data-test="listing-title"]')).toContainText(title.slice(0, 4));
});
