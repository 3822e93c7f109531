//! Feature `tracing`: the client session reports the commands it sends, the octets it hands
//! out and the events it delivers, through whatever subscriber is installed.

use std::sync::{Arc, Mutex};

use imap_codec::CommandBody;
use mailproto_imap_session::{ClientConfig, ClientOutput, ClientSession};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records each event's `message` and other fields as `name=value` text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = Text(format!("{} ", event.metadata().level()));
        event.record(&mut text);
        self.0.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn the_client_session_traces_commands_transmits_and_events() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let mut session = ClientSession::new(ClientConfig::default());
        session
            .handle_input(b"* OK [CAPABILITY IMAP4rev1] ready\r\n")
            .unwrap();
        let handle = session.send(CommandBody::Noop).unwrap();
        while let Some(out) = session.poll_output() {
            if let ClientOutput::Transmit(bytes) = out {
                assert_eq!(bytes, b"A1 NOOP\r\n");
            }
        }
        session.handle_input(b"A1 OK done\r\n").unwrap();
        while session.poll_output().is_some() {}
        let _ = handle;
    });
    let lines = recorder.0.lock().unwrap().clone();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(
        has("DEBUG message=command") && has("kind=Noop"),
        "{lines:#?}"
    );
    assert!(has("TRACE message=transmit octets=9"), "{lines:#?}");
    assert!(has("message=event event=Greeting"), "{lines:#?}");
    assert!(has("message=event event=Completed"), "{lines:#?}");
}
