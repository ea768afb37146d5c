import { expect, test } from './fixtures';
import { gotoHydrated, listBook, sameOrigin, signUp, snap, uniqueMember, watchConsole } from './helpers';

// A seller reports a buyer's message in chat; the demo admin finds it in the queue at
// this project's size, deletes it (after a second confirm), and the buyer's open room
// shows "삭제됨" at once. The admin also edits the banned-word list, with errors that
// keep what was typed.
test('an admin handles a reported chat message and edits banned words', async ({ browser, page, baseURL }, info) => {
  const open = async () => {
    const context = await browser.newContext({ baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    const m = uniqueMember(info);
    await signUp(context.request, m);
    return { context, page: await context.newPage(), m };
  };
  const seller = await open();
  const buyer = await open();
  const listing = await listBook(seller.context.request, {
    isbn: '9788936433598',
    price: '7000',
    description: '신고 테스트용 판매글이에요.',
  });
  const rude = `이 가격에 누가 사요 멍청하게 ${buyer.m.nickname}`;

  await gotoHydrated(buyer.page, `/listings/${listing}`);
  await buyer.page.locator('[data-test="chat-open"]').click();
  await expect(buyer.page).toHaveURL(/\/chat\/\d+$/);
  const roomPath = new URL(buyer.page.url()).pathname;
  await expect(buyer.page.locator('body[data-hydrated="true"]')).toBeAttached();
  await buyer.page.locator('[data-test="chat-input"]').fill(rude);
  await buyer.page.locator('[data-test="chat-send"]').click();
  const mine = buyer.page.locator('[data-test="chat-message"]').filter({ hasText: '누가 사요' });
  await expect(mine.locator('[data-test="receipt"]')).toHaveText('✓');

  // The seller reports it from the room.
  await gotoHydrated(seller.page, roomPath);
  const theirs = seller.page.locator('[data-test="chat-message"]').filter({ hasText: '누가 사요' });
  await theirs.locator('[data-test="chat-report"]').click();
  await seller.page.locator('[data-test="report-form"]').getByLabel('욕설').check();
  await seller.page.locator('[data-test="report-form"]').getByRole('button', { name: '신고하기' }).click();
  await expect(seller.page.getByText('신고가 접수됐어요')).toBeVisible();

  // A member who is not an admin is turned away.
  await gotoHydrated(seller.page, '/admin/chat');
  await expect(seller.page.locator('[data-test="admin-only"]')).toHaveText('관리자만 볼 수 있는 페이지예요.');

  // The demo admin, at this project's size, reaches the page from 내 정보.
  // The duplicate banned word below is refused with a 422 on purpose; the browser logs it.
  const errors = watchConsole(page, [/status of 422/]);
  const login = await page.request.post('/api/accounts/login', {
    form: { 'input[login_id]': 'breadadmin', 'input[password]': 'Bread1234' },
    headers: sameOrigin,
  });
  expect(login.status()).toBe(200);
  await gotoHydrated(page, '/me');
  await page.locator('[data-test="admin-link"]').click();
  await expect(page).toHaveURL(/\/admin$/);
  await page.locator('[data-test="admin-chat-link"]').click();
  await expect(page).toHaveURL(/\/admin\/chat$/);
  const card = page.locator('[data-test="reported-message"]').filter({ hasText: buyer.m.nickname });
  await expect(card.locator('[data-test="reported-body"]')).toHaveText(rude);
  await expect(card).toContainText('욕설');
  await expect(card).toContainText(`신고한 사람: ${seller.m.nickname}`);
  await expect(card.locator('[data-test="sender-recent-reports"]')).toContainText('받은 신고 1건');

  // Banned words: nothing typed, then too long (kept for fixing), then a real one.
  const input = page.locator('[data-test="banned-word-input"]');
  const add = page.locator('[data-test="banned-word-add"]');
  await add.click();
  await expect(page.locator('#f-word-msg')).toHaveText('금지어를 입력해 주세요.');
  const tooLong = '가'.repeat(51);
  await input.fill(tooLong);
  await expect(page.locator('#f-word-msg')).toContainText('50자까지');
  await add.click();
  await expect(input).toHaveValue(tooLong);
  const word = `금지${buyer.m.nickname}`;
  await input.fill(word);
  await expect(page.locator('#f-word-msg')).toBeHidden();
  await add.click();
  const chip = page.locator('[data-test="banned-word"]').filter({ hasText: word });
  await expect(chip).toHaveCount(1);
  await expect(input).toHaveValue('');
  // The same word again: the server says it is there, and the box keeps it.
  await input.fill(word);
  await add.click();
  await expect(page.locator('#f-word-msg')).toHaveText(`‘${word}’은(는) 이미 금지어예요.`);
  await expect(input).toHaveValue(word);
  await card.scrollIntoViewIfNeeded();
  await snap(page, info, 'admin-chat');

  // Delete asks once more, then the card leaves the queue and the buyer sees 삭제됨.
  await card.locator('[data-test="report-delete"]').click();
  await expect(card).toContainText('되돌릴 수 없어요');
  await snap(page, info, 'admin-chat-confirm');
  await card.locator('[data-test="report-delete-confirm"]').click();
  await expect(card).toHaveCount(0);
  await expect(buyer.page.locator('[data-test="chat-message"]').filter({ hasText: '누가 사요' })).toHaveCount(0);
  await expect(buyer.page.getByText('삭제됨').first()).toBeVisible();

  // Take the test word off the list again.
  await chip.getByRole('button', { name: `‘${word}’ 금지어에서 빼기` }).click();
  await expect(chip).toHaveCount(0);
  expect(errors).toEqual([]);
  await seller.context.close();
  await buyer.context.close();
});

// Three different buyers report a seller's messages: the seller's open room swaps the
// composer for the restriction notice at once (the draft kept), the admin sees them
// under "제한 중인 회원" and lifts it, and the seller writes again.
test('repeated reports restrict a member until an admin lifts it', async ({ browser, page, baseURL }, info) => {
  const open = async () => {
    const context = await browser.newContext({ baseURL, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    const m = uniqueMember(info);
    await signUp(context.request, m);
    return { context, page: await context.newPage(), m };
  };
  const seller = await open();
  const listing = await listBook(seller.context.request, {
    isbn: '9788936433598',
    price: '6000',
    description: '자동 제한 테스트용 판매글이에요.',
  });
  const buyers = [];
  for (let i = 0; i < 3; i++) {
    const buyer = await open();
    const res = await buyer.context.request.post('/api/chat/open', { form: { listing: String(listing) }, headers: sameOrigin });
    expect(res.status()).toBe(200);
    buyers.push({ ...buyer, room: Number(await res.json()) });
  }

  // The seller answers each buyer; each reports the answer.
  for (const [i, buyer] of buyers.entries()) {
    await gotoHydrated(seller.page, `/chat/${buyer.room}`);
    await seller.page.locator('[data-test="chat-input"]').fill(`선입금 해 주시면 보내드려요 ${i}`);
    await seller.page.locator('[data-test="chat-send"]').click();
    const sent = seller.page.locator('[data-test="chat-message"]').filter({ hasText: `보내드려요 ${i}` });
    await expect(sent.locator('[data-test="receipt"]')).toHaveText('✓');
    if (i === buyers.length - 1) {
      // Half-typed when the third report lands.
      await seller.page.locator('[data-test="chat-input"]').fill('택배비는 제가');
    }
    const history = await buyer.context.request.post('/api/chat/history', { form: { room: String(buyer.room) }, headers: sameOrigin });
    const messages: { id: number }[] = (await history.json()).messages;
    const report = await buyer.context.request.post('/api/chat/report', {
      form: { room: String(buyer.room), message: String(messages[messages.length - 1].id), reason: 'fraud' },
      headers: sameOrigin,
    });
    expect(report.status()).toBe(200);
  }
  const notice = seller.page.locator('[data-test="chat-restricted"]');
  await expect(notice).toContainText('이용이 제한되어');
  await expect(notice).toContainText('채팅 메시지를 보낼 수 없어요');
  await expect(seller.page.locator('[data-test="composer"]')).toHaveCount(0);
  await snap(seller.page, info, 'chat-restricted');

  // The demo admin lifts it from /admin/chat.
  const login = await page.request.post('/api/accounts/login', {
    form: { 'input[login_id]': 'breadadmin', 'input[password]': 'Bread1234' },
    headers: sameOrigin,
  });
  expect(login.status()).toBe(200);
  await gotoHydrated(page, '/admin/chat');
  const card = page.locator('[data-test="restricted-member"]').filter({ hasText: seller.m.nickname });
  await expect(card).toContainText('신고 3명 · 자동');
  await card.scrollIntoViewIfNeeded();
  await snap(page, info, 'admin-chat-restrictions');
  await card.locator('[data-test="restriction-lift"]').click();
  await expect(card).toHaveCount(0);

  // The seller's room gets its composer back with the draft, and the message goes.
  await expect(notice).toHaveCount(0);
  await expect(seller.page.locator('[data-test="chat-input"]')).toHaveValue('택배비는 제가');
  await seller.page.locator('[data-test="chat-send"]').click();
  const after = seller.page.locator('[data-test="chat-message"]').filter({ hasText: '택배비는 제가' });
  await expect(after.locator('[data-test="receipt"]')).toHaveText('✓');
  for (const c of [seller, ...buyers]) await c.context.close();
});
