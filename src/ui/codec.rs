//! How page data travels from the server-rendered HTML to the hydrating browser.

use std::fmt::Write;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON with every non-ASCII character written as `\uXXXX`.
///
/// Leptos embeds each resource's encoded value in the page as a `{:?}`-escaped string,
/// and Debug-escaping Hangul walks Unicode tables per character: measured as ~10% of a
/// search page's server time (BENCHMARKS.md, SSR throughput). Pure ASCII takes the fast
/// path; `serde_json` reads the escapes back natively, so decoding is unchanged.
pub struct AsciiJson;

impl<T: Serialize> codee::Encoder<T> for AsciiJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        Ok(ascii_only(serde_json::to_string(value)?))
    }
}

impl<T: DeserializeOwned> codee::Decoder<T> for AsciiJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, Self::Error> {
        serde_json::from_str(encoded)
    }
}

/// Non-ASCII can only occur inside JSON strings, where `\uXXXX` (UTF-16, surrogate
/// pairs above the BMP) means the same character.
fn ascii_only(json: String) -> String {
    if json.is_ascii() {
        return json;
    }
    let mut out = String::with_capacity(json.len() * 2);
    let mut units = [0u16; 2];
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut units) {
                // Writing into a String cannot fail; no temporary String per character.
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use codee::{Decoder, Encoder};

    #[test]
    fn korean_and_emoji_round_trip_as_ascii() {
        let value = vec![
            "자바의 정석".to_owned(),
            "책빵 🍞".to_owned(),
            "a\"b\\c".to_owned(),
        ];
        let encoded = <AsciiJson as Encoder<Vec<String>>>::encode(&value).unwrap();
        assert!(encoded.is_ascii(), "{encoded}");
        assert!(encoded.contains("\\uc790"), "{encoded}");
        assert!(encoded.contains("\\ud83c\\udf5e"), "{encoded}");
        let decoded: Vec<String> = AsciiJson::decode(&encoded).unwrap();
        assert_eq!(decoded, value);
    }
}
