import { expect, test } from '@playwright/test';
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
