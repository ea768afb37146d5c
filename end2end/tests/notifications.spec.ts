import { expect, test } from './fixtures';
import { gotoHydrated, listBook, sameOrigin, signUp, snap, uniqueMember } from './helpers';

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
  // The buyer asked about the book first, so the two have a room.
  const opened = await page.request.post('/api/chat/open', { form: { listing: String(listingId) }, headers: sameOrigin });
  expect(opened.status()).toBe(200);
  const roomId: number = await opened.json();
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

  // Their room tells the trade's story between the messages.
  await gotoHydrated(seller, `/chat/${roomId}`);
  await expect(seller.locator('[data-test="trade-line"]')).toHaveText([
    /구매자가 결제했어요/,
    /판매자가 책을 보냈어요/,
  ]);
  await expect(seller.locator('[data-test="pinned-status"]')).toHaveText('예약중');
  await snap(seller, info, 'chat-trade-lines');
  await sellerContext.close();
});

test('a wished listing\'s price drops and the wisher\'s bell shows it without a reload', async ({ page, browser, baseURL }, info) => {
  const sellerMember = uniqueMember(info);
  const wisherMember = uniqueMember(info);
  const sellerContext = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'ko-KR' });
  const seller = await sellerContext.newPage();
  await signUp(sellerContext.request, sellerMember);
  const listingId = await listBook(sellerContext.request, {
    isbn: '9788936433598',
    price: '9900',
    description: '찜 알림 시험용이에요.',
  });

  await signUp(page.context().request, wisherMember);
  await gotoHydrated(page, `/listings/${listingId}`);
  await page.locator('[data-test="wish"]').click();
  await expect(page.locator('[data-test="wish"]')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-test="notice-unread"]')).toBeHidden();

  // The seller lowers the price from the edit form.
  await gotoHydrated(seller, `/listings/${listingId}/edit`);
  await seller.locator('#f-price').fill('7500');
  await seller.getByRole('button', { name: '수정 완료' }).click();
  await expect(seller).toHaveURL(new RegExp(`/listings/${listingId}$`));
  await expect(seller.locator('[data-test="listing-price"]')).toHaveText('7,500원');

  // The wisher, still on the page, sees the bell count it; the notice says both prices
  // and opens the listing.
  await expect(page.locator('[data-test="notice-unread"]')).toHaveText('1');
  await page.locator('[data-test="notice-bell"]').click();
  const notice = page.locator('[data-test="notice"]').first();
  await expect(notice).toContainText('찜한 〈채식주의자〉 가격이 9,900원에서 7,500원으로 내렸어요.');
  await snap(page, info, 'wish-price-drop');
  await notice.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/listings/${listingId}$`));
  await expect(page.locator('[data-test="listing-price"]')).toHaveText('7,500원');
  await sellerContext.close();
});

test('an admin suspends the seller of a reported listing and takes it down; seller and reporter are told why', async ({ page, browser, baseURL }, info) => {
  const sellerMember = uniqueMember(info);
  const reporterMember = uniqueMember(info);
  const sellerContext = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'ko-KR' });
  const seller = await sellerContext.newPage();
  await signUp(sellerContext.request, sellerMember);
  const listingId = await listBook(sellerContext.request, {
    isbn: '9788936433598',
    price: '2000',
    description: '제본한 책이에요.',
  });

  // A reader reports it from the listing page.
  await signUp(page.context().request, reporterMember);
  await gotoHydrated(page, `/listings/${listingId}`);
  await page.locator('[data-test="report-open"]').click();
  await page.getByText('불법 복제물 (제본·스캔본)').click();
  await page.getByRole('button', { name: '신고 보내기' }).click();
  await expect(page.locator('[data-test="report-done"]')).toBeVisible();

  await gotoHydrated(seller, '/');
  await expect(seller.locator('[data-test="notice-unread"]')).toBeHidden();

  // The demo admin finds it in the queue with the report beside it.
  const adminContext = await browser.newContext({ baseURL, viewport: page.viewportSize()!, locale: 'ko-KR' });
  const admin = await adminContext.newPage();
  const login = await admin.request.post('/api/accounts/login', {
    form: { 'input[login_id]': 'breadadmin', 'input[password]': 'Bread1234' },
    headers: sameOrigin,
  });
  expect(login.status()).toBe(200);
  await gotoHydrated(admin, '/me');
  await admin.locator('[data-test="admin-link"]').click();
  await expect(admin).toHaveURL(/\/admin$/);
  // The last 30 days at a glance: four charts, today's listing among them.
  await expect(admin.locator('[data-test="stat-chart"]')).toHaveCount(4);
  const card = admin.locator('[data-test="reported-listing"]').filter({
    has: admin.locator(`a[href="/listings/${listingId}"]`),
  });
  await expect(card.locator('[data-test="report-lines"]')).toContainText('불법 복제물 (제본·스캔본)');
  await expect(card.locator('[data-test="report-lines"]')).toContainText(reporterMember.nickname);
  await expect(card.locator('[data-test="seller-removed-before"]')).toHaveText('신고로 내려진 다른 판매글 0건');
  await card.locator('[data-test="report-note"]').fill('스캔본 제본은 팔 수 없어요.');
  // The seller is suspended for a week, with the reason they will read.
  await card.locator('[data-test="sanction-kind"]').selectOption('7');
  await card.locator('[data-test="sanction-reason"]').fill('불법 복제물 판매');
  await card.locator('[data-test="sanction-submit"]').click();
  await expect(card.locator('[data-test="sanction-done"]')).toHaveText('7일 정지했어요.');
  await snap(admin, info, 'admin-listing-reports');
  await card.locator('[data-test="listing-remove"]').click();
  await card.locator('[data-test="listing-remove-confirm"]').click();
  await expect(card).toHaveCount(0);
  await expect(admin.locator('[data-test="audit-entry"]').nth(1)).toContainText('회원 이용 정지');
  const entry = admin.locator('[data-test="audit-entry"]').first();
  await expect(entry.locator('[data-test="audit-action"]')).toHaveText('신고된 판매글 내림');
  await expect(entry).toContainText('스캔본 제본은 팔 수 없어요.');
  await snap(admin, info, 'admin-audit-log');

  // The seller's open page counts both; the notices say why.
  await expect(seller.locator('[data-test="notice-unread"]')).toHaveText('2');
  await seller.locator('[data-test="notice-bell"]').click();
  await expect(seller.locator('[data-test="notice"]').first()).toContainText(
    '〈채식주의자〉 판매글이 신고(불법 복제물 (제본·스캔본))로 내려졌어요. 사유: 스캔본 제본은 팔 수 없어요.',
  );
  await expect(seller.locator('[data-test="notice"]').nth(1)).toContainText('판매·구매·채팅이 정지됐어요. 사유: 불법 복제물 판매');
  await snap(seller, info, 'listing-taken-down');
  // The reporter hears what became of the report.
  await expect(page.locator('[data-test="notice-unread"]')).toHaveText('1');
  await gotoHydrated(page, '/notifications');
  await expect(page.locator('[data-test="notice"]').first()).toContainText('신고하신 〈채식주의자〉 판매글을 내렸어요.');
  await adminContext.close();
  await sellerContext.close();
});
