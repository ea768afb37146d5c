import { expect, test } from '@playwright/test';
import { gotoHydrated, snap, watchConsole } from './helpers';

async function logIn(page: import('@playwright/test').Page, loginId: string) {
  await gotoHydrated(page, '/login?next=/sell');
  await page.locator('#f-login_id').fill(loginId);
  await page.locator('#f-password').fill('Bread1234');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="sell-form"]')).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

test('list a book by ISBN: inline errors, draft kept over a reload, then on home and its page', async ({ page }, info) => {
  const errors = watchConsole(page);
  // A demo seller per viewport, so the two runs do not share a draft or a lock-out.
  await logIn(page, info.project.name === 'phone' ? 'kaistcs' : 'maporeader');
  const started = Date.now();

  // An invalid price is flagged while typing, before any submit.
  await page.locator('#f-price').fill('12.5');
  await expect(page.locator('[data-test="field-price"] .err')).toHaveText('가격은 숫자로만 입력해 주세요. (원 단위)');

  // The ISBN (10 digits, hyphenated) finds the book, and what it sells for.
  await page.locator('#f-isbn').fill('89-364-3359-8');
  await expect(page.locator('[data-test="book-card"]')).toContainText('채식주의자');
  await expect(page.locator('[data-test="price-guide"]')).toContainText('판매 중 최저가');
  await page.locator('#f-price').fill('8,000');
  await expect(page.locator('[data-test="field-price"] .err')).toHaveCount(0);

  // The draft survives a reload.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('#f-price')).toHaveValue('8,000');
  await expect(page.locator('[data-test="book-card"]')).toContainText('채식주의자');

  await page.locator('[data-test="category-level-0"]').selectOption({ label: '문학' });
  await page.locator('[data-test="category-level-1"]').selectOption({ label: '한국문학' });
  await page.getByText('필기·밑줄이 있어요').click();
  await expect(page.locator('.grade.selected')).toHaveText('중');
  await page.getByText('택배', { exact: true }).click();
  await page.getByText('직거래 (만나서)').click();
  await page.locator('#f-meet_label').fill('신촌역 2번 출구');
  await page.getByText('안전결제 (구매 확정 후 정산)').click();
  await page.locator('#f-description').fill('밑줄 몇 군데 있어요. 표지 깨끗합니다.');
  await expect(page.locator('[data-test="description-count"]')).toHaveText('22 / 1000');
  await snap(page, info, 'sell-form');

  await page.getByRole('button', { name: '판매 시작하기' }).click();
  await expect(page).toHaveURL(/\/listings\/\d+$/);
  await expect(page.locator('[data-test="listing-title"]')).toHaveText('채식주의자');
  await expect(page.locator('[data-test="listing-price"]')).toHaveText('8,000원');
  await expect(page.locator('[data-test="listing-status"]')).toHaveText('판매중');
  const url = page.url();
  info.annotations.push({ type: 'list-a-book-ms', description: String(Date.now() - started) });
  console.log(`[${info.project.name}] listed a book in ${Date.now() - started} ms`);
  await snap(page, info, 'listing-detail');

  // The newest listing leads the home feed and opens its page.
  await gotoHydrated(page, '/');
  const first = page.locator('[data-test="listing-card"]').first();
  await expect(first).toContainText('채식주의자');
  await expect(first).toContainText('8,000원');
  await first.locator('a.card-link').click();
  await expect(page).toHaveURL(url);

  // The seller can mark it reserved from its page.
  await page.getByRole('button', { name: '예약중' }).click();
  await expect(page.locator('[data-test="listing-status"]')).toHaveText('예약중');
  expect(errors).toEqual([]);
});
