//! Chat types and rules shared by the browser and the server: the WebSocket frames, the
//! message limits, and the scam warning (computed from the text on both sides, so the
//! composer warns before sending and every reader sees the same banner).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::features::listings::types::ListingStatus;
use crate::features::orders::types::EventKind;

pub const MAX_MESSAGE_CHARS: usize = 500;
pub const HISTORY_PAGE: u32 = 50;
pub const ROOMS_PAGE: u32 = 20;
/// The browser pings this often; the server drops a connection silent for twice as long.
pub const HEARTBEAT_SECS: u64 = 25;
pub const SOCKET_PATH: &str = "/ws/chat";
pub const SAFE_PAY_WARNING: &str = "계좌번호·전화번호·메신저 아이디로 거래를 옮기면 사기 피해를 \
     보호받을 수 없어요. 안전결제를 이용하세요.";

/// The message as the server will store it, or why it cannot be sent.
pub fn validate_body(body: &str) -> Result<String, String> {
    let body = crate::text::multi_line(body);
    if body.is_empty() {
        return Err("메시지를 입력해 주세요.".into());
    }
    let chars = body.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(format!(
            "메시지는 {MAX_MESSAGE_CHARS}자까지 보낼 수 있어요. (지금 {chars}자)"
        ));
    }
    Ok(body)
}

/// Spaces removed and lower-cased: "시 발", "OPEN.KAKAO" are caught like "시발", "open.kakao".
pub fn normalize_for_match(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What the banned-word filter compares: letters and digits only, lower case, with
/// Hangul typed as loose jamo put back together. Spaces, dots, zero-width characters,
/// emoji and other symbols between the letters ("시.발", "시\u{200b}발", "시🙂발") fall
/// away, and "ㅅㅣㅂㅏㄹ" reads as "시발".
pub fn fold_for_filter(text: &str) -> String {
    let letters: Vec<char> = text
        .chars()
        .map(fullwidth_to_ascii)
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    compose_jamo(&letters)
}

fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// Compatibility jamo (ㄱ U+3131 … ㅣ U+3163), in Unicode order, with their places in
/// the syllable formula: initial index, final index (0 = none), or vowel index.
const JAMO_INITIAL: [Option<u32>; 30] = [
    Some(0),
    Some(1),
    None,
    Some(2),
    None,
    None,
    Some(3),
    Some(4),
    Some(5),
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    Some(6),
    Some(7),
    Some(8),
    None,
    Some(9),
    Some(10),
    Some(11),
    Some(12),
    Some(13),
    Some(14),
    Some(15),
    Some(16),
    Some(17),
    Some(18),
];
const JAMO_FINAL: [u32; 30] = [
    1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0, 18, 19, 20, 21, 22, 0, 23, 24,
    25, 26, 27,
];

fn consonant(c: char) -> Option<usize> {
    (('\u{3131}'..='\u{314E}').contains(&c)).then(|| c as usize - 0x3131)
}

fn vowel(c: char) -> Option<u32> {
    (('\u{314F}'..='\u{3163}').contains(&c)).then(|| c as u32 - 0x314F)
}

/// Puts loose compatibility jamo together the way a Korean keyboard does: consonant +
/// vowel make a syllable, and a consonant not followed by a vowel closes the syllable
/// before it (also one that was typed whole: "시바ㄹ" → "시발").
fn compose_jamo(chars: &[char]) -> String {
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let next_is_vowel = next.and_then(vowel).is_some();
        if let Some(ci) = consonant(c) {
            if let (Some(l), Some(v)) = (JAMO_INITIAL[ci], next.and_then(vowel)) {
                let mut syllable = 0xAC00 + (l * 21 + v) * 28;
                i += 2;
                // A final consonant, unless it starts the next syllable.
                if let Some(fi) = chars.get(i).copied().and_then(consonant)
                    && JAMO_FINAL[fi] != 0
                    && chars.get(i + 1).copied().and_then(vowel).is_none()
                {
                    syllable += JAMO_FINAL[fi];
                    i += 1;
                }
                out.push(char::from_u32(syllable).unwrap_or(c));
                continue;
            }
            // A loose final after a syllable typed without one.
            if !next_is_vowel
                && JAMO_FINAL[ci] != 0
                && let Some(last) = out.last_mut()
                && ('\u{AC00}'..='\u{D7A3}').contains(last)
                && (*last as u32 - 0xAC00).is_multiple_of(28)
            {
                *last = char::from_u32(*last as u32 + JAMO_FINAL[ci]).unwrap_or(*last);
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out.into_iter().collect()
}

pub const MAX_BANNED_WORD_CHARS: usize = 50;

/// A banned word as it is stored and matched (normalized), or why it cannot be one.
pub fn validate_banned_word(word: &str) -> Result<String, String> {
    let word = fold_for_filter(word);
    if word.is_empty() {
        return Err("금지어를 입력해 주세요.".into());
    }
    let chars = word.chars().count();
    if chars > MAX_BANNED_WORD_CHARS {
        return Err(format!(
            "금지어는 공백과 기호를 빼고 {MAX_BANNED_WORD_CHARS}자까지 넣을 수 있어요. (지금 {chars}자)"
        ));
    }
    Ok(word)
}

/// The first banned word the body contains, if any (`words` already normalized).
pub fn banned_word_in<'a>(body: &str, words: &'a [String]) -> Option<&'a str> {
    let text = fold_for_filter(body);
    words
        .iter()
        .find(|w| !w.is_empty() && text.contains(w.as_str()))
        .map(String::as_str)
}

/// Off-platform messenger mentions that scams use to move a trade out of safe payment.
const MESSENGER_HINTS: &[&str] = &[
    "카톡아이디",
    "카톡id",
    "카카오톡아이디",
    "카카오톡id",
    "카톡으로연락",
    "오픈채팅",
    "open.kakao",
    "텔레그램",
    "telegram",
    "t.me/",
    "라인아이디",
    "lineid",
    "위챗",
    "wechat",
];

/// True when the message carries a bank account number, a phone number or an
/// off-platform messenger ID — the three ways a scam moves a trade out of safe payment.
pub fn needs_safe_pay_warning(body: &str) -> bool {
    let text = normalize_for_match(body);
    if MESSENGER_HINTS.iter().any(|h| text.contains(h)) {
        return true;
    }
    number_runs(body).any(|digits| {
        let n = digits.len();
        let phone = digits.starts_with("01") && (10..=11).contains(&n);
        let isbn = n == 13 && (digits.starts_with("978") || digits.starts_with("979"));
        let landline_or_account = (10..=16).contains(&n) && !isbn;
        phone || landline_or_account
    })
}

/// Runs of digits that may be split by '-', '.' or single spaces ("110-123-456789",
/// "010 1234 5678"), with the separators dropped.
fn number_runs(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut last_was_separator = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
            last_was_separator = false;
        } else if matches!(c, '-' | '.' | ' ') && !current.is_empty() && !last_was_separator {
            last_was_separator = true;
        } else {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            last_was_separator = false;
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs.into_iter()
}

pub const DELETED_LABEL: &str = "삭제됨";

/// CHAT_004's reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Abuse,
    Spam,
    Fraud,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 4] = [Self::Abuse, Self::Spam, Self::Fraud, Self::Other];

    pub fn label(self) -> &'static str {
        match self {
            Self::Abuse => "욕설",
            Self::Spam => "스팸",
            Self::Fraud => "사기 의심",
            Self::Other => "기타",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Abuse => "abuse",
            Self::Spam => "spam",
            Self::Fraud => "fraud",
            Self::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// One message as both participants see it. A deleted message keeps its place and
/// time, but its text is gone for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: u64,
    pub room_id: u64,
    pub sender_id: u64,
    pub client_msg_id: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub deleted: bool,
}

/// A row of the room list (ROOM_004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub id: u64,
    pub listing_id: u64,
    pub title: String,
    pub cover: Option<String>,
    pub other_nickname: String,
    pub last_message: String,
    pub last_message_at: DateTime<Utc>,
    pub last_from_me: bool,
    pub unread: u32,
    pub muted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsPage {
    pub rooms: Vec<RoomSummary>,
    /// Pass back for the next page: "<unix micros>.<room id>" of the last row.
    pub next: Option<String>,
}

/// One room as a participant opens it: the listing card pinned on top and both sides'
/// read pointers (for ✓✓).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    pub id: u64,
    pub listing_id: u64,
    pub title: String,
    pub price: i64,
    pub status: ListingStatus,
    pub cover: Option<String>,
    pub me: u64,
    pub i_am_seller: bool,
    pub other_id: u64,
    pub other_nickname: String,
    pub other_last_read: u64,
    pub my_last_read: u64,
    pub other_left: bool,
    pub muted: bool,
    pub blocked_by_me: bool,
    pub blocked_me: bool,
    /// The viewer may not send chat messages until then (the report rule or an admin).
    pub restricted_until: Option<DateTime<Utc>>,
    /// The steps of this buyer's orders for this listing, oldest first: shown between
    /// the messages as system lines.
    pub trade_lines: Vec<TradeLine>,
}

/// One order step as a line in the room ("판매자가 책을 보냈어요").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeLine {
    /// The step's event id (stable: a key for the list).
    pub id: u64,
    pub order_id: u64,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

/// Messages in ascending id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub messages: Vec<ChatMessage>,
    /// Older messages exist before the first one here.
    pub has_older: bool,
}

/// What the browser sends over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ClientFrame {
    /// A message; `cid` is the browser's id for it, the same on every retry.
    Send {
        room: u64,
        cid: String,
        body: String,
    },
    /// The member has seen the room up to message `upto`.
    Read {
        room: u64,
        upto: u64,
    },
    /// Which room this tab shows (none: the list or another page) — no notification for it.
    View {
        room: Option<u64>,
    },
    Ping,
}

/// What the server sends over the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ServerFrame {
    /// `cid` is stored (now or by an earlier try) as `msg`.
    Ack {
        cid: String,
        msg: ChatMessage,
    },
    /// A new message in one of the member's rooms (from either side, any tab).
    Msg {
        msg: ChatMessage,
        sender_nickname: String,
        /// The recipient should be told ("OO님이 새 메시지를 보냈습니다."): not muted, and
        /// not already looking at the room.
        #[serde(default)]
        notify: bool,
    },
    /// `reader` has read `room` up to `upto`.
    Read {
        room: u64,
        reader: u64,
        upto: u64,
    },
    Deleted {
        room: u64,
        id: u64,
    },
    /// `cid` was refused for good (banned word, blocked, not a participant): show why.
    Refused {
        cid: String,
        message: String,
    },
    /// The member may not send messages until `until` (reports, see the report rule),
    /// or may again (`None`, an admin lifted it).
    Restricted {
        until: Option<DateTime<Utc>>,
    },
    Pong,
    /// Events may have been missed (the broker reconnected): fetch what is new.
    Resync,
    /// One of the member's trades moved (paid, shipped, cancelled, …): a page showing
    /// it fetches it again, and the notice bell counts again.
    Trade {
        order: u64,
    },
    /// Something else the member is told of (a wished listing changed, a wanted book came
    /// up, a report was handled, a review arrived): the bell counts again.
    Notice,
}

impl ServerFrame {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banned_words_survive_dots_zero_width_and_loose_jamo() {
        let words = vec![fold_for_filter("시발"), fold_for_filter("사기꾼")];
        for body in [
            "시발",
            "시 발",
            "시.발",
            "시\u{200b}발",
            "시\u{feff}발",
            "시🙂발",
            "ㅅㅣㅂㅏㄹ",
            "ㅅㅣ발",
            "시바ㄹ",
            "사ㄱㅣ꾼",
            "사기꾼!!",
            "사-기-꾼",
        ] {
            assert!(banned_word_in(body, &words).is_some(), "{body:?}");
        }
        for body in ["시바견 귀여워요", "사기 싫어요", "발시", "ㅅㅂ"] {
            assert!(banned_word_in(body, &words).is_none(), "{body:?}");
        }
        assert_eq!(fold_for_filter("ＯＰＥＮ Kakao"), "openkakao");
        assert_eq!(fold_for_filter("ㄱㅏㅂㅅ"), "갑ㅅ");
    }

    #[test]
    fn body_is_trimmed_and_limited_to_500_characters() {
        assert_eq!(validate_body("  안녕하세요 ").unwrap(), "안녕하세요");
        assert!(validate_body("   ").is_err());
        assert!(validate_body(&"가".repeat(500)).is_ok());
        let err = validate_body(&"가".repeat(501)).unwrap_err();
        assert!(err.contains("500자"), "{err}");
    }

    #[test]
    fn banned_words_are_stored_normalized_and_bounded() {
        assert_eq!(
            validate_banned_word(" 바보 멍청이 ").as_deref(),
            Ok("바보멍청이")
        );
        assert_eq!(validate_banned_word("SCAM").as_deref(), Ok("scam"));
        assert_eq!(
            validate_banned_word("  "),
            Err("금지어를 입력해 주세요.".to_owned())
        );
        assert!(
            validate_banned_word(&"가 ".repeat(51))
                .unwrap_err()
                .contains("(지금 51자)")
        );
        assert!(validate_banned_word(&"가 ".repeat(50)).is_ok());
    }

    #[test]
    fn banned_words_match_across_spaces_and_case() {
        let words = vec!["시발".to_owned(), "scam".to_owned()];
        assert_eq!(banned_word_in("아 시 발 진짜", &words), Some("시발"));
        assert_eq!(banned_word_in("this is a SCAM", &words), Some("scam"));
        assert_eq!(banned_word_in("시간 발표", &words), None);
    }

    #[test]
    fn safe_pay_warning_on_accounts_phones_and_messenger_ids() {
        assert!(needs_safe_pay_warning(
            "국민 123456-01-234567 로 입금해주세요"
        ));
        assert!(needs_safe_pay_warning("010-1234-5678 로 문자 주세요"));
        assert!(needs_safe_pay_warning("01012345678"));
        assert!(needs_safe_pay_warning("카톡 아이디 bookman 으로 와요"));
        assert!(needs_safe_pay_warning("open.kakao.com/o/abc"));
        assert!(!needs_safe_pay_warning("15,000원에 가능할까요? 3권 있어요"));
        assert!(!needs_safe_pay_warning("2026-11-24 3시에 정문에서 봬요"));
        assert!(!needs_safe_pay_warning("ISBN 9788966262281 맞나요?"));
    }

    #[test]
    fn frames_round_trip_as_tagged_json() {
        let frame = ClientFrame::Send {
            room: 7,
            cid: "c-1".into(),
            body: "안녕".into(),
        };
        let json = serde_json::to_string(&frame).unwrap();
        assert_eq!(json, r#"{"t":"send","room":7,"cid":"c-1","body":"안녕"}"#);
        assert_eq!(serde_json::from_str::<ClientFrame>(&json).unwrap(), frame);
        assert_eq!(ServerFrame::Pong.to_json(), r#"{"t":"pong"}"#);
    }
}
