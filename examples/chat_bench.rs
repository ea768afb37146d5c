//! Chat benchmarks at issue 5's scale (data from `generate` + `generate_chat`).
//!
//!   chat_bench queries                      room list and history through the app's repo
//!   chat_bench delivery  <base-url> [rooms] sender → stored → receiver latency, 1 msg/s/room
//!   chat_bench store [n]                    one message per statement through `repo::send_batch`
//!                                           (no sockets): the database's share of delivery
//!   chat_bench throughput <base-url> [conns] [secs]  stored (acknowledged) messages per second
//!   chat_bench idle <base-url> <server-pid> [conns]   server RSS per idle WebSocket
//!
//! With `CHAT_BENCH_DUMP=<file>` the delivery case also writes each message's send time
//! (µs) and delivery time (ms), one per line.
//!
//! DATABASE_URL names the generated database; the socket modes drive a running app
//! (`target/release/bread-book`) over loopback as real browsers would, with sessions
//! made directly in the database for generated members.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bread_book::features::chat::server::repo::{self, Participants};
use bread_book::features::chat::types::{ClientFrame, ServerFrame};
use bread_book::server::config::Config;
use bread_book::server::{db, session};
use futures_util::{SinkExt, StreamExt};
use sqlx::MySqlPool;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn summary(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        *ms.last().unwrap_or(&0.0),
    )
}

async fn timed<F, Fut, T>(runs: usize, mut f: F) -> anyhow::Result<(f64, f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    for _ in 0..20 {
        f().await?;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summary(ms))
}

/// Rows the server read for one call (InnoDB handler reads, from the session's status).
async fn rows_read(pool: &MySqlPool, sql: &str, binds: &[u64]) -> anyhow::Result<u64> {
    let mut conn = pool.acquire().await?;
    let read = |rows: Vec<(String, String)>| -> u64 {
        rows.iter()
            .filter(|(k, _)| k.starts_with("Handler_read"))
            .map(|(_, v)| v.parse::<u64>().unwrap_or(0))
            .sum()
    };
    sqlx::query("FLUSH STATUS").execute(&mut *conn).await?;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(&mut *conn).await?;
    let status: Vec<(String, String)> = sqlx::query_as("SHOW SESSION STATUS LIKE 'Handler_read%'")
        .fetch_all(&mut *conn)
        .await?;
    Ok(read(status))
}

async fn queries(pool: &MySqlPool) -> anyhow::Result<()> {
    let heavy: u64 = sqlx::query_scalar("SELECT CAST(MIN(id) AS UNSIGNED) FROM member")
        .fetch_one(pool)
        .await?;
    let rooms: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM chat_room WHERE buyer_id = ? OR seller_id = ?")
            .bind(heavy)
            .bind(heavy)
            .fetch_one(pool)
            .await?;
    let (big_room, big): (u64, i64) = sqlx::query_as(
        "SELECT room_id, COUNT(*) AS n FROM chat_message WHERE room_id IN
           (SELECT id FROM chat_room WHERE buyer_id = ?) GROUP BY room_id ORDER BY n DESC LIMIT 1",
    )
    .bind(heavy)
    .fetch_one(pool)
    .await?;
    println!("member {heavy}: {rooms} rooms; room {big_room}: {big} messages\n");
    println!("| case | rows | median ms | p99 ms | max ms |\n|---|---|---|---|---|");

    let (page, next) = repo::rooms(pool, heavy, None, 20).await?;
    let (m, p99, max) = timed(500, || async {
        Ok(repo::rooms(pool, heavy, None, 20).await?)
    })
    .await?;
    println!(
        "| room list, first page of 20 | {} | {m:.3} | {p99:.3} | {max:.3} |",
        page.len()
    );
    // A page deep in the list: walk 100 pages to get its cursor.
    let mut cursor = next;
    for _ in 0..100 {
        cursor = repo::rooms(pool, heavy, cursor, 20).await?.1;
    }
    let (deep, _) = repo::rooms(pool, heavy, cursor, 20).await?;
    let (m, p99, max) = timed(500, || async {
        Ok(repo::rooms(pool, heavy, cursor, 20).await?)
    })
    .await?;
    println!(
        "| room list, page 102 (rooms 2,021–2,040) | {} | {m:.3} | {p99:.3} | {max:.3} |",
        deep.len()
    );

    let (newest, _) = repo::history_before(pool, big_room, u64::MAX, 50).await?;
    let (m, p99, max) = timed(500, || async {
        Ok(repo::history_before(pool, big_room, u64::MAX, 50).await?)
    })
    .await?;
    println!(
        "| history, newest 50 of {big} | {} | {m:.3} | {p99:.3} | {max:.3} |",
        newest.len()
    );
    let middle: u64 = sqlx::query_scalar(
        "SELECT id FROM chat_message WHERE room_id = ? ORDER BY id LIMIT 1 OFFSET ?",
    )
    .bind(big_room)
    .bind(big / 2)
    .fetch_one(pool)
    .await?;
    let (m, p99, max) = timed(500, || async {
        Ok(repo::history_before(pool, big_room, middle, 50).await?)
    })
    .await?;
    println!("| history, 50 from the middle of {big} | 50 | {m:.3} | {p99:.3} | {max:.3} |");
    let small: (u64,) = sqlx::query_as(
        "SELECT id FROM chat_room WHERE buyer_id <> ? AND seller_id <> ? ORDER BY id LIMIT 1 OFFSET 500000",
    )
    .bind(heavy)
    .bind(heavy)
    .fetch_one(pool)
    .await?;
    let (few, _) = repo::history_before(pool, small.0, u64::MAX, 50).await?;
    let (m, p99, max) = timed(500, || async {
        Ok(repo::history_before(pool, small.0, u64::MAX, 50).await?)
    })
    .await?;
    println!(
        "| history, a room of {} | {} | {m:.3} | {p99:.3} | {max:.3} |",
        few.len(),
        few.len()
    );
    let (m, p99, max) = timed(500, || async { Ok(repo::unread_total(pool, heavy).await?) }).await?;
    println!("| unread total (header badge) | 1 | {m:.3} | {p99:.3} | {max:.3} |");

    // The seed's starting point, for comparison: the first page worked out from the
    // messages at read time (last message, its time and the unread count as correlated
    // subqueries per room), where ours reads them from the room row the send keeps.
    let from_messages = "SELECT r.id, b.title, m.nickname,
            (SELECT cm.body FROM chat_message cm WHERE cm.room_id = r.id
              ORDER BY cm.id DESC LIMIT 1) AS last_body,
            (SELECT MAX(cm.id) FROM chat_message cm WHERE cm.room_id = r.id) AS last_id,
            (SELECT COUNT(*) FROM chat_message cm WHERE cm.room_id = r.id AND cm.sender_id <> ?
              AND cm.id > IF(r.buyer_id = ?, r.buyer_last_read, r.seller_last_read)) AS unread
         FROM chat_room r
         JOIN listing l ON l.id = r.listing_id JOIN book b ON b.id = l.book_id
         JOIN member m ON m.id = IF(r.buyer_id = ?, r.seller_id, r.buyer_id)
         WHERE r.buyer_id = ? OR r.seller_id = ?
         ORDER BY last_id DESC LIMIT 20";
    let run_from_messages = || async {
        let mut q = sqlx::query(from_messages);
        for _ in 0..5 {
            q = q.bind(heavy);
        }
        Ok(q.fetch_all(pool).await?)
    };
    let rows = run_from_messages().await?;
    let (m, p99, max) = timed(30, run_from_messages).await?;
    println!(
        "| room list worked out from the messages (correlated subqueries), first page | {} | {m:.3} | {p99:.3} | {max:.3} |",
        rows.len()
    );

    // What the server reads for the room list's index part (one side's range).
    let side = "SELECT r.id FROM chat_room r
                WHERE r.buyer_id = ? AND r.buyer_left_at IS NULL
                  AND (r.last_message_at < '9999-12-31' OR (r.last_message_at = '9999-12-31' AND r.id < 18446744073709551615))
                ORDER BY r.last_message_at DESC, r.id DESC LIMIT 20";
    println!(
        "\nrows read (Handler_read*), buyer side of the first page: {}",
        rows_read(pool, side, &[heavy]).await?
    );
    let explain: Vec<sqlx::mysql::MySqlRow> =
        sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN {side}")))
            .bind(heavy)
            .fetch_all(pool)
            .await?;
    use sqlx::Row;
    for row in explain {
        let text = |c: &str| -> String {
            row.try_get::<Option<String>, _>(c)
                .ok()
                .flatten()
                .unwrap_or_else(|| {
                    row.try_get::<Option<i64>, _>(c)
                        .ok()
                        .flatten()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
        };
        println!(
            "EXPLAIN: table={} type={} key={} rows={} extra={}",
            text("table"),
            text("type"),
            text("key"),
            text("rows"),
            text("Extra")
        );
    }
    // The repo's history query as the app sends it.
    let history_sql =
        "SELECT id, sender_id, client_msg_id, body, created_at, deleted_at IS NOT NULL
                       FROM chat_message FORCE INDEX (PRIMARY)
                       WHERE room_id = ? AND id < 18446744073709551615 ORDER BY id DESC LIMIT 51";
    println!(
        "rows read, history newest page in the big room: {}",
        rows_read(pool, history_sql, &[big_room]).await?
    );
    Ok(())
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(base: &str, token: &str) -> anyhow::Result<Ws> {
    let mut request =
        format!("{}/ws/chat", base.replacen("http", "ws", 1)).into_client_request()?;
    request.headers_mut().insert(
        "cookie",
        format!("{}={token}", session::COOKIE_NAME).parse()?,
    );
    // The server takes sockets only from its own pages.
    request.headers_mut().insert("origin", base.parse()?);
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

async fn token(pool: &MySqlPool, member: u64) -> anyhow::Result<String> {
    let now = chrono::Utc::now();
    Ok(session::create(
        pool,
        member,
        now,
        Duration::from_secs(3600),
        Some("chat_bench"),
    )
    .await?
    .token)
}

/// Rooms whose two members appear in no other chosen room (one socket per member).
async fn disjoint_rooms(pool: &MySqlPool, n: usize) -> anyhow::Result<Vec<Participants>> {
    let candidates: Vec<(u64, u64, u64, u64)> = sqlx::query_as(
        "SELECT id, listing_id, buyer_id, seller_id FROM chat_room WHERE id > 10000 ORDER BY id LIMIT ?",
    )
    .bind((n * 4) as u64)
    .fetch_all(pool)
    .await?;
    let mut seen = std::collections::HashSet::new();
    let mut rooms = Vec::new();
    for (room_id, listing_id, buyer_id, seller_id) in candidates {
        if rooms.len() == n {
            break;
        }
        if seen.contains(&buyer_id) || seen.contains(&seller_id) {
            continue;
        }
        seen.insert(buyer_id);
        seen.insert(seller_id);
        rooms.push(Participants {
            room_id,
            listing_id,
            buyer_id,
            seller_id,
        });
    }
    Ok(rooms)
}

fn micros_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

async fn delivery(pool: &MySqlPool, base: &str, rooms_n: usize, secs: u64) -> anyhow::Result<()> {
    let rooms = disjoint_rooms(pool, rooms_n).await?;
    // CHAT_BENCH_VIEWING=1: each receiver has its room open (a View frame), as in a live
    // conversation, so no notification is raised; by default nobody is looking and every
    // message also raises one.
    let viewing = std::env::var("CHAT_BENCH_VIEWING").is_ok_and(|v| v == "1");
    println!(
        "{} rooms, one message per second each, for {secs} s, receivers {}",
        rooms.len(),
        if viewing {
            "viewing the room"
        } else {
            "elsewhere (notified)"
        }
    );
    // (send time in µs since the epoch, delivery ms)
    let latencies = Arc::new(std::sync::Mutex::new(Vec::<(u64, f64)>::new()));
    // Send → the sender's acknowledgement (stored and committed), to split the delivery
    // time into storing and the hop to the receiver.
    let acks = Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let mut tasks = Vec::new();
    for room in rooms {
        let (sender_token, receiver_token) = (
            token(pool, room.buyer_id).await?,
            token(pool, room.seller_id).await?,
        );
        let mut sender = connect(base, &sender_token).await?;
        let mut receiver = connect(base, &receiver_token).await?;
        if viewing {
            let view = ClientFrame::View {
                room: Some(room.room_id),
            };
            receiver
                .send(Message::text(serde_json::to_string(&view)?))
                .await?;
        }
        let (latencies, acks) = (latencies.clone(), acks.clone());
        // Receiver: the body carries the send time; delivery is now minus that.
        tasks.push(tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(secs + 3);
            while let Ok(Some(Ok(msg))) =
                tokio::time::timeout_at(deadline.into(), receiver.next()).await
            {
                if let Message::Text(text) = msg
                    && let Ok(ServerFrame::Msg { msg, .. }) =
                        serde_json::from_str::<ServerFrame>(&text)
                    && let Some(sent) = msg
                        .body
                        .strip_prefix("t=")
                        .and_then(|t| t.parse::<u64>().ok())
                {
                    latencies
                        .lock()
                        .unwrap()
                        .push((sent, (micros_now() - sent) as f64 / 1000.0));
                }
            }
        }));
        tasks.push(tokio::spawn(async move {
            // Spread the rooms over the second.
            tokio::time::sleep(Duration::from_micros(rand::random::<u64>() % 1_000_000)).await;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            for i in 0..secs {
                tick.tick().await;
                let sent = micros_now();
                let frame = ClientFrame::Send {
                    room: room.room_id,
                    cid: format!("bench-{}-{sent}-{i}", room.room_id),
                    body: format!("t={sent}"),
                };
                if sender
                    .send(Message::text(serde_json::to_string(&frame).unwrap()))
                    .await
                    .is_err()
                {
                    break;
                }
                if let Ok(Some(Ok(Message::Text(text)))) =
                    tokio::time::timeout(Duration::from_secs(2), sender.next()).await
                    && let Ok(ServerFrame::Ack { .. }) = serde_json::from_str::<ServerFrame>(&text)
                {
                    acks.lock()
                        .unwrap()
                        .push((micros_now() - sent) as f64 / 1000.0);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let all = latencies.lock().unwrap().clone();
    // CHAT_BENCH_DUMP=file: every delivery as "send µs, ms" lines, to see when the tail happens.
    if let Ok(path) = std::env::var("CHAT_BENCH_DUMP") {
        let lines: String = all
            .iter()
            .map(|(at, ms)| format!("{at} {ms:.3}\n"))
            .collect();
        std::fs::write(path, lines)?;
    }
    let all: Vec<f64> = all.into_iter().map(|(_, ms)| ms).collect();
    let n = all.len();
    let (m, p99, max) = summary(all);
    let acks = acks.lock().unwrap().clone();
    let acked = acks.len();
    let (am, ap99, amax) = summary(acks);
    println!(
        "| measured | n | median ms | p99 ms | max ms |\n|---|---|---|---|---|\n\
         | delivered to the receiver | {n} | {m:.2} | {p99:.2} | {max:.2} |\n\
         | acknowledged to the sender (stored) | {acked} | {am:.2} | {ap99:.2} | {amax:.2} |"
    );
    Ok(())
}

/// One message at a time, ~1 ms apart, straight through the writer's statement: what
/// the database alone adds to each delivery.
async fn store(pool: &MySqlPool, n: usize) -> anyhow::Result<()> {
    let rooms = disjoint_rooms(pool, 1000).await?;
    // Held, as the app's writers hold theirs.
    let mut conn = pool.acquire().await?;
    let mut ms = Vec::with_capacity(n);
    for i in 0..n {
        let room = rooms[i % rooms.len()];
        let message = repo::NewMessage {
            room,
            sender_id: room.buyer_id,
            client_msg_id: format!("st-{}-{i}", micros_now()),
            body: format!("저장 측정 {i}"),
            notification: None,
            now: chrono::Utc::now(),
        };
        let started = Instant::now();
        let sent = repo::send_batch(&mut conn, std::slice::from_ref(&message)).await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(sent.iter().all(Result::is_ok), "a message was not stored");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let (m, p99, max) = summary(ms);
    println!(
        "| messages | median ms | p99 ms | max ms |\n|---|---|---|---|\n| {n} | {m:.2} | {p99:.2} | {max:.2} |"
    );
    Ok(())
}

async fn throughput(pool: &MySqlPool, base: &str, conns: usize, secs: u64) -> anyhow::Result<()> {
    let rooms = disjoint_rooms(pool, conns).await?;
    let mut sockets = Vec::with_capacity(rooms.len());
    for room in rooms {
        sockets.push((
            room,
            connect(base, &token(pool, room.buyer_id).await?).await?,
        ));
    }
    let stored = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (room, mut ws) in sockets {
        let stored = stored.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            // Closed loop: the next message goes when the last one is acknowledged.
            while Instant::now() < deadline {
                i += 1;
                let frame = ClientFrame::Send {
                    room: room.room_id,
                    cid: format!("tp-{}-{}-{i}", room.room_id, micros_now()),
                    body: format!("처리량 측정 {i}"),
                };
                if ws
                    .send(Message::text(serde_json::to_string(&frame).unwrap()))
                    .await
                    .is_err()
                {
                    return;
                }
                loop {
                    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
                        Ok(Some(Ok(Message::Text(t)))) => {
                            if let Ok(ServerFrame::Ack { .. }) =
                                serde_json::from_str::<ServerFrame>(&t)
                            {
                                stored.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                        Ok(Some(Ok(_))) => continue,
                        _ => return,
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = stored.load(Ordering::Relaxed);
    println!(
        "| connections | seconds | stored + acknowledged | per second |\n|---|---|---|---|\n| {conns} | {elapsed:.1} | {n} | {:.0} |",
        n as f64 / elapsed
    );
    Ok(())
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

async fn idle(pool: &MySqlPool, base: &str, pid: u32, conns: usize) -> anyhow::Result<()> {
    let members: Vec<u64> = sqlx::query_scalar("SELECT id FROM member ORDER BY id DESC LIMIT ?")
        .bind(conns as u64)
        .fetch_all(pool)
        .await?;
    let mut tokens = Vec::with_capacity(conns);
    for m in &members {
        tokens.push(token(pool, *m).await?);
    }
    // Warm the server (allocator arenas, pools) with a few connections first.
    let mut warm = Vec::new();
    for t in tokens.iter().take(50) {
        warm.push(connect(base, t).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = rss_kib(pid)?;
    let mut sockets = Vec::with_capacity(conns);
    for t in tokens.iter().skip(50) {
        sockets.push(connect(base, t).await?);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_kib(pid)?;
    let n = sockets.len() as u64;
    println!(
        "| idle sockets | RSS before KiB | RSS after KiB | KiB per socket |\n|---|---|---|---|\n| {n} | {before} | {after} | {:.1} |",
        (after.saturating_sub(before)) as f64 / n as f64
    );
    drop(sockets);
    drop(warm);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("set DATABASE_URL"))?;
    // The app's own pool: the same session settings (causal reads on Galera) as it runs with.
    let pool = db::connect(&Config {
        db_max_connections: 8,
        ..Config::for_tests(url)
    })
    .await?;
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(1) {
        Some("queries") => queries(&pool).await,
        Some("delivery") => {
            let base = arg(2).ok_or_else(|| anyhow::anyhow!("base url"))?;
            let rooms = arg(3).map(str::parse).transpose()?.unwrap_or(1000);
            let secs = arg(4).map(str::parse).transpose()?.unwrap_or(30);
            delivery(&pool, base, rooms, secs).await
        }
        Some("store") => store(&pool, arg(2).map(str::parse).transpose()?.unwrap_or(5000)).await,
        Some("throughput") => {
            let base = arg(2).ok_or_else(|| anyhow::anyhow!("base url"))?;
            let conns = arg(3).map(str::parse).transpose()?.unwrap_or(256);
            let secs = arg(4).map(str::parse).transpose()?.unwrap_or(15);
            throughput(&pool, base, conns, secs).await
        }
        Some("idle") => {
            let base = arg(2).ok_or_else(|| anyhow::anyhow!("base url"))?;
            let pid = arg(3)
                .ok_or_else(|| anyhow::anyhow!("server pid"))?
                .parse()?;
            let conns = arg(4).map(str::parse).transpose()?.unwrap_or(5000);
            idle(&pool, base, pid, conns).await
        }
        _ => anyhow::bail!(
            "usage: chat_bench queries | store [n] | delivery <base> [rooms] [secs] | throughput <base> [conns] [secs] | idle <base> <pid> [conns]"
        ),
    }
}
