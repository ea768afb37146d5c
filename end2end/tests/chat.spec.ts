import { type Browser } from '@playwright/test';
import { expect, test } from './fixtures';
import { gotoHydrated, listBook, sameOrigin, snap, signUp, uniqueMember, watchConsole } from './helpers';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

async function member(browser: Browser, info: Parameters<typeof uniqueMember>[0], size: object, baseURL: string) {
  const context = await browser.newContext({ ...size, baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  const m = uniqueMember(info);
  await signUp(context.request, m);
  const page = await context.newPage();
  return { context, page, m, errors: watchConsole(page) };
}

// Two people in two browsers: in the phone project the buyer is on a phone and the
// seller at a desk; in the desktop project the other way round.
test('buyer and seller chat live: receipts, unread badge, scam warning, offline queue', async ({ browser, baseURL }, info) => {
  const phoneBuyer = info.project.name === 'phone';
  const seller = await member(browser, info, phoneBuyer ? DESKTOP : PHONE, baseURL!);
  const buyer = await member(browser, info, phoneBuyer ? PHONE : DESKTOP, baseURL!);

  const listing = await listBook(seller.context.request, {
    isbn: '9788936433598',
    price: '8000',
    description: '채팅 테스트용 판매글이에요.',
  });

  // The buyer opens the chat from the listing.
  await gotoHydrated(buyer.page, `/listings/${listing}`);
  await buyer.page.locator('[data-test="chat-open"]').click();
  await expect(buyer.page).toHaveURL(/\/chat\/\d+$/);
  const roomPath = new URL(buyer.page.url()).pathname;
  await expect(buyer.page.locator('[data-test="chat-title"]')).toContainText(seller.m.nickname);
  await expect(buyer.page.locator('[data-test="chat-title"]')).toContainText('채식주의자');
  await expect(buyer.page.locator('[data-test="pinned-listing"]')).toContainText('8,000원');
  await expect(buyer.page.locator('body[data-hydrated="true"]')).toBeAttached();

  const input = buyer.page.locator('[data-test="chat-input"]');
  await input.fill('안녕하세요, 아직 판매 중인가요?');
  await expect(buyer.page.locator('[data-test="chat-counter"]')).toHaveText('18/500');
  await buyer.page.locator('[data-test="chat-send"]').click();
  const first = buyer.page.locator('[data-test="chat-message"]').filter({ hasText: '아직 판매 중인가요' });
  await expect(first.locator('[data-test="receipt"]')).toHaveText('✓');
  // Tapping 보내기 leaves the text box focused, so a phone keyboard stays open.
  await expect(input).toBeFocused();

  // The seller sees the unread badge, the room in the list, then the message; the
  // buyer's tick turns into ✓✓.
  await gotoHydrated(seller.page, '/');
  // The unread badge: in the header on a wide screen, on the 채팅 tab on a phone.
  await expect(seller.page.locator('[data-test="chat-unread"]:visible')).toHaveText('1');
  await seller.page.locator('[data-test="chat-link"]:visible, [data-test="tab-chat"]:visible').first().click();
  const row = seller.page.locator('[data-test="room-row"]').first();
  await expect(row.locator('[data-test="room-preview"]')).toHaveText('안녕하세요, 아직 판매 중인가요?');
  await expect(row.locator('[data-test="room-unread"]')).toHaveText('1');
  await snap(seller.page, info, 'chat-list-seller');
  // A new message while the seller is on the list: a toast for the room, which goes
  // away once the room is open, whichever way it was opened.
  await input.fill('직거래도 되나요?');
  await input.press('Enter');
  await expect(seller.page.locator('[data-test="chat-toast"]')).toBeVisible();
  await row.locator('a.card-link').click();
  await expect(seller.page).toHaveURL(new RegExp(`${roomPath}$`));
  await expect(seller.page.locator('[data-test="chat-toast"]')).toHaveCount(0);
  await expect(seller.page.locator('[data-test="chat-message"]').filter({ hasText: '아직 판매 중인가요' })).toHaveCount(1);
  await expect(first.locator('[data-test="receipt"]')).toHaveText('✓✓');
  await expect(seller.page.locator('[data-test="chat-unread"]:visible')).toHaveCount(0);
  // Inside a room the messages get the screen: no tabs under the composer.
  await expect(seller.page.locator('.bottom-nav')).toBeHidden();

  // A reply with a phone number: both see the safe-payment warning.
  await seller.page.locator('[data-test="chat-input"]').fill('네! 010-1234-5678로 문자 주세요');
  await expect(seller.page.locator('[data-test="composer-warning"]')).toContainText('안전결제를 이용하세요');
  await seller.page.locator('[data-test="chat-input"]').press('Enter');
  const reply = buyer.page.locator('[data-test="chat-message"]').filter({ hasText: '010-1234-5678' });
  await expect(reply.locator('[data-test="scam-warning"]')).toContainText('안전결제를 이용하세요');

  // Over 500 characters: the counter says so and the button waits; the text stays.
  await input.fill('가'.repeat(501));
  await expect(buyer.page.locator('[data-test="chat-counter"]')).toHaveText('501/500');
  await expect(buyer.page.locator('[data-test="chat-send"]')).toBeDisabled();
  await input.fill('');

  // Offline: the message waits in the outbox, then arrives once when back online.
  await buyer.context.setOffline(true);
  await expect(buyer.page.locator('[data-test="chat-offline"]')).toBeVisible();
  await input.fill('지하철이라 끊겼어요. 내일 받을 수 있을까요?');
  await input.press('Enter');
  const pending = buyer.page.locator('[data-test="chat-pending"]');
  await expect(pending).toHaveAttribute('data-state', 'queued');
  await snap(buyer.page, info, 'chat-buyer-offline');
  await seller.page.waitForTimeout(800);
  await expect(seller.page.locator('[data-test="chat-message"]').filter({ hasText: '지하철이라' })).toHaveCount(0);
  await buyer.context.setOffline(false);
  await expect(seller.page.locator('[data-test="chat-message"]').filter({ hasText: '지하철이라' })).toHaveCount(1);
  await expect(pending).toHaveCount(0);
  const resent = buyer.page.locator('[data-test="chat-message"]').filter({ hasText: '지하철이라' });
  await expect(resent).toHaveCount(1);
  await expect(resent.locator('[data-test="receipt"]')).toHaveText('✓✓');
  await snap(buyer.page, info, 'chat-buyer');
  await snap(seller.page, info, 'chat-seller');

  // Stored once: the history as the server has it.
  const room = roomPath.split('/').pop()!;
  const history = await (await seller.context.request.post('/api/chat/history', { form: { room }, headers: sameOrigin })).json();
  const bodies = history.messages.map((m: { body: string }) => m.body);
  expect(bodies.filter((b: string) => b.startsWith('지하철이라'))).toHaveLength(1);
  expect(bodies).toHaveLength(4);

  expect(buyer.errors).toEqual([]);
  expect(seller.errors).toEqual([]);
  await buyer.context.close();
  await seller.context.close();
});
