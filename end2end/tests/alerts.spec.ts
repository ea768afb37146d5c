import { expect, test } from './fixtures';
import { gotoHydrated, isbn, listBook, signUp, snap, uniqueMember, watchConsole } from './helpers';

test('a saved search tells the buyer when a matching book is listed', async ({ page, browser, baseURL }, info) => {
  const errors = watchConsole(page);
  await signUp(page.context().request, uniqueMember(info));
  const word = `희귀본${Date.now().toString(36).slice(-5)}`;

  // Nothing yet: the buyer asks to be told.
  await gotoHydrated(page, '/search?q=' + encodeURIComponent(word));
  await expect(page.locator('[data-test="no-results"]')).toBeVisible();
  await page.locator('[data-test="alert-save"]').click();
  await expect(page.locator('[data-test="alert-saved"]')).toBeVisible();

  // Someone lists it.
  const seller = await browser.newContext({ baseURL });
  await signUp(seller.request, { ...uniqueMember(info), nickname: `판${Date.now().toString(36).slice(-6)}` });
  await listBook(seller.request, {
    isbn: isbn(Date.now() % 9_000_000),
    book_title: `${word} 초판`,
    book_author: '김저자',
    book_publisher: '책빵출판',
    price: '15000',
  });
  await seller.close();

  await gotoHydrated(page, '/me/alerts');
  await expect(page.locator('[data-test="alert-row"]')).toContainText(word);
  await expect(page.locator('[data-test="new-hits"]')).toHaveText('새 책 1');
  await expect(page.locator('[data-test="listing-card"]')).toContainText(`${word} 초판`);
  await snap(page, info, 'alerts');
  expect(errors).toEqual([]);
});
