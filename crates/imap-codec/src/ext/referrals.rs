//! LOGIN-REFERRALS (RFC 2221) and MAILBOX-REFERRALS (RFC 2193): the `[REFERRAL ...]`
//! response code that sends a client to another server, and the RLIST / RLSUB commands.
//!
//! ```text
//! resp_text_code =/ "REFERRAL" SPACE <imap_url>                  ; RFC 2221 §5
//! referral_response_code = "[" "REFERRAL" 1*(SPACE <url>) "]"    ; RFC 2193 §6
//! rlist = "RLIST" SPACE mailbox SPACE list_mailbox               ; RFC 2193 §6
//! rlsub = "RLSUB" SPACE mailbox SPACE list_mailbox
//! ```
//!
//! RFC 2221 is not in the repository's RFC set; its grammar (the one line above) and its
//! examples (§3, §4.1, §4.2) were taken from the RFC's published text (the RFC Editor's
//! rfc2221.txt, as mirrored at elook.org/computing/rfc/rfc2221-3.html). The code parses the
//! union of both rules: one or more URLs separated by single spaces (a LOGIN-REFERRALS
//! code has one, a MAILBOX-REFERRALS code one per mailbox, two per RENAME pair, RFC 2193
//! §4.3). A URL (RFC 1738, RFC 5092) has no space and no `]`: each is kept as sent,
//! [`ReferralUrl`]. RLIST and RLSUB are rows of the command table; their answers are
//! ordinary LIST and LSUB responses (RFC 2193 §5).

use crate::prelude::*;

use alloc::borrow::Cow;

use mailproto_core::IntoStatic;

use crate::context::Ctx;
use crate::encode::Encoder;
use crate::error::{PResult, ValidationError, fail};
use crate::ext::NonEmpty;
use crate::mailbox::{ListMailbox, Mailbox};
use crate::parse::{ascii_str, is_text_char, sp, take_while};

/// One URL of a `[REFERRAL ...]` code (RFC 2221 §5 `imap_url`, RFC 2193 §6 `url`): 7-bit
/// text without space, CR, LF, NUL or `]`, kept as sent.
///
/// ```
/// use mailproto_imap_codec::ext::referrals::ReferralUrl;
/// assert!(ReferralUrl::new("IMAP://user;AUTH=*@SERVER2/SHARED/FOO").is_ok());
/// assert!(ReferralUrl::new("imap://a b").is_err());
/// assert!(ReferralUrl::new("").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, IntoStatic)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct ReferralUrl<'a>(Cow<'a, str>);

fn is_url_char(b: u8) -> bool {
    is_text_char(b) && b != b']' && b != b' '
}

impl<'a> ReferralUrl<'a> {
    /// Checks `url`: non-empty, 7-bit, without space, CR, LF, NUL or `]`.
    pub fn new(url: impl Into<Cow<'a, str>>) -> Result<Self, ValidationError> {
        let url = url.into();
        if url.is_empty() {
            return Err(ValidationError::new("url", None));
        }
        if let Some(p) = url.bytes().position(|b| !is_url_char(b)) {
            return Err(ValidationError::new("url", Some(p)));
        }
        Ok(ReferralUrl(url))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `1*(SP url)` after the code's name `REFERRAL`.
pub(crate) fn parse_referral<'a>(
    mut i: &'a [u8],
    _: &Ctx<'_>,
) -> PResult<'a, NonEmpty<ReferralUrl<'a>>> {
    let mut urls = Vec::new();
    loop {
        let (r, ()) = sp(i)?;
        let (rest, url) = take_while(r, is_url_char);
        if url.is_empty() {
            return fail(r, "url");
        }
        urls.push(ReferralUrl(Cow::Borrowed(ascii_str(url))));
        i = rest;
        if i.first() != Some(&b' ') {
            return Ok((i, NonEmpty::from_parsed(urls)));
        }
    }
}

/// Writes `1*(SP url)`.
pub(crate) fn encode_referral(urls: &NonEmpty<ReferralUrl<'_>>, e: &mut Encoder<'_>) {
    for u in urls {
        e.sp().raw(u.0.as_bytes());
    }
}

/// `SP mailbox SP list_mailbox` of RLIST and RLSUB.
pub(crate) fn sp_reference_pattern(i: &[u8]) -> PResult<'_, (Mailbox<'_>, ListMailbox<'_>)> {
    let (i, reference) = crate::command::sp_mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, pattern) = ListMailbox::parse::<true>(i)?;
    Ok((i, (reference, pattern)))
}

#[cfg(test)]
mod tests {
    use crate::command::test_util::{rejects, roundtrip};
    use crate::command::{CommandBody, CommandKind, States};
    use crate::prelude::*;
    use crate::response::{Greeting, Response};
    use crate::{Capability, Code};

    fn response(line: &str) -> Response<'_> {
        let r = Response::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        let mut out = Vec::new();
        let _ = r.encode(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), line);
        r
    }

    fn urls(r: &Response<'_>) -> Vec<String> {
        let Response::Status(s) = r else {
            panic!("{r:?}")
        };
        let Some(Code::Referral(urls)) = s.code() else {
            panic!("{s:?}")
        };
        urls.iter().map(|u| u.as_str().to_owned()).collect()
    }

    /// RFC 2221 §3, §4.1, §4.2 and RFC 2193 §4.1–§4.4.
    #[test]
    fn referral_codes() {
        let r = response("A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER2/] Remote Server\r\n");
        assert_eq!(urls(&r), ["IMAP://user;AUTH=*@SERVER2/"]);
        response(
            "A001 OK [REFERRAL IMAP://MATTHEW@SERVER2/] Specified user's personal mailboxes \
located on Server2, but public mailboxes are available.\r\n",
        );
        response(
            "A001 NO [REFERRAL IMAP://user;AUTH=GSSAPI@SERVER2/] Specified user is invalid \
on this server. Try SERVER2.\r\n",
        );
        let g = Greeting::parse(
            b"* BYE [REFERRAL IMAP://user;AUTH=*@SERVER2/] Server not accepting connections. \
Try SERVER2\r\n",
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = g.encode(&mut out);
        assert!(out.starts_with(b"* BYE [REFERRAL IMAP://"));
        let r = response(
            "A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER2/REMOTE \
IMAP://user;AUTH=*@SERVER3/REMOTE] Remote mailbox. Try SERVER2 or SERVER3.\r\n",
        );
        assert_eq!(urls(&r).len(), 2);
        response(
            "A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER1/FOO IMAP://user;AUTH=*@SERVER2/BAR] \
Unable to rename mailbox across servers\r\n",
        );
        let r = Response::parse(b"a NO [referral imap://x/y] z\r\n").unwrap();
        assert_eq!(urls(&r), ["imap://x/y"]);
        for bad in [
            &b"a NO [REFERRAL] x\r\n"[..],
            b"a NO [REFERRAL ] x\r\n",
            b"a NO [REFERRAL a  b] x\r\n",
            b"a NO [REFERRAL a ] x\r\n",
        ] {
            // Not a REFERRAL code: an error, or (resp-text allows "[") plain text.
            match Response::parse(bad) {
                Err(_) => {}
                Ok(Response::Status(s)) => assert_eq!(s.code(), None, "{bad:?}"),
                Ok(other) => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn rlist_rlsub() {
        for line in [
            "A1 RLIST \"\" *\r\n",
            "A2 RLSUB \"#news.\" \"comp.%\"\r\n",
            "A3 RLIST ~/Mail/ %\r\n",
        ] {
            roundtrip(line.as_bytes(), true);
        }
        let c = roundtrip(b"a rlsub \"\" %\r\n", false);
        assert!(matches!(c.body, CommandBody::Rlsub { .. }));
        assert_eq!(CommandKind::Rlist.states(), States::AUTH);
        assert_eq!(
            CommandKind::Rlsub.capability(),
            Some(Capability::MailboxReferrals)
        );
        rejects(b"a RLIST \"\"\r\n", 10, "SP");
        rejects(b"a RLIST \"\" (x)\r\n", 11, "list-mailbox");
    }
}
