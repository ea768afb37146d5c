//! The failover run's load client and checker (scripts/failover, RELIABILITY.md).
//!
//!   failover load  <journal> <seconds> <users> <http-base,http-base> <probe-db-url>
//!   failover check <journal> <node-db-url,node-db-url,…>
//!
//! `load` plays `users` people through both HTTP balancers as browsers would: they sign
//! up, list books, wish, chat over WebSockets, buy with the sandbox provider, ship,
//! confirm and review. Every write the app acknowledged goes to the journal (JSON
//! lines). A person sticks to one balancer and moves to the other only when it refuses
//! connections (the request never left: nothing is sent twice); a chat socket that drops
//! reconnects and sends its unacknowledged messages again under the same client id, as
//! the browser does. Anything else that fails is a user-visible error and is counted.
//! Beside it, a probe writes one row per chat message through the same database
//! balancer (INSERT + COMMIT), so chat delivery can be compared with a bare write.
//!
//! `check` reads every node directly: every acknowledged write present, nothing doubled,
//! every order and payment in a legal state, and the nodes identical table by table.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bread_book::features::chat::types::{ClientFrame, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::mysql::MySqlPoolOptions;
use sqlx::{MySqlPool, Row};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const PASSWORD: &str = "Passw0rd";
/// 채식주의자: in the seeded catalog, so a listing needs no typed book facts.
const ISBN: &str = "9788936433598";
const CATEGORY: &str = "141";
const PRICE: u32 = 9000;

/// An acknowledged write.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Acked {
    Member {
        login_id: String,
    },
    Listing {
        id: u64,
        seller: String,
    },
    Wish {
        login_id: String,
        listing: u64,
    },
    Message {
        room: u64,
        cid: String,
    },
    Order {
        id: u64,
        buyer: String,
        listing: u64,
    },
    Paid {
        order: u64,
    },
    Shipped {
        order: u64,
    },
    Confirmed {
        order: u64,
    },
    Review {
        order: u64,
        reviewer: String,
    },
}

struct Journal(Mutex<std::io::BufWriter<std::fs::File>>);

impl Journal {
    fn record(&self, acked: &Acked) {
        let mut out = self.0.lock().unwrap();
        serde_json::to_writer(&mut *out, acked).unwrap();
        out.write_all(b"\n").unwrap();
    }
}

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    /// What a person saw go wrong, by kind ("POST orders/place 503", "chat: no ack", …).
    errors: Mutex<BTreeMap<String, u64>>,
    /// Balancer switches after a refused connection.
    switches: AtomicU64,
    /// Chat sockets opened again after a drop.
    reconnects: AtomicU64,
    /// When each acknowledged write completed, ms since the start.
    write_done_ms: Mutex<Vec<u64>>,
    /// Send → acknowledgement, ms.
    chat_ack_ms: Mutex<Vec<f64>>,
    chat_sent: AtomicU64,
    /// INSERT + COMMIT through the same balancer, ms.
    probe_ms: Mutex<Vec<f64>>,
    probe_errors: AtomicU64,
}

impl Stats {
    fn error(&self, what: String) {
        *self.errors.lock().unwrap().entry(what).or_default() += 1;
    }
}

struct Shared {
    bases: Vec<String>,
    journal: Journal,
    stats: Stats,
    started: Instant,
    deadline: Instant,
    /// Listings on sale: (id, seller index).
    on_sale: Mutex<Vec<(u64, usize)>>,
    people: Mutex<Vec<Arc<Person>>>,
    run: String,
    /// Where the app instances write their mail (MAIL_OUTBOX): sign-up codes are read here.
    outbox: std::path::PathBuf,
}

impl Shared {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn acked(&self, what: Acked) {
        self.journal.record(&what);
        let at = self.now_ms();
        self.stats.write_done_ms.lock().unwrap().push(at);
    }
}

struct Person {
    index: usize,
    login_id: String,
    cookie: Mutex<String>,
    /// Which balancer this person's browser uses.
    base: AtomicUsize,
    http: reqwest::Client,
}

enum Outcome {
    Ok(Value),
    /// A refusal the app explains (409, 422): part of normal use, not an error.
    Refused,
    Failed,
}

impl Person {
    fn base(&self, shared: &Shared) -> String {
        shared.bases[self.base.load(Ordering::Relaxed) % shared.bases.len()].clone()
    }

    fn switch(&self, shared: &Shared) {
        self.base.fetch_add(1, Ordering::Relaxed);
        shared.stats.switches.fetch_add(1, Ordering::Relaxed);
    }

    /// A server function call as the browser makes it.
    async fn call(&self, shared: &Shared, endpoint: &str, form: &[(&str, &str)]) -> Outcome {
        for _ in 0..shared.bases.len() + 1 {
            let base = self.base(shared);
            shared.stats.requests.fetch_add(1, Ordering::Relaxed);
            let cookie = self.cookie.lock().unwrap().clone();
            let sent = self
                .http
                .post(format!("{base}/api/{endpoint}"))
                .header(COOKIE, cookie)
                .form(form)
                .send()
                .await;
            let res = match sent {
                Ok(res) => res,
                // Refused before anything was sent: the other balancer.
                Err(e) if e.is_connect() => {
                    self.switch(shared);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
                Err(e) => {
                    shared.stats.error(format!("{endpoint}: {}", kind_of(&e)));
                    return Outcome::Failed;
                }
            };
            if let Some(session) = session_cookie(res.headers()) {
                *self.cookie.lock().unwrap() = session;
            }
            let status = res.status();
            return match status {
                StatusCode::OK => Outcome::Ok(res.json().await.unwrap_or(Value::Null)),
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => Outcome::Refused,
                _ => {
                    shared
                        .stats
                        .error(format!("{endpoint}: {}", status.as_u16()));
                    Outcome::Failed
                }
            };
        }
        shared
            .stats
            .error(format!("{endpoint}: no balancer answered"));
        Outcome::Failed
    }

    async fn get(&self, shared: &Shared, path: &str) -> Option<reqwest::Response> {
        for _ in 0..shared.bases.len() + 1 {
            let base = self.base(shared);
            shared.stats.requests.fetch_add(1, Ordering::Relaxed);
            let cookie = self.cookie.lock().unwrap().clone();
            match self
                .http
                .get(format!("{base}{path}"))
                .header(COOKIE, cookie)
                .send()
                .await
            {
                Ok(res) => return Some(res),
                Err(e) if e.is_connect() => {
                    self.switch(shared);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => {
                    shared.stats.error(format!("GET {path}: {}", kind_of(&e)));
                    return None;
                }
            }
        }
        None
    }
}

fn kind_of(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_request() {
        "connection dropped"
    } else {
        "failed"
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("bb_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

fn http_client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    // What a browser on one of our pages sends (the app refuses cross-site writes).
    headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn sign_up(shared: &Shared, index: usize) -> Option<Arc<Person>> {
    let login_id = format!("fo{}{index:04}", shared.run);
    let person = Arc::new(Person {
        index,
        login_id: login_id.clone(),
        cookie: Mutex::new(String::new()),
        base: AtomicUsize::new(index),
        http: http_client(),
    });
    let nickname = format!("부{}{index:04}", &shared.run[..4]);
    let email = format!("{login_id}@failover.test");
    let form = [
        ("input[login_id]", login_id.as_str()),
        ("input[password]", PASSWORD),
        ("input[password_confirm]", PASSWORD),
        ("input[name]", "김독서"),
        ("input[nickname]", nickname.as_str()),
        ("input[email]", email.as_str()),
        ("input[birth_date]", "2001-03-15"),
        ("input[phone]", "010-1234-5678"),
        ("input[gender]", ""),
        ("input[agree_terms]", "true"),
        ("input[agree_privacy]", "true"),
    ];
    for _ in 0..5 {
        match person.call(shared, "accounts/signup", &form).await {
            Outcome::Ok(_) => {
                shared.acked(Acked::Member { login_id });
                return verify(shared, &person, &email).await.then_some(person);
            }
            // Taken: an earlier try committed without its answer arriving. Log in.
            Outcome::Refused => {
                let login = [
                    ("input[login_id]", login_id.as_str()),
                    ("input[password]", PASSWORD),
                ];
                if let Outcome::Ok(_) = person.call(shared, "accounts/login", &login).await {
                    shared.acked(Acked::Member { login_id });
                    return verify(shared, &person, &email).await.then_some(person);
                }
            }
            Outcome::Failed => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    None
}

/// Enters the code mailed at sign-up, as the member would; selling, chatting and buying
/// need it. True once the app says the address is verified.
async fn verify(shared: &Shared, person: &Person, email: &str) -> bool {
    for _ in 0..40 {
        if let Some(code) = signup_code(&shared.outbox, email) {
            person
                .call(shared, "accounts/verify", &[("code", code.as_str())])
                .await;
            if let Outcome::Ok(me) = person.call(shared, "accounts/me", &[]).await
                && me["email_verified"] == true
            {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// The code of the newest sign-up mail to `email` in the outbox (its subject ends with it).
fn signup_code(outbox: &std::path::Path, email: &str) -> Option<String> {
    let mut newest: Option<(std::time::SystemTime, String)> = None;
    for entry in std::fs::read_dir(outbox).ok()?.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let Ok(raw) = std::fs::read(&path) else {
            continue;
        };
        let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let to_member = message
            .to()
            .is_some_and(|to| to.iter().any(|a| a.address() == Some(email)));
        let subject = message.subject().unwrap_or_default();
        if !to_member || !subject.contains("가입 이메일 인증 코드") {
            continue;
        }
        let code: String = subject
            .chars()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let modified = entry.metadata().and_then(|m| m.modified()).ok()?;
        if newest.as_ref().is_none_or(|(t, _)| modified >= *t) {
            newest = Some((modified, code));
        }
    }
    newest.map(|(_, code)| code)
}

async fn list_book(shared: &Shared, me: &Person) {
    let price = PRICE.to_string();
    let key = uuid::Uuid::new_v4().to_string();
    let form = [
        ("input[isbn]", ISBN),
        ("input[category_id]", CATEGORY),
        ("input[price]", price.as_str()),
        ("input[condition]", "fair"),
        ("input[checklist][writing]", "true"),
        ("input[meet]", "true"),
        ("input[parcel]", "true"),
        ("input[meet_label]", "신촌역 2번 출구"),
        ("input[meet_lat]", "37.5551"),
        ("input[meet_lng]", "126.9368"),
        ("input[pay_safe]", "true"),
        ("input[pay_cash]", "true"),
        ("input[description]", "부하 시험용 판매글이에요."),
        ("input[create_key]", key.as_str()),
    ];
    // As the sale form does: a failed submit is sent again under the same key, and finds
    // the listing if the first had been made.
    for _ in 0..3 {
        match me.call(shared, "listings/create", &form).await {
            Outcome::Ok(id) => {
                if let Some(id) = id.as_u64() {
                    shared.acked(Acked::Listing {
                        id,
                        seller: me.login_id.clone(),
                    });
                    shared.on_sale.lock().unwrap().push((id, me.index));
                }
                return;
            }
            Outcome::Refused => return,
            Outcome::Failed => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

/// A listing someone else is selling.
fn someone_elses(shared: &Shared, me: &Person) -> Option<(u64, usize)> {
    let on_sale = shared.on_sale.lock().unwrap();
    let theirs: Vec<_> = on_sale.iter().filter(|(_, s)| *s != me.index).collect();
    if theirs.is_empty() {
        return None;
    }
    Some(*theirs[rand::rng().random_range(0..theirs.len())])
}

async fn wish(shared: &Shared, me: &Person) {
    let Some((listing, _)) = someone_elses(shared, me) else {
        return;
    };
    let id = listing.to_string();
    let form = [("listing_id", id.as_str()), ("wished", "true")];
    if let Outcome::Ok(_) = me.call(shared, "listings/wish", &form).await {
        shared.acked(Acked::Wish {
            login_id: me.login_id.clone(),
            listing,
        });
    }
}

/// Buys a book with the sandbox provider, and plays the seller shipping it, the buyer
/// confirming and both reviewing, as far as each step succeeds.
async fn buy(shared: &Shared, me: &Person) {
    let Some((listing, seller_index)) = someone_elses(shared, me) else {
        return;
    };
    let seller = shared.people.lock().unwrap()[seller_index].clone();
    let key = uuid::Uuid::new_v4().to_string();
    let listing_s = listing.to_string();
    let form = [
        ("input[listing_id]", listing_s.as_str()),
        ("input[method]", "safe_pay"),
        ("input[provider]", "sandbox"),
        ("input[delivery]", "parcel"),
        ("input[idempotency_key]", key.as_str()),
        ("input[address][recipient]", "김독서"),
        ("input[address][phone]", "01012345678"),
        ("input[address][postcode]", "03722"),
        ("input[address][address1]", "서울 서대문구 연세로 50"),
        ("input[address][address2]", "101호"),
    ];
    // The browser repeats a failed order with the same key, which the app recognises.
    let mut placed = None;
    for _ in 0..3 {
        match me.call(shared, "orders/place", &form).await {
            Outcome::Ok(v) => {
                placed = Some(v);
                break;
            }
            Outcome::Refused => {
                shared
                    .on_sale
                    .lock()
                    .unwrap()
                    .retain(|(id, _)| *id != listing);
                return;
            }
            Outcome::Failed => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
    let Some(placed) = placed else { return };
    let (Some(order), Some(next)) = (placed["order_id"].as_u64(), placed["next_url"].as_str())
    else {
        shared.stats.error("orders/place: unexpected answer".into());
        return;
    };
    shared
        .on_sale
        .lock()
        .unwrap()
        .retain(|(id, _)| *id != listing);
    shared.acked(Acked::Order {
        id: order,
        buyer: me.login_id.clone(),
        listing,
    });
    let Some(attempt) = next.strip_prefix("/pay/sandbox/") else {
        return; // the checkout could not open: the order waits to be paid
    };
    let Outcome::Ok(checkout) = me
        .call(shared, "orders/attempt", &[("attempt", attempt)])
        .await
    else {
        return;
    };
    let (Some(payment_key), Some(amount)) = (
        checkout["payment_key"].as_str(),
        checkout["amount"].as_i64(),
    ) else {
        return;
    };
    let back =
        format!("/pay/return/sandbox?attempt={attempt}&paymentKey={payment_key}&amount={amount}");
    let Some(res) = me.get(shared, &back).await else {
        return;
    };
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if res.status() != StatusCode::SEE_OTHER || !location.ends_with("pay=ok") {
        shared
            .stats
            .error(format!("pay return: {} {location}", res.status().as_u16()));
        return;
    }
    shared.acked(Acked::Paid { order });

    let id = order.to_string();
    let ship = [
        ("id", id.as_str()),
        ("carrier", "CJ대한통운"),
        ("tracking_no", "1234-5678-9012"),
    ];
    if !matches!(
        seller.call(shared, "orders/ship", &ship).await,
        Outcome::Ok(_)
    ) {
        return;
    }
    shared.acked(Acked::Shipped { order });
    if !matches!(
        me.call(shared, "orders/confirm", &[("id", id.as_str())])
            .await,
        Outcome::Ok(_)
    ) {
        return;
    }
    shared.acked(Acked::Confirmed { order });
    for (who, body) in [
        (me, "책 상태가 설명과 같아요."),
        (&*seller, "빠른 입금 감사합니다."),
    ] {
        let form = [("id", id.as_str()), ("stars", "5"), ("body", body)];
        if let Outcome::Ok(_) = who.call(shared, "orders/review", &form).await {
            shared.acked(Acked::Review {
                order,
                reviewer: who.login_id.clone(),
            });
        }
    }
}

/// One chat socket per person, kept open: messages go out through it and wait for
/// their acknowledgement; when it drops, it is opened again (through the other
/// balancer if this one refuses) and unacknowledged messages are sent again.
struct Chat {
    outbox: mpsc::UnboundedSender<(u64, String, String, oneshot::Sender<()>)>,
}

impl Chat {
    fn start(shared: Arc<Shared>, me: Arc<Person>) -> Self {
        let (outbox, rx) = mpsc::unbounded_channel();
        tokio::spawn(chat_loop(shared, me, rx));
        Self { outbox }
    }

    /// Sends and waits for the acknowledgement (at most 20 s, across reconnects).
    async fn say(&self, shared: &Shared, room: u64, body: &str) {
        let cid = uuid::Uuid::new_v4().to_string();
        let (done, acked) = oneshot::channel();
        shared.stats.chat_sent.fetch_add(1, Ordering::Relaxed);
        let sent_at = Instant::now();
        if self
            .outbox
            .send((room, cid.clone(), body.to_owned(), done))
            .is_err()
        {
            return;
        }
        match tokio::time::timeout(Duration::from_secs(20), acked).await {
            Ok(Ok(())) => {
                let ms = sent_at.elapsed().as_secs_f64() * 1000.0;
                shared.stats.chat_ack_ms.lock().unwrap().push(ms);
                shared.acked(Acked::Message { room, cid });
            }
            // Refused: already counted where the refusal arrived.
            Ok(Err(_)) => {}
            Err(_) => shared
                .stats
                .error("chat: no acknowledgement in 20 s".into()),
        }
    }
}

type Pending = HashMap<String, (u64, String, oneshot::Sender<()>)>;

async fn chat_loop(
    shared: Arc<Shared>,
    me: Arc<Person>,
    mut outbox: mpsc::UnboundedReceiver<(u64, String, String, oneshot::Sender<()>)>,
) {
    let mut pending: Pending = HashMap::new();
    let mut first = true;
    'connect: while Instant::now() < shared.deadline + Duration::from_secs(25) {
        let base = me.base(&shared);
        let mut request = format!("{}/ws/chat", base.replacen("http", "ws", 1))
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", base.parse().unwrap());
        let cookie = me.cookie.lock().unwrap().clone();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        let stream = match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _)) => stream,
            Err(_) => {
                me.switch(&shared);
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            }
        };
        if !first {
            shared.stats.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        let (mut tx, mut rx) = stream.split();
        // What was not acknowledged on the last socket goes again, same client ids.
        for (cid, (room, body, _)) in &pending {
            let frame = ClientFrame::Send {
                room: *room,
                cid: cid.clone(),
                body: body.clone(),
            };
            if tx
                .send(Message::text(serde_json::to_string(&frame).unwrap()))
                .await
                .is_err()
            {
                continue 'connect;
            }
        }
        loop {
            tokio::select! {
                next = outbox.recv() => {
                    let Some((room, cid, body, done)) = next else { return };
                    let frame = ClientFrame::Send { room, cid: cid.clone(), body: body.clone() };
                    pending.insert(cid, (room, body, done));
                    if tx.send(Message::text(serde_json::to_string(&frame).unwrap())).await.is_err() {
                        continue 'connect;
                    }
                }
                frame = rx.next() => {
                    let Some(Ok(frame)) = frame else { continue 'connect };
                    let Message::Text(text) = frame else { continue };
                    match serde_json::from_str::<ServerFrame>(&text) {
                        Ok(ServerFrame::Ack { cid, .. }) => {
                            if let Some((_, _, done)) = pending.remove(&cid) {
                                let _ = done.send(());
                            }
                        }
                        Ok(ServerFrame::Refused { cid, message }) => {
                            pending.remove(&cid);
                            shared.stats.error(format!("chat refused: {message}"));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

async fn chat(shared: &Shared, me: &Person, socket: &Chat) {
    let Some((listing, _)) = someone_elses(shared, me) else {
        return;
    };
    let listing = listing.to_string();
    let Outcome::Ok(room) = me.call(shared, "chat/open", &[("listing", &listing)]).await else {
        return;
    };
    let Some(room) = room.as_u64() else { return };
    for n in 0..3 {
        socket
            .say(
                shared,
                room,
                &format!("안녕하세요, 아직 판매 중인가요? ({n})"),
            )
            .await;
    }
}

async fn person(shared: Arc<Shared>, me: Arc<Person>) {
    let socket = Chat::start(shared.clone(), me.clone());
    list_book(&shared, &me).await;
    while Instant::now() < shared.deadline {
        let roll = rand::rng().random_range(0..100);
        match roll {
            0..30 => {
                me.call(&shared, "listings/newest", &[]).await;
            }
            30..42 => wish(&shared, &me).await,
            42..72 => chat(&shared, &me, &socket).await,
            72..88 => buy(&shared, &me).await,
            _ => list_book(&shared, &me).await,
        }
        let think = rand::rng().random_range(50..250);
        tokio::time::sleep(Duration::from_millis(think)).await;
    }
}

/// A bare write through the same balancer, one per chat message sent.
async fn probe(shared: Arc<Shared>, url: String) -> anyhow::Result<()> {
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(30))
        .connect(&url)
        .await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS failover_probe (
            id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
            at DATETIME(6) NOT NULL) ENGINE=InnoDB",
    )
    .execute(&pool)
    .await?;
    let mut done = 0;
    while Instant::now() < shared.deadline {
        if done >= shared.stats.chat_sent.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        done += 1;
        let started = Instant::now();
        let wrote = async {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO failover_probe (at) VALUES (NOW(6))")
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        match wrote {
            Ok(()) => shared
                .stats
                .probe_ms
                .lock()
                .unwrap()
                .push(started.elapsed().as_secs_f64() * 1000.0),
            Err(_) => {
                shared.stats.probe_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 * p).ceil() as usize).clamp(1, values.len()) - 1]
}

async fn load(args: &[String]) -> anyhow::Result<()> {
    let [journal, seconds, users, bases, probe_url] = args else {
        anyhow::bail!("load <journal> <seconds> <users> <http-base,…> <probe-db-url>");
    };
    let seconds: u64 = seconds.parse()?;
    let users: usize = users.parse()?;
    let started = Instant::now();
    let shared = Arc::new(Shared {
        bases: bases.split(',').map(str::to_owned).collect(),
        journal: Journal(Mutex::new(std::io::BufWriter::new(std::fs::File::create(
            journal,
        )?))),
        stats: Stats::default(),
        started,
        deadline: started + Duration::from_secs(seconds),
        on_sale: Mutex::new(Vec::new()),
        people: Mutex::new(Vec::new()),
        run: format!("{:06x}", rand::rng().random_range(0..0xff_ffffu32)),
        outbox: std::env::var_os("MAIL_OUTBOX")
            .map(Into::into)
            .ok_or_else(|| anyhow::anyhow!("MAIL_OUTBOX: the app instances' outbox"))?,
    });
    let probe_task = tokio::spawn(probe(shared.clone(), probe_url.clone()));
    let mut people = Vec::new();
    for index in 0..users {
        let Some(p) = sign_up(&shared, index).await else {
            anyhow::bail!("person {index} could not sign up");
        };
        people.push(p);
    }
    *shared.people.lock().unwrap() = people.clone();
    let tasks: Vec<_> = people
        .into_iter()
        .map(|p| tokio::spawn(person(shared.clone(), p)))
        .collect();
    let ticker = {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let errors: u64 = shared.stats.errors.lock().unwrap().values().sum();
                eprintln!(
                    "load: {:>4} s  {} requests, {} errors, {} writes acknowledged",
                    shared.started.elapsed().as_secs(),
                    shared.stats.requests.load(Ordering::Relaxed),
                    errors,
                    shared.stats.write_done_ms.lock().unwrap().len()
                );
            }
        })
    };
    for t in tasks {
        t.await?;
    }
    ticker.abort();
    probe_task.await??;
    shared.journal.0.lock().unwrap().flush()?;

    let stats = &shared.stats;
    let requests = stats.requests.load(Ordering::Relaxed);
    let errors = stats.errors.lock().unwrap().clone();
    let error_count: u64 = errors.values().sum();
    let mut done = stats.write_done_ms.lock().unwrap().clone();
    done.sort_unstable();
    let stall = done.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let stall_at = done
        .windows(2)
        .max_by_key(|w| w[1] - w[0])
        .map_or(0, |w| w[0]);
    let mut chat = stats.chat_ack_ms.lock().unwrap().clone();
    let mut bare = stats.probe_ms.lock().unwrap().clone();
    let (chat_p50, chat_p99) = (percentile(&mut chat, 0.5), percentile(&mut chat, 0.99));
    let (bare_p50, bare_p99) = (percentile(&mut bare, 0.5), percentile(&mut bare, 0.99));
    let report = serde_json::json!({
        "seconds": seconds,
        "users": users,
        "requests": requests,
        "acknowledged_writes": done.len(),
        "user_visible_errors": error_count,
        "error_rate_percent": 100.0 * error_count as f64 / requests.max(1) as f64,
        "errors": errors,
        "balancer_switches": stats.switches.load(Ordering::Relaxed),
        "chat_reconnects": stats.reconnects.load(Ordering::Relaxed),
        "longest_write_stall_ms": stall,
        "longest_write_stall_from_ms": stall_at,
        "chat_messages": chat.len(),
        "chat_ack_ms": {"p50": chat_p50, "p99": chat_p99},
        "bare_insert_commit_ms": {"p50": bare_p50, "p99": bare_p99, "count": bare.len(),
                                  "errors": stats.probe_errors.load(Ordering::Relaxed)},
        "chat_p99_over_bare_p99": if bare_p99 > 0.0 { chat_p99 / bare_p99 } else { 0.0 },
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

// ---- check ----

async fn check(args: &[String]) -> anyhow::Result<()> {
    let [journal, nodes] = args else {
        anyhow::bail!("check <journal> <node-db-url,…>");
    };
    let acked: Vec<Acked> = std::io::BufReader::new(std::fs::File::open(journal)?)
        .lines()
        .map(|l| Ok(serde_json::from_str(&l?)?))
        .collect::<anyhow::Result<_>>()?;
    let mut pools = Vec::new();
    for url in nodes.split(',') {
        pools.push(
            MySqlPoolOptions::new()
                .max_connections(2)
                .connect(url)
                .await?,
        );
    }
    settle(&pools).await?;
    let mut failures = Vec::new();
    let mut sums = Vec::new();
    for (n, pool) in pools.iter().enumerate() {
        let node = format!("node{}", n + 1);
        for problem in check_node(pool, &acked).await? {
            failures.push(format!("{node}: {problem}"));
        }
        sums.push(checksums(pool).await?);
    }
    for (n, other) in sums.iter().enumerate().skip(1) {
        for (table, sum) in &sums[0] {
            if other.get(table) != Some(sum) {
                failures.push(format!(
                    "node{} differs from node1 in {table}: {:?} vs {sum}",
                    n + 1,
                    other.get(table)
                ));
            }
        }
    }
    let counts = acked.iter().fold(BTreeMap::<&str, u64>::new(), |mut m, a| {
        let kind = match a {
            Acked::Member { .. } => "members",
            Acked::Listing { .. } => "listings",
            Acked::Wish { .. } => "wishes",
            Acked::Message { .. } => "messages",
            Acked::Order { .. } => "orders",
            Acked::Paid { .. } => "payments",
            Acked::Shipped { .. } => "shipments",
            Acked::Confirmed { .. } => "confirmations",
            Acked::Review { .. } => "reviews",
        };
        *m.entry(kind).or_default() += 1;
        m
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "acknowledged": counts,
            "nodes": pools.len(),
            "tables_compared": sums[0].len(),
            "failures": failures,
        }))?
    );
    if !failures.is_empty() {
        anyhow::bail!("{} checks failed", failures.len());
    }
    Ok(())
}

/// Waits until every node has applied the same last transaction.
async fn settle(pools: &[MySqlPool]) -> anyhow::Result<()> {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let mut seen = HashSet::new();
        for pool in pools {
            let row = sqlx::query("SHOW GLOBAL STATUS LIKE 'wsrep_last_committed'")
                .fetch_one(pool)
                .await?;
            seen.insert(row.try_get::<String, _>(1)?);
        }
        if seen.len() == 1 {
            return Ok(());
        }
        if Instant::now() > until {
            anyhow::bail!("nodes did not converge: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn ids(pool: &MySqlPool, sql: &'static str) -> anyhow::Result<HashSet<String>> {
    let rows = sqlx::query(sql).fetch_all(pool).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

async fn check_node(pool: &MySqlPool, acked: &[Acked]) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let members = ids(pool, "SELECT login_id FROM member").await?;
    let listings = ids(pool, "SELECT CAST(id AS CHAR) FROM listing").await?;
    let wishes = ids(
        pool,
        "SELECT CONCAT(m.login_id, '/', w.listing_id) FROM wish w JOIN member m ON m.id = w.member_id",
    )
    .await?;
    let messages = ids(
        pool,
        "SELECT CONCAT(room_id, '/', client_msg_id) FROM chat_message",
    )
    .await?;
    let orders = ids(
        pool,
        "SELECT CONCAT(o.id, '/', m.login_id, '/', o.listing_id) FROM trade_order o JOIN member m ON m.id = o.buyer_id",
    )
    .await?;
    let statuses: HashMap<u64, String> =
        sqlx::query("SELECT id, CAST(status AS CHAR) FROM trade_order")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<u64, _>(0)?, r.try_get::<String, _>(1)?)))
            .collect::<anyhow::Result<_>>()?;
    let reviews = ids(
        pool,
        "SELECT CONCAT(r.order_id, '/', m.login_id) FROM review r JOIN member m ON m.id = r.reviewer_id",
    )
    .await?;
    let at_least = |order: u64, allowed: &[&str]| {
        statuses
            .get(&order)
            .is_some_and(|s| allowed.contains(&s.as_str()))
    };
    let mut missing = BTreeMap::<&str, u64>::new();
    for a in acked {
        let (kind, present) = match a {
            Acked::Member { login_id } => ("member", members.contains(login_id)),
            Acked::Listing { id, .. } => ("listing", listings.contains(&id.to_string())),
            Acked::Wish { login_id, listing } => {
                ("wish", wishes.contains(&format!("{login_id}/{listing}")))
            }
            Acked::Message { room, cid } => {
                ("message", messages.contains(&format!("{room}/{cid}")))
            }
            Acked::Order { id, buyer, listing } => {
                ("order", orders.contains(&format!("{id}/{buyer}/{listing}")))
            }
            Acked::Paid { order } => (
                "payment",
                at_least(*order, &["paid", "shipped", "received", "settled"]),
            ),
            Acked::Shipped { order } => (
                "shipment",
                at_least(*order, &["shipped", "received", "settled"]),
            ),
            Acked::Confirmed { order } => {
                ("confirmation", at_least(*order, &["received", "settled"]))
            }
            Acked::Review { order, reviewer } => {
                ("review", reviews.contains(&format!("{order}/{reviewer}")))
            }
        };
        if !present {
            *missing.entry(kind).or_default() += 1;
        }
    }
    for (kind, n) in missing {
        problems.push(format!("{n} acknowledged {kind} write(s) missing"));
    }
    // Nothing doubled, every order and payment in a legal state.
    let rules: [(&str, &str); 8] = [
        (
            "a book sold twice",
            "SELECT listing_id FROM trade_order WHERE status NOT IN ('cancelled', 'expired')
             GROUP BY listing_id HAVING COUNT(*) > 1",
        ),
        (
            "an order paid twice",
            "SELECT order_id FROM payment WHERE status = 'approved'
             GROUP BY order_id HAVING COUNT(*) > 1",
        ),
        (
            "a paid safe-pay order without its approved payment",
            "SELECT o.id FROM trade_order o WHERE o.method = 'safe_pay'
               AND o.status IN ('paid', 'shipped', 'received', 'settled')
               AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.approved_order_id = o.id)",
        ),
        (
            "an unpaid order with an approved payment",
            "SELECT o.id FROM trade_order o JOIN payment p ON p.approved_order_id = o.id
              WHERE o.status IN ('pending', 'expired')",
        ),
        (
            "a live order whose book is not reserved",
            "SELECT o.id FROM trade_order o JOIN listing l ON l.id = o.listing_id
              WHERE o.status IN ('agreed', 'paid', 'shipped') AND l.status <> 'reserved'",
        ),
        (
            "a completed order whose book is not sold",
            "SELECT o.id FROM trade_order o JOIN listing l ON l.id = o.listing_id
              WHERE o.status IN ('received', 'settled', 'completed') AND l.status <> 'sold'",
        ),
        (
            "a live order without its hold on the book",
            "SELECT id FROM trade_order WHERE status IN ('pending', 'agreed', 'paid', 'shipped')
               AND (live_listing_id IS NULL OR live_listing_id <> listing_id)",
        ),
        (
            "two reviews by one side of an order",
            "SELECT order_id FROM review GROUP BY order_id, reviewer_id HAVING COUNT(*) > 1",
        ),
    ];
    for (what, sql) in rules {
        let found = sqlx::query(sql).fetch_all(pool).await?.len();
        if found > 0 {
            problems.push(format!("{found} × {what}"));
        }
    }
    Ok(problems)
}

/// Every table's row count and a hash of its rows' content (each column as hex, NULL
/// marked), by name. Row content rather than CHECKSUM TABLE: in the first runs CHECKSUM
/// TABLE of `book` differed on one node while a row-by-row comparison a minute later
/// found every row equal (and the checksums then agreed too).
async fn checksums(pool: &MySqlPool) -> anyhow::Result<BTreeMap<String, String>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await?;
    let mut sums = BTreeMap::new();
    for table in tables {
        let columns: String = sqlx::query_scalar(
            "SELECT CAST(GROUP_CONCAT(CONCAT('IFNULL(HEX(`', column_name, '`), ''~'')')
                    ORDER BY ordinal_position SEPARATOR ', ') AS CHAR)
               FROM information_schema.columns
              WHERE table_schema = DATABASE() AND table_name = ?",
        )
        .bind(&table)
        .fetch_one(pool)
        .await?;
        // Names from information_schema, quoted: not user input.
        let sql = format!(
            "SELECT CAST(CONCAT(COUNT(*), ':', IFNULL(BIT_XOR(CAST(CONV(LEFT(MD5(CONCAT_WS('|', {columns})), 16), 16, 10) AS UNSIGNED)), 0)) AS CHAR) FROM `{table}`"
        );
        let sum: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await?;
        sums.insert(table, sum);
    }
    Ok(sums)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("load") => load(&args[1..]).await,
        Some("check") => check(&args[1..]).await,
        _ => anyhow::bail!("failover load … | failover check … (see the file's header)"),
    }
}
