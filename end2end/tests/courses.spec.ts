import { expect, test } from './fixtures';
import { gotoHydrated, signUp, snap, uniqueMember, watchConsole } from './helpers';

test('a seller files a textbook under a course; a student finds it by school and professor', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signUp(page.context().request, uniqueMember(info));
  const stamp = Date.now().toString(36).slice(-5);
  const course = `캡스톤디자인 ${stamp}`;
  const professor = `홍${stamp}`;

  // List 리팩터링 with the course filled in (the professor typed with "교수님").
  await gotoHydrated(page, '/sell');
  await page.locator('#f-isbn').fill('9791162242742');
  await expect(page.locator('[data-test="book-card"]')).toContainText('리팩터링');
  await page.locator('[data-test="category-level-0"]').selectOption({ label: '총류' });
  await page.locator('[data-test="category-level-1"]').selectOption({ label: '프로그래밍' });
  await page.locator('#f-price').fill('17000');
  await page.locator('.grade', { hasText: '상' }).click();
  await page.getByText('택배', { exact: true }).click();
  await page.getByText('안전결제 (구매 확정 후 정산)').click();
  await page.locator('[data-test="course-open"]').click();
  // A course name without a school is caught while typing.
  await page.locator('[data-test="course-name"]').fill(course);
  await expect(page.locator('[data-test="course-fields"] .err')).toHaveText('학교를 골라 주세요.');
  await page.locator('[data-test="course-school-pick"]').selectOption({ label: '한양대학교' });
  await expect(page.locator('[data-test="course-fields"] .err')).toHaveCount(0);
  await page.locator('[data-test="course-professor"]').fill(`${professor} 교수님`);
  await page.getByRole('button', { name: '판매 시작하기' }).click();
  await expect(page).toHaveURL(/\/listings\/\d+$/);
  const listingUrl = page.url();
  const tag = page.locator('[data-test="listing-courses"] a', { hasText: course });
  await expect(tag).toHaveText(`한양대 ${course} · ${professor} 교수`);

  // A student looks it up from the home page: school, then the professor's name.
  await gotoHydrated(page, '/');
  await page.locator('[data-test="home-courses"]').click();
  await expect(page).toHaveURL(/\/courses$/);
  await expect(page.locator('[data-test="course-pick-school"]')).toBeVisible();
  await page.locator('[data-test="course-school"]').selectOption({ label: '한양대학교' });
  await page.locator('[data-test="course-q"]').fill(`${professor} 교수님`);
  await page.getByRole('button', { name: '찾기' }).click();
  await expect(page).toHaveURL(/\/courses\?school=7&q=/);
  const found = page.locator('[data-test="course"]');
  await expect(found).toHaveCount(1);
  await expect(found.locator('.course-name')).toContainText(course);
  const book = found.locator('[data-test="course-book"]');
  await expect(book).toContainText('리팩터링');
  await expect(book).toContainText('최저');
  await snap(page, info, 'course-lookup');

  // The book opens the listings of that ISBN, ours among them.
  await book.locator('a').click();
  await expect(page).toHaveURL(/\/search\?q=9791162242742$/);
  const id = listingUrl.split('/').pop();
  await expect(page.locator(`[data-test="listing-card"] a.card-link[href="/listings/${id}"]`)).toHaveCount(1);

  // A course name at another school finds nothing, and says so.
  await gotoHydrated(page, `/courses?school=1&q=${encodeURIComponent(course)}`);
  await expect(page.locator('[data-test="course-none"]')).toContainText('서울대학교');
  expect(errors).toEqual([]);
});

test('the course lookup works with JavaScript off', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/courses');
  await page.locator('[data-test="course-school"]').selectOption({ label: '서울대학교' });
  await page.locator('[data-test="course-q"]').fill('김하늘 교수님');
  await page.getByRole('button', { name: '찾기' }).click();
  const found = page.locator('[data-test="course"]');
  await expect(found).toHaveCount(1);
  await expect(found.locator('.course-name')).toContainText('컴퓨터의 개념 및 실습');
  await expect(found.locator('[data-test="course-book"]')).toHaveCount(2);
  await context.close();
});
