import { expect, test } from './fixtures';
import { gotoHydrated, photoFile, snap, watchConsole } from './helpers';

async function logIn(page: import('@playwright/test').Page, loginId: string) {
  await gotoHydrated(page, '/login?next=/sell');
  await page.locator('#f-login_id').fill(loginId);
  await page.locator('#f-password').fill('Bread1234');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.locator('[data-test="sell-form"]')).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

test('list a book by ISBN with two photos: inline errors, draft kept over a reload, then on home and its page', async ({ page }, info) => {
  const errors = watchConsole(page);
  // A demo seller per viewport, so the two runs do not share a draft or a lock-out.
  await logIn(page, info.project.name === 'phone' ? 'kaistcs' : 'maporeader');
  const photos = [photoFile('front.png', 2000, 1500, 40), photoFile('back.png', 1200, 1600, 200)];
  const started = Date.now();

  // Submitting the empty form brings the first field with an error into view, with the
  // cursor in it (a phone keyboard opens on it).
  await page.getByRole('button', { name: '판매 시작하기' }).click();
  await expect(page.locator('[data-test="form-error"]')).toBeVisible();
  await expect(page.locator('#f-isbn')).toBeFocused();
  await expect(page.locator('#f-isbn')).toBeInViewport();

  // An invalid price is flagged while typing, before any submit.
  await page.locator('#f-price').fill('12.5');
  await expect(page.locator('[data-test="field-price"] .err')).toHaveText('가격은 숫자로만 입력해 주세요. (원 단위)');

  // The ISBN (10 digits, hyphenated) finds the book, and what it sells for.
  await page.locator('#f-isbn').fill('89-364-3359-8');
  await expect(page.locator('[data-test="book-card"]')).toContainText('채식주의자');
  await expect(page.locator('[data-test="price-guide"]')).toContainText('판매 중 최저가');
  // The category sellers file it under is chosen already (the seller may change it).
  await expect(page.locator('[data-test="category-level-1"] option:checked')).toHaveText('한국문학');
  // Far above what it goes for: a gentle word with the going price, not an error.
  await page.locator('#f-price').fill('5만원');
  await expect(page.locator('[data-test="price-nudge"]')).toContainText('보통');
  await expect(page.locator('[data-test="field-price"] .err')).toHaveCount(0);
  await page.locator('#f-price').fill('8,000');
  await expect(page.locator('[data-test="price-nudge"]')).toHaveCount(0);
  await expect(page.locator('[data-test="field-price"] .err')).toHaveCount(0);

  // Two photos: previews at once, each downscaled and uploaded with its own progress.
  await page.locator('[data-test="photo-input"]').setInputFiles(photos);
  const slots = page.locator('[data-test="photo-slot"]');
  await expect(slots).toHaveCount(2);
  await expect(page.locator('[data-test="photo-progress"]')).toHaveCount(0);
  await expect(page.locator('.photo-state')).toHaveCount(0);
  // Make the back cover the cover photo.
  await slots.nth(1).getByRole('button', { name: '앞으로' }).click();
  await expect(slots.first().locator('.cover-badge')).toHaveText('대표');

  // The draft survives a reload.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('#f-price')).toHaveValue('8,000');
  await expect(page.locator('[data-test="book-card"]')).toContainText('채식주의자');
  await expect(slots).toHaveCount(2);
  await expect(slots.first().locator('img')).toHaveAttribute('src', /^\/photos\/[0-9a-f]{64}_t\.jpg$/);
  const cover = await slots.first().locator('img').getAttribute('src');

  await page.locator('[data-test="category-level-0"]').selectOption({ label: '문학' });
  await page.locator('[data-test="category-level-1"]').selectOption({ label: '한국문학' });
  await page.getByText('필기·밑줄이 있어요').click();
  await expect(page.locator('.grade.selected')).toHaveText('중');
  // A demo seller's form starts with the ways of their latest listing: set, not toggled.
  await page.getByLabel('택배', { exact: true }).check();
  await page.getByLabel('직거래 (만나서)').check();
  await page.locator('#f-meet_label').fill('신촌역 2번 출구');
  await page.getByLabel('안전결제 (구매 확정 후 정산)').check();
  await page.locator('#f-description').fill('밑줄 몇 군데 있어요. 표지 깨끗합니다.');
  await expect(page.locator('[data-test="description-count"]')).toHaveText('22 / 1000');
  await snap(page, info, 'sell-form');

  await page.getByRole('button', { name: '판매 시작하기' }).click();
  await expect(page).toHaveURL(/\/listings\/\d+$/);
  await expect(page.locator('[data-test="listing-title"]')).toHaveText('채식주의자');
  await expect(page.locator('[data-test="listing-price"]')).toHaveText('8,000원');
  await expect(page.locator('[data-test="listing-status"]')).toHaveText('판매중');
  const gallery = page.locator('[data-test="gallery"] img');
  await expect(gallery).toHaveCount(2);
  await expect(gallery.first()).toHaveAttribute('src', cover!.replace('_t.jpg', '.jpg'));
  expect(await gallery.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.locator('[data-test="seller-card"]')).toContainText('판매 중');
  await expect(page.locator('[data-test="similar"] [data-test="listing-card"]').first()).toBeVisible();
  const url = page.url();
  info.annotations.push({ type: 'list-a-book-ms', description: String(Date.now() - started) });
  console.log(`[${info.project.name}] listed a book in ${Date.now() - started} ms`);
  await snap(page, info, 'listing-detail');

  // The newest listing leads the home feed and opens its page.
  await gotoHydrated(page, '/');
  const first = page.locator('[data-test="listing-card"]').first();
  await expect(first).toContainText('채식주의자');
  await expect(first).toContainText('8,000원');
  await expect(first.locator('.cover img')).toHaveAttribute('src', cover!);
  await first.locator('a.card-link').click();
  await expect(page).toHaveURL(url);

  // The seller can mark it reserved from its page.
  await page.getByRole('button', { name: '예약중' }).click();
  await expect(page.locator('[data-test="listing-status"]')).toHaveText('예약중');

  // Editing, with the page opened fresh: the form hydrates with what was listed, pick
  // lists and the price guide included, and a new price is saved.
  await gotoHydrated(page, new URL(url).pathname + '/edit');
  await expect(page.locator('#f-price')).toHaveValue('8000');
  await expect(page.locator('[data-test="category-level-1"] option:checked')).toHaveText('한국문학');
  await expect(page.locator('[data-test="price-guide"]')).toContainText('판매 중 최저가');
  await snap(page, info, 'edit-form');
  await page.locator('#f-price').fill('7,500');
  await page.getByRole('button', { name: '수정 완료' }).click();
  await expect(page).toHaveURL(url);
  await expect(page.locator('[data-test="listing-price"]')).toHaveText('7,500원');

  // The next sale starts with this one's delivery and payment ways.
  await gotoHydrated(page, '/sell');
  await expect(page.getByLabel('택배', { exact: true })).toBeChecked();
  await expect(page.getByLabel('직거래 (만나서)')).toBeChecked();
  await expect(page.locator('#f-meet_label')).toHaveValue('신촌역 2번 출구');
  await expect(page.getByLabel('안전결제 (구매 확정 후 정산)')).toBeChecked();
  expect(errors).toEqual([]);
});
