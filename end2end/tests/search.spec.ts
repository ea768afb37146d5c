import { expect, test } from './fixtures';
import { gotoHydrated, isbn, listBook, signUp, snap, uniqueMember, watchConsole } from './helpers';

const won = (text: string) => Number(text.replace(/[^0-9]/g, ''));

test('search: filter and sort in the URL, page two in place, open a result', async ({ page }, info) => {
  const errors = watchConsole(page);
  await gotoHydrated(page, '/search');
  await expect(page.locator('[data-test="search-heading"]')).toHaveText('책 둘러보기');
  const cards = page.locator('[data-test="listing-card"]');
  await expect(cards).toHaveCount(20);

  // Sort by price and keep only parcel delivery, in the filter sheet (a bottom sheet on
  // a phone, a panel on a wide screen): a plain GET form, so the URL holds it.
  const sheet = page.locator('[data-test="search-filters"]');
  await expect(sheet).toBeHidden();
  await page.locator('[data-test="filter-open"]').click();
  await expect(sheet).toBeVisible();
  await page.locator('[data-test="filter-sort"]').selectOption('price_asc');
  await sheet.getByText('택배', { exact: true }).click();
  await snap(page, info, 'search-filter-sheet');
  await page.locator('[data-test="filter-apply"]').click();
  await expect(page).toHaveURL(/sort=price_asc/);
  await expect(page).toHaveURL(/parcel=1/);
  await expect(sheet).toBeHidden();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('[data-test="filter-sort"]')).toHaveValue('price_asc');
  // What is set shows as chips, each one tap to undo.
  const chips = page.locator('[data-test="filter-bar"] a.chip.on');
  await expect(chips).toHaveText(['낮은 가격순 ✕', '택배 ✕']);
  await expect(page.locator('[data-test="filter-open"]')).toContainText('필터2');
  const count = await cards.count();
  expect(count).toBeGreaterThan(0);
  const prices = (await cards.locator('.price').allTextContents()).map(won);
  expect(prices).toEqual([...prices].sort((a, b) => a - b));
  await snap(page, info, 'search-filtered');
  await chips.filter({ hasText: '택배' }).click();
  await expect(page).not.toHaveURL(/parcel=1/);
  await expect(page).toHaveURL(/sort=price_asc/);
  await expect(chips).toHaveText(['낮은 가격순 ✕']);

  // Browse everything by price; scrolling to the end appends page two in place (the
  // "더 보기" link is also a plain link to it without JS), still in price order.
  await gotoHydrated(page, '/search?sort=price_asc');
  await expect(cards).toHaveCount(20);
  await page.locator('[data-test="more"]').scrollIntoViewIfNeeded();
  await expect.poll(() => cards.count()).toBeGreaterThan(20);
  const all = (await cards.locator('.price').allTextContents()).map(won);
  expect(all).toEqual([...all].sort((a, b) => a - b));
  const url = page.url();
  expect(url).not.toContain('after_id'); // appended, not navigated

  const twentyFirst = cards.nth(20);
  const title = (await twentyFirst.locator('.title').textContent())!;
  await twentyFirst.locator('a.card-link').click();
  await expect(page.locator('[data-test="listing-title"]')).toHaveText(title);
  expect(errors).toEqual([]);
});

test('a price range upside down is explained, and the form keeps it', async ({ page }) => {
  await gotoHydrated(page, '/search?min_price=20000&max_price=1000');
  await expect(page.locator('[data-test="search-error"]')).toHaveText('최저 가격이 최고 가격보다 높아요.');
  await expect(page.locator('input[name="min_price"]')).toHaveValue('20000');
  await expect(page.locator('input[name="max_price"]')).toHaveValue('1000');
});

test('search words with a particle find the book; a typo is corrected or suggested', async ({ page }) => {
  const cards = page.locator('[data-test="listing-card"]');
  await gotoHydrated(page, '/search?q=' + encodeURIComponent('채식주의자를'));
  await expect(cards.first()).toContainText('채식주의자');
  // One syllable off: the results of the word meant, and the page says so.
  await gotoHydrated(page, '/search?q=' + encodeURIComponent('채식주으자'));
  await expect(page.locator('[data-test="searched-instead"]')).toContainText("'채식주의자'");
  await expect(cards.first()).toContainText('채식주의자');
  // Further off: no results, and the book it most resembles is suggested.
  await gotoHydrated(page, '/search?q=' + encodeURIComponent('채식주의자 소셜'));
  await expect(page.locator('[data-test="no-results"]')).toBeVisible();
  await page.locator('[data-test="suggestion"] a').click();
  await expect(cards.first()).toContainText('채식주의자');
});

test('search as Koreans type: no spaces, initial consonants, a typo, from the header box', async ({ page }, info) => {
  const cards = page.locator('[data-test="listing-card"]');
  const searchFor = async (typed: string) => {
    await page.locator('#header-q').fill(typed);
    await page.locator('#header-q').press('Enter');
    await expect(page).toHaveURL(new RegExp('q=' + encodeURIComponent(typed).replace(/%20/g, '(\\+|%20)')));
  };
  await gotoHydrated(page, '/');
  await searchFor('이것이자바다');
  await expect(cards.first()).toContainText('이것이 자바다');
  await searchFor('ㅋㄹㅋㄷ');
  await expect(cards.first()).toContainText('클린 코드');
  await searchFor('파이선');
  await expect(page.locator('[data-test="searched-instead"]')).toContainText("'파이썬'");
  await expect(cards.first()).toContainText('파이썬');
  for (const title of await cards.locator('.title').allTextContents()) expect(title).toContain('파이썬');
  await snap(page, info, 'search-typo-corrected');
});

test('a query with two pages: filter, scroll to page two, open a result (phone and desktop)', async ({ page }, info) => {
  const errors = watchConsole(page);
  // 24 copies of a book nobody else has, half of them 상, listed through the API.
  const seller = uniqueMember(info);
  await signUp(page.context().request, seller);
  const word = `페이징${Date.now().toString(36).slice(-5)}`;
  const serial = Date.now() % 9_000_000;
  for (let i = 0; i < 24; i++) {
    await listBook(page.context().request, {
      isbn: isbn(serial + i),
      book_title: `${word} 알고리즘 ${i + 1}`,
      book_author: '김저자',
      book_publisher: '책빵출판',
      price: String(5000 + i * 100),
      condition: i % 2 ? 'fair' : 'good',
    });
  }

  await gotoHydrated(page, '/search?q=' + encodeURIComponent(word));
  const cards = page.locator('[data-test="listing-card"]');
  await expect(cards).toHaveCount(20);
  // A filter (상 only) halves it: one page, no "더 보기".
  await page.locator('[data-test="filter-open"]').click();
  await page.locator('[data-test="filter-condition"]').selectOption('good');
  await page.locator('[data-test="filter-apply"]').click();
  await expect(page).toHaveURL(/condition=good/);
  // Only the filters that are set ride in the URL.
  expect(new URL(page.url()).search).not.toMatch(/=(&|$)/);
  await expect(cards).toHaveCount(12);
  await expect(page.locator('[data-test="more"]')).toHaveCount(0);
  // Back to all of them, cheapest first: page two appends itself when scrolled to.
  await gotoHydrated(page, '/search?sort=price_asc&q=' + encodeURIComponent(word));
  await expect(cards).toHaveCount(20);
  await page.locator('[data-test="more"]').scrollIntoViewIfNeeded();
  await expect(cards).toHaveCount(24);
  const prices = (await cards.locator('.price').allTextContents()).map(won);
  expect(prices).toEqual([...prices].sort((a, b) => a - b));
  await snap(page, info, 'search-query-page-two');
  await cards.nth(22).scrollIntoViewIfNeeded();
  await cards.nth(22).locator('a.card-link').click();
  await expect(page.locator('[data-test="listing-title"]')).toHaveText(`${word} 알고리즘 23`);
  // Back: the two pages are still there, and so is the place on the page.
  await page.goBack();
  await expect(cards).toHaveCount(24);
  await expect(cards.nth(22)).toBeInViewport();
  expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('results are in the server-rendered page: they show with JavaScript off', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/search?q=' + encodeURIComponent('자바'));
  await expect(page.locator('[data-test="search-heading"]')).toHaveText("'자바' 검색 결과");
  await expect(page.locator('[data-test="listing-card"]').first()).toContainText('자바');
  await expect(page).toHaveTitle("'자바' 검색 결과 · 책빵");
  // The filter sheet and its chips work before (or without) the wasm too.
  await page.locator('[data-test="filter-open"]').click();
  await page.locator('[data-test="filter-condition"]').selectOption('good');
  await page.locator('[data-test="filter-apply"]').click();
  await expect(page).toHaveURL(/condition=good/);
  await page.locator('[data-test="filter-bar"] a.chip', { hasText: '직거래' }).click();
  await expect(page).toHaveURL(/meet=1/);
  await expect(page.locator('[data-test="filter-bar"] a.chip.on')).toHaveText(['상태 상 ✕', '직거래 ✕']);
  await context.close();
});
