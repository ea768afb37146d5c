//! Adds chat to a database `examples/generate.rs` filled, at issue 5's benchmark scale:
//!
//!   DATABASE_URL=mysql://… target/release/examples/generate_chat 1000000 1000000 10000000
//!
//! arguments: members in total (tops the generated ones up), rooms, messages.
//! Member 1 of the generated ones ("heavy", login `gen<first>`) sits in 3,000 rooms —
//! buyer in 2,000, seller in 1,000 — and one of their rooms holds 100,000 messages; the
//! rest of the messages spread over the other rooms (1–40 each, ~10 on average). Every
//! room's stored last-message fields, read pointers and unread counts agree with its
//! messages, as the app keeps them. Deterministic (fixed seed); foreign-key and unique
//! checks are off for this session only.

use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, MySql, MySqlConnection, QueryBuilder};

pub const HEAVY_BUYER_ROOMS: u64 = 2_000;
pub const HEAVY_SELLER_ROOMS: u64 = 1_000;
pub const BIG_ROOM_MESSAGES: u64 = 100_000;

const LINES: &[&str] = &[
    "안녕하세요, 아직 판매 중인가요?",
    "네 판매 중입니다!",
    "혹시 가격 조금 조정 가능할까요?",
    "택배로 보내주실 수 있나요?",
    "신촌역에서 직거래 가능해요",
    "필기 흔적이 많이 있나요?",
    "밑줄 몇 군데 말고는 깨끗해요",
    "안전결제로 주문할게요",
    "내일 저녁 7시 어떠세요?",
    "감사합니다 잘 받았어요 :)",
];

struct Room {
    id: u64,
    listing: u64,
    buyer: u64,
    seller: u64,
    messages: u64,
    last_at: NaiveDateTime,
}

async fn scalar(conn: &mut MySqlConnection, sql: &'static str) -> anyhow::Result<u64> {
    let v: Option<u64> = sqlx::query_scalar(sql).fetch_one(&mut *conn).await?;
    Ok(v.unwrap_or(0))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let arg = |i: usize, default: u64| -> anyhow::Result<u64> {
        Ok(std::env::args()
            .nth(i)
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(default))
    };
    let (members_total, rooms_total, messages_total) =
        (arg(1, 1_000_000)?, arg(2, 1_000_000)?, arg(3, 10_000_000)?);
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
    let mut conn = MySqlConnection::connect(&url).await?;
    sqlx::query("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        .execute(&mut conn)
        .await?;
    let mut rng = StdRng::seed_from_u64(5_2026_1124);
    let started = Instant::now();
    let now = NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(3, 0, 0)
        .unwrap();

    // Members: top up to the total with plain accounts.
    let first_member = scalar(&mut conn, "SELECT CAST(MIN(id) AS UNSIGNED) FROM member").await?;
    let have = scalar(&mut conn, "SELECT CAST(MAX(id) AS UNSIGNED) FROM member").await?;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM member WHERE id = ?")
        .bind(first_member)
        .fetch_one(&mut conn)
        .await?;
    let ids: Vec<u64> = (have + 1..first_member + members_total).collect();
    for chunk in ids.chunks(2000) {
        let mut q = QueryBuilder::<MySql>::new(
            "INSERT INTO member (id, login_id, email, password_hash, name, nickname, birth_date,
                                 created_at, updated_at) ",
        );
        q.push_values(chunk, |mut row, &id| {
            row.push_bind(id)
                .push_bind(format!("gen{id}"))
                .push_bind(format!("gen{id}@gen.breadbook.kr"))
                .push_bind(&hash)
                .push_bind("생성회원")
                .push_bind(format!("빵{id}"))
                .push_bind(NaiveDate::from_ymd_opt(2000, 1, 1))
                .push_bind(now - Duration::days(30))
                .push_bind(now - Duration::days(30));
        });
        q.build().execute(&mut conn).await?;
    }
    let last_member = first_member + members_total - 1;
    println!(
        "members  {members_total:>9} (+{}) in {:>6.1}s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );

    // The heavy member sells the first 1,000 listings.
    let first_listing = scalar(&mut conn, "SELECT CAST(MIN(id) AS UNSIGNED) FROM listing").await?;
    let listings = scalar(&mut conn, "SELECT CAST(COUNT(*) AS UNSIGNED) FROM listing").await?;
    let heavy = first_member;
    sqlx::query("UPDATE listing SET seller_id = ? WHERE id < ?")
        .bind(heavy)
        .bind(first_listing + HEAVY_SELLER_ROOMS)
        .execute(&mut conn)
        .await?;
    let sellers: Vec<u64> = sqlx::query_scalar("SELECT seller_id FROM listing ORDER BY id")
        .fetch_all(&mut conn)
        .await?;

    // Rooms: room k is on listing k mod L with the k / L-th buyer of that listing, so
    // (listing, buyer) never repeats. The heavy member's rooms come first.
    let mut rooms = Vec::with_capacity(rooms_total as usize);
    let span = 365 * 24 * 3600;
    for k in 0..rooms_total {
        let offset = k % listings;
        let listing = first_listing + offset;
        let seller = sellers[offset as usize];
        let buyer = if (HEAVY_SELLER_ROOMS..HEAVY_SELLER_ROOMS + HEAVY_BUYER_ROOMS).contains(&k) {
            heavy
        } else {
            let nth = k / listings + 1;
            let mut b = first_member + (offset * 7919 + nth * 104_729) % members_total;
            if b == seller || b == heavy {
                b = if b == last_member {
                    first_member + 1
                } else {
                    b + 1
                };
            }
            b
        };
        let buyer = if buyer == seller { heavy + 2 } else { buyer };
        rooms.push(Room {
            id: k + 1,
            listing,
            buyer,
            seller,
            messages: 0,
            last_at: now - Duration::seconds(rng.random_range(0..span)),
        });
    }
    // Messages per room: the big room, then 1–40 elsewhere until the total is spent.
    rooms[HEAVY_SELLER_ROOMS as usize].messages = BIG_ROOM_MESSAGES.min(messages_total);
    let mut left = messages_total.saturating_sub(rooms[HEAVY_SELLER_ROOMS as usize].messages);
    let average = (left / rooms_total.max(1)).max(1);
    for room in rooms.iter_mut() {
        if room.messages == 0 && left > 0 {
            let n = rng.random_range(1..=(2 * average).min(left).max(1));
            room.messages = n;
            left -= n;
        }
    }
    if left > 0 {
        rooms[0].messages += left;
    }

    // Insert each room with its messages, in batches of rooms.
    let mut next_message = 1u64;
    let mut inserted = 0u64;
    for batch in rooms.chunks(1000) {
        let mut batch_messages: Vec<(u64, u64, u64, usize, NaiveDateTime)> = Vec::new();
        let mut room_rows = Vec::with_capacity(batch.len());
        for room in batch {
            let first = next_message;
            for i in 0..room.messages {
                let sender = if i % 2 == 0 { room.buyer } else { room.seller };
                let at = room.last_at - Duration::seconds(((room.messages - 1 - i) * 60) as i64);
                batch_messages.push((
                    room.id,
                    next_message,
                    sender,
                    (next_message % LINES.len() as u64) as usize,
                    at,
                ));
                next_message += 1;
            }
            let last = next_message - 1;
            let last_sender = if (room.messages - 1) % 2 == 0 {
                room.buyer
            } else {
                room.seller
            };
            // The recipient of the last message has not read the last two.
            let unread = room.messages.min(2) as u32;
            let (buyer_read, seller_read, buyer_unread, seller_unread) =
                if last_sender == room.buyer {
                    (last, last.saturating_sub(2).max(first - 1), 0, unread)
                } else {
                    (last.saturating_sub(2).max(first - 1), last, unread, 0)
                };
            room_rows.push((
                room,
                last,
                last_sender,
                buyer_read,
                seller_read,
                buyer_unread,
                seller_unread,
            ));
        }
        let mut q = QueryBuilder::<MySql>::new(
            "INSERT INTO chat_room (id, listing_id, buyer_id, seller_id, created_at, last_message_at,
               last_message_id, last_sender_id, last_message_preview, buyer_last_read,
               seller_last_read, buyer_unread, seller_unread) ",
        );
        q.push_values(
            &room_rows,
            |mut row, (room, last, sender, br, sr, bu, su)| {
                row.push_bind(room.id)
                    .push_bind(room.listing)
                    .push_bind(room.buyer)
                    .push_bind(room.seller)
                    .push_bind(room.last_at - Duration::days(1))
                    .push_bind(room.last_at)
                    .push_bind(*last)
                    .push_bind(*sender)
                    .push_bind(LINES[(*last % LINES.len() as u64) as usize])
                    .push_bind(*br)
                    .push_bind(*sr)
                    .push_bind(*bu)
                    .push_bind(*su);
            },
        );
        // Messages before their rooms: the trigger that keeps a room's last message and
        // counts (migration 13) then finds no room and leaves the computed rows alone.
        for chunk in batch_messages.chunks(2000) {
            let mut q = QueryBuilder::<MySql>::new(
                "INSERT INTO chat_message (room_id, id, sender_id, client_msg_id, body, created_at) ",
            );
            q.push_values(chunk, |mut row, (room, id, sender, line, at)| {
                row.push_bind(*room)
                    .push_bind(*id)
                    .push_bind(*sender)
                    .push_bind(format!("gen-{id}"))
                    .push_bind(LINES[*line])
                    .push_bind(*at);
            });
            q.build().execute(&mut conn).await?;
        }
        q.build().execute(&mut conn).await?;
        inserted += batch_messages.len() as u64;
        if (batch[0].id / 1000) % 100 == 0 {
            println!(
                "rooms {:>9}  messages {inserted:>10}  {:>6.1}s",
                batch[batch.len() - 1].id,
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "done: {} rooms, {inserted} messages in {:.1}s; heavy member {heavy} (login gen{heavy})",
        rooms.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
