import { type Browser } from '@playwright/test';
import { expect, test } from './fixtures';
import { gotoHydrated, listBook, signUp, snap, uniqueMember, watchConsole } from './helpers';

/** The seller works at desktop size in their own browser. */
async function sellerBrowser(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'ko-KR' });
  return { context, page: await context.newPage() };
}

test('a buyer pays safely with a shipping address, the seller ships, both review, the grade moves', async ({ page, browser, baseURL }, info) => {
  const errors = watchConsole(page);
  const sellerMember = { ...uniqueMember(info), nickname: `판${Date.now().toString(36).slice(-6)}` };
  const buyerMember = uniqueMember(info);
  const seller = await sellerBrowser(browser, baseURL!);
  await signUp(seller.context.request, sellerMember);
  const listingId = await listBook(seller.context.request, {
    isbn: '9788936433598',
    price: '8500',
    meet: 'true',
    meet_label: '신촌역 2번 출구',
    pay_cash: 'true',
    description: '깨끗해요.',
  });

  await signUp(page.context().request, buyerMember);
  await gotoHydrated(page, `/listings/${listingId}`);
  // A newcomer seller: grade 2 of 5.
  await expect(page.locator('[data-test="seller-card"] [data-test="bread-grade"]')).toHaveAttribute('data-grade', '2');
  await page.locator('[data-test="buy"]').click();
  await expect(page.locator('[data-test="buy-title"]')).toHaveText('채식주의자');
  await expect(page.locator('[data-test="buy-price"]')).toHaveText('8,500원');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  // A wrong postcode is caught before anything is sent, and nothing typed is lost.
  await page.locator('#f-recipient').fill('김독서');
  await page.locator('#f-ship-phone').fill('01098765432');
  await page.locator('#f-postcode').fill('0372');
  await page.locator('#f-address1').fill('서울 서대문구 연세로 50');
  await page.locator('#f-address2').fill('101호');
  await page.locator('[data-test="place-order"]').click();
  await expect(page.locator('[data-test="field-postcode"] .err')).toHaveText('우편번호는 숫자 5자리입니다.');
  await expect(page.locator('#f-address1')).toHaveValue('서울 서대문구 연세로 50');
  await page.locator('#f-postcode').fill('03722');
  await snap(page, info, 'buy-confirm');
  await page.locator('[data-test="place-order"]').click();

  // The sandbox checkout says it is a test, then comes back to the order.
  await expect(page.locator('[data-test="sandbox-checkout"]')).toBeVisible();
  await expect(page.locator('[data-test="sandbox-checkout"]')).toContainText('8,500원');
  await snap(page, info, 'sandbox-checkout');
  // Until the buyer pays, the seller sees who ordered but not their name, phone or address.
  const unpaidOrder = await page.evaluate(async () => {
    const res = await fetch('/api/orders/history', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'role=buyer',
    });
    return (await res.json()).items[0].id as number;
  });
  await gotoHydrated(seller.page, `/orders/${unpaidOrder}`);
  await expect(seller.page.locator('[data-test="ship-to-hidden"]')).toContainText('구매자가 결제를 마치면');
  await expect(seller.page.locator('[data-test="ship-to"]')).toHaveCount(0);
  await snap(seller.page, info, 'order-unpaid-seller');
  await page.locator('[data-test="sandbox-approve"]').click();
  await expect(page.locator('[data-test="order-status"]')).toHaveText('결제 완료');
  await expect(page.locator('[data-test="pay-banner"]')).toContainText('결제가 완료되었어요');
  await expect(page.locator('[data-test="ship-to"]')).toContainText('(03722) 서울 서대문구 연세로 50 101호');
  const orderUrl = new URL(page.url()).pathname;
  await snap(page, info, 'order-paid');

  await gotoHydrated(seller.page, orderUrl);
  await seller.page.locator('#f-tracking_no').fill('6543-2109-8765');
  await seller.page.locator('[data-test="ship"]').click();
  await expect(seller.page.locator('[data-test="order-status"]')).toHaveText('배송 중');
  await expect(seller.page.locator('[data-test="tracking"]')).toHaveText('CJ대한통운 654321098765');

  await gotoHydrated(page, orderUrl);
  await page.locator('[data-test="confirm"]').click();
  await expect(page.locator('[data-test="order-status"]')).toHaveText('구매 확정');
  await page.locator('[data-test="star-5"]').click();
  await page.locator('[data-test="review-body"]').fill('설명대로 깨끗한 책이에요. 포장도 꼼꼼했어요.');
  await page.locator('[data-test="review-submit"]').click();
  await expect(page.locator('[data-test="my-review"]')).toContainText('★★★★★');

  // Double-blind: the seller sees a review is waiting, writes theirs, then sees both.
  await gotoHydrated(seller.page, orderUrl);
  await expect(seller.page.locator('[data-test="review-hidden"]')).toBeVisible();
  await seller.page.locator('[data-test="star-4"]').click();
  await seller.page.locator('[data-test="review-submit"]').click();
  await expect(seller.page.locator('[data-test="their-review"]')).toContainText('설명대로 깨끗한 책이에요.');
  await snap(seller.page, info, 'order-reviewed-seller');

  // One trade and a five-star review: 모닝빵, grade 3.
  await gotoHydrated(page, `/listings/${listingId}`);
  await expect(page.locator('[data-test="seller-card"] [data-test="bread-grade"]')).toHaveAttribute('data-grade', '3');
  await expect(page.locator('[data-test="buy"]')).toHaveCount(0);

  await gotoHydrated(page, '/me/trades');
  await expect(page.locator('[data-test="trade-row"]').first()).toContainText('채식주의자');
  // The sweeper may already have settled it.
  await expect(page.locator('[data-test="trade-row"]').first()).toContainText(/구매 확정|정산 완료/);
  await snap(page, info, 'trades');
  await seller.context.close();
  expect(errors).toEqual([]);
});
