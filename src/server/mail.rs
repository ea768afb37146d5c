//! Mail to members: through SMTP when `SMTP_URL` is set, otherwise written as `.eml`
//! files to the outbox folder (and logged), so the app works offline and a developer can
//! open what it sent. Every mail is Korean plain text with an HTML twin.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::ui::format::escape_html;

#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, or STARTTLS where offered), `smtps://user:pass@host`
    /// (TLS from the start). Holds credentials: never logged.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `책빵 <no-reply@breadbook.kr>`.
    pub from: String,
    /// Where mail goes without SMTP.
    pub outbox: PathBuf,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp", &self.smtp_url.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("outbox", &self.outbox)
            .finish()
    }
}

impl MailSettings {
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            smtp_url: var("SMTP_URL"),
            from: var("MAIL_FROM").unwrap_or_else(|| "책빵 <no-reply@breadbook.local>".into()),
            outbox: var("MAIL_OUTBOX").map_or_else(|| PathBuf::from(".data/outbox"), PathBuf::from),
        }
    }
}

/// One mail: a subject, paragraphs of text, and optionally a button-like link.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(String, String)>,
}

impl Mail {
    fn text(&self) -> String {
        let mut body = self.paragraphs.join("\n\n");
        if let Some((label, url)) = &self.link {
            body.push_str(&format!("\n\n{label}: {url}"));
        }
        body.push_str("\n\n— 책빵");
        body
    }

    fn html(&self) -> String {
        let mut body = String::from(
            "<!doctype html><html lang=\"ko\"><meta charset=\"utf-8\">\
             <body style=\"font-family:sans-serif;color:#2b2118;line-height:1.6\">",
        );
        for p in &self.paragraphs {
            body.push_str(&format!("<p>{}</p>", escape_html(p)));
        }
        if let Some((label, url)) = &self.link {
            body.push_str(&format!(
                "<p><a href=\"{}\" style=\"color:#9a5a1f;font-weight:700\">{}</a></p>",
                escape_html(url),
                escape_html(label)
            ));
        }
        body.push_str("<p style=\"color:#6b5c4f\">— 책빵</p></body></html>");
        body
    }
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM '{}': {e}", settings.from))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&settings.outbox)?;
                Transport::Outbox(
                    AsyncFileTransport::new(&settings.outbox),
                    settings.outbox.clone(),
                )
            }
        };
        Ok(Self { from, transport })
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(mail.to.parse()?)
            .subject(&mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text(), mail.html()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Outbox(files, dir) => {
                let id = files.send(message).await?;
                tracing::info!(file = %dir.join(format!("{id}.eml")).display(), subject = %mail.subject,
                    "mail written to the outbox (no SMTP_URL)");
            }
        }
        Ok(())
    }
}
