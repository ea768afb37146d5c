import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { gotoHydrated, isbn, listBook, signUp, snap, uniqueMember, watchConsole } from './helpers';

// Markup that runs script if it is ever parsed as HTML: an inline handler, a script
// tag and a title break-out. None of it may run or even be blocked by the CSP (a
// blocked inline handler logs a console error, which fails the test as well).
const payload = `</title><img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>`;

/** Collects every dialog (alert, confirm) a page opens: script that ran would open one. */
function watchDialogs(page: Page, dialogs: string[]) {
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
}

async function assertInert(page: Page, errors: string[]) {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // The hostile text is text: the title holds it literally.
  expect(await page.title()).toContain('</title><img src=x');
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(errors).toEqual([]);
}

test('a search query with markup stays text, in the title and on the page', async ({ page }, info) => {
  const errors = watchConsole(page);
  const dialogs: string[] = [];
  watchDialogs(page, dialogs);
  const res = await page.goto('/search?q=' + encodeURIComponent(payload));
  const csp = res!.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'nonce-");
  expect(csp).not.toContain("'unsafe-inline' 'strict-dynamic'");
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('[data-test="search-heading"]')).toContainText('</title><img src=x');
  await assertInert(page, errors);
  expect(dialogs).toEqual([]);
  await snap(page, info, 'xss-search');
});

test('a book title with markup stays text on the listing and in the chat room', async ({ page }, info) => {
  const errors = watchConsole(page);
  const dialogs: string[] = [];
  watchDialogs(page, dialogs);
  const seller = uniqueMember(info);
  await signUp(page.context().request, seller);
  // A book no catalog knows: its title is what the seller typed.
  const listing = await listBook(page.context().request, {
    isbn: isbn(Date.now() % 10_000_000),
    price: '5000',
    book_title: payload,
    book_author: payload,
    book_publisher: '공격출판',
  });
  await gotoHydrated(page, `/listings/${listing}`);
  await expect(page.locator('[data-test="listing-title"]')).toHaveText(payload);
  await assertInert(page, errors);
  // A long unbroken title wraps instead of widening the page (on a phone too).
  for (const path of [`/listings/${listing}`, '/', '/search']) {
    await gotoHydrated(page, path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }

  // The buyer's chat room is titled by the book as well.
  const buyerContext = await page.context().browser()!.newContext({ baseURL: info.project.use.baseURL, locale: 'ko-KR' });
  const buyerPage = await buyerContext.newPage();
  const buyerErrors = watchConsole(buyerPage);
  watchDialogs(buyerPage, dialogs);
  await signUp(buyerContext.request, uniqueMember(info));
  await gotoHydrated(buyerPage, `/listings/${listing}`);
  await buyerPage.locator('[data-test="chat-open"]').click();
  await expect(buyerPage).toHaveURL(/\/chat\/\d+$/);
  // Loaded afresh, so the server writes the room's title into the head.
  await gotoHydrated(buyerPage, new URL(buyerPage.url()).pathname);
  await assertInert(buyerPage, buyerErrors);
  expect(dialogs).toEqual([]);
  await snap(buyerPage, info, 'xss-chat-room');
  await buyerContext.close();
});
