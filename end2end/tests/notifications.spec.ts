import { expect, test } from './fixtures';
import { gotoHydrated, listBook, signUp, snap, uniqueMember } from './helpers';

test('a buyer pays and the seller\'s bell counts it live; the seller ships and the buyer\'s order page follows', async ({ page, browser, baseURL }, info) => {
  const sellerMember = { ...uniqueMember(info), nickname: `알${Date.now().toString(36).slice(-6)}` };
  const buyerMember = uniqueMember(info);
  const sellerContext = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'ko-KR' });
  const seller = await sellerContext.newPage();
  await signUp(sellerContext.request, sellerMember);
  const listingId = await listBook(sellerContext.request, {
    isbn: '9788936433598',
    price: '8800',
    description: '밑줄 없어요.',
  });

  // Nothing yet: the bell shows no count.
  await gotoHydrated(seller, '/');
  await expect(seller.locator('[data-test="notice-bell"]')).toBeVisible();
  await expect(seller.locator('[data-test="notice-unread"]')).toBeHidden();

  await signUp(page.context().request, buyerMember);
  await gotoHydrated(page, `/listings/${listingId}/buy`);
  await page.locator('#f-recipient').fill('김독서');
  await page.locator('#f-ship-phone').fill('01098765432');
  await page.locator('#f-postcode').fill('03722');
  await page.locator('#f-address1').fill('서울 서대문구 연세로 50');
  await page.locator('[data-test="place-order"]').click();
  await page.locator('[data-test="sandbox-approve"]').click();
  await expect(page.locator('[data-test="order-status"]')).toHaveText('결제 완료');
  const orderPath = new URL(page.url()).pathname;

  // The seller's open page counts it without a reload (the live socket); the list says
  // what happened.
  await expect(seller.locator('[data-test="notice-unread"]')).toHaveText('1');
  await seller.locator('[data-test="notice-bell"]').click();
  await expect(seller).toHaveURL(/\/notifications$/);
  const notice = seller.locator('[data-test="notice"]').first();
  await expect(notice).toContainText('〈채식주의자〉 결제가 완료됐어요. 책을 보내 주세요.');
  await expect(notice).toHaveClass(/unread/);
  await snap(seller, info, 'notifications');
  await notice.getByRole('link').click();
  await expect(seller).toHaveURL(new RegExp(`${orderPath}$`));
  await expect(seller.locator('[data-test="order-status"]')).toHaveText('결제 완료');
  // Opened, so read: the bell has nothing left.
  await expect(seller.locator('[data-test="notice-unread"]')).toBeHidden();

  // The buyer keeps the order open; the seller ships; the buyer's page follows.
  await seller.locator('#f-tracking_no').fill('6543-2109-8765');
  await seller.locator('[data-test="ship"]').click();
  await expect(seller.locator('[data-test="order-status"]')).toHaveText('배송 중');
  await expect(page.locator('[data-test="order-status"]')).toHaveText('배송 중');
  await expect(page.locator('[data-test="notice-unread"]')).toHaveText('1');
  await snap(page, info, 'order-shipped-live');

  // The buyer, who paid, was told only of the shipping.
  await gotoHydrated(page, '/notifications');
  await expect(page.locator('[data-test="notice"]')).toHaveCount(1);
  await expect(page.locator('[data-test="notice"]')).toContainText('〈채식주의자〉 배송이 시작됐어요.');
  // Turning trade notices off is one switch, kept.
  await page.locator('[data-test="setting-order"] input').uncheck();
  await expect(page.locator('[data-test="settings-saved"]')).toHaveText('저장했어요.');
  await gotoHydrated(page, '/notifications');
  await expect(page.locator('[data-test="setting-order"] input')).not.toBeChecked();
  await snap(page, info, 'notification-settings');
  await sellerContext.close();
});
